// Parsing of scan targets and the overlap test.
#include "store/targets.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "core/errors.hpp"
#include "core/redact.hpp"

namespace sw::store {

namespace {

std::optional<std::uint32_t> parse_octet(std::string_view text) {
  if (text.empty() || text.size() > 3) {
    return std::nullopt;
  }
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 255) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t address = 0;
  for (int index = 0; index < 4; ++index) {
    const std::size_t dot = index < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos) {
      return std::nullopt;
    }
    const auto octet = parse_octet(text.substr(0, dot));
    if (!octet) {
      return std::nullopt;
    }
    address = (address << 8) | *octet;
    text = index < 3 ? text.substr(dot + 1) : std::string_view();
  }
  return address;
}

// Digits, dots, '/' and '-' only: the token is meant as an address, a block or a range.
bool looks_like_address(std::string_view token) {
  return !token.empty() && std::isdigit(static_cast<unsigned char>(token[0])) &&
         std::all_of(token.begin(), token.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '/' || c == '-';
         });
}

std::optional<Ipv4Range> parse_block(std::string_view token) {
  const std::size_t slash = token.find('/');
  const auto address = parse_ipv4(token.substr(0, slash));
  if (!address) {
    return std::nullopt;
  }
  if (slash == std::string_view::npos) {
    return Ipv4Range{*address, *address};
  }
  const std::string_view bits_text = token.substr(slash + 1);
  unsigned bits = 0;
  const auto [end, error] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  if (bits_text.empty() || error != std::errc() || end != bits_text.data() + bits_text.size() || bits > 32) {
    return std::nullopt;
  }
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return Ipv4Range{*address & mask, (*address & mask) | ~mask};
}

std::optional<Ipv4Range> parse_range(std::string_view token) {
  const std::size_t dash = token.find('-');
  const auto first = parse_ipv4(token.substr(0, dash));
  const std::string_view end_text = token.substr(dash + 1);
  if (!first) {
    return std::nullopt;
  }
  std::optional<std::uint32_t> last;
  if (end_text.find('.') == std::string_view::npos) {
    const auto octet = parse_octet(end_text);
    if (octet) {
      last = (*first & 0xFFFFFF00u) | *octet;
    }
  } else {
    last = parse_ipv4(end_text);
  }
  if (!last || *last < *first) {
    return std::nullopt;
  }
  return Ipv4Range{*first, *last};
}

// "2001:db8::1" or "2001:db8::/120" (inet_pton: no zone ids, no brackets).
std::optional<Ipv6Range> parse_ipv6(std::string_view token) {
  const std::size_t slash = token.find('/');
  const std::string address_text(token.substr(0, slash));
  std::array<std::uint8_t, 16> address{};
  if (::inet_pton(AF_INET6, address_text.c_str(), address.data()) != 1) {
    return std::nullopt;
  }
  unsigned bits = 128;
  if (slash != std::string_view::npos) {
    const std::string_view bits_text = token.substr(slash + 1);
    const auto [end, error] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
    if (bits_text.empty() || error != std::errc() || end != bits_text.data() + bits_text.size() || bits > 128) {
      return std::nullopt;
    }
  }
  Ipv6Range range{address, address};
  for (unsigned index = 0; index < 16; ++index) {
    const unsigned kept = bits >= 8 * (index + 1) ? 8 : (bits > 8 * index ? bits - 8 * index : 0);
    const auto mask = static_cast<std::uint8_t>(kept == 0 ? 0 : 0xFFu << (8 - kept));
    range.first[index] = static_cast<std::uint8_t>(address[index] & mask);
    range.last[index] = static_cast<std::uint8_t>((address[index] & mask) | static_cast<std::uint8_t>(~mask));
  }
  return range;
}

bool is_separator(char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';'; }

std::vector<std::string_view> split_tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t position = 0;
  while (position < text.size()) {
    while (position < text.size() && is_separator(text[position])) {
      ++position;
    }
    std::size_t end = position;
    while (end < text.size() && !is_separator(text[end])) {
      ++end;
    }
    if (end > position) {
      tokens.push_back(text.substr(position, end - position));
    }
    position = end;
  }
  return tokens;
}

}  // namespace

std::optional<Target> parse_target(std::string_view token) {
  if (token.empty()) {
    return std::nullopt;
  }
  if (token.find(':') != std::string_view::npos) {
    const auto range = parse_ipv6(token);
    return range ? std::optional<Target>(*range) : std::nullopt;
  }
  if (looks_like_address(token)) {
    const bool is_range = token.find('-') != std::string_view::npos;
    if (is_range && token.find('/') != std::string_view::npos) {
      return std::nullopt;
    }
    const auto range = is_range ? parse_range(token) : parse_block(token);
    return range ? std::optional<Target>(*range) : std::nullopt;
  }
  std::string name(token);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  if (name.empty()) {
    return std::nullopt;
  }
  return HostName{std::move(name)};
}

std::vector<Target> parse_targets(std::string_view text) {
  std::vector<Target> targets;
  for (const std::string_view token : split_tokens(text)) {
    auto target = parse_target(token);
    if (!target) {
      throw core::Error(core::ErrorKind::bad_input,
                        "'" + core::redacted_excerpt(token, 100) + "' is not a valid target");
    }
    targets.push_back(std::move(*target));
  }
  return targets;
}

bool targets_overlap(const Target& a, const Target& b) {
  const auto* range_a = std::get_if<Ipv4Range>(&a);
  const auto* range_b = std::get_if<Ipv4Range>(&b);
  if (range_a != nullptr && range_b != nullptr) {
    return range_a->first <= range_b->last && range_b->first <= range_a->last;
  }
  const auto* range6_a = std::get_if<Ipv6Range>(&a);
  const auto* range6_b = std::get_if<Ipv6Range>(&b);
  if (range6_a != nullptr && range6_b != nullptr) {
    return range6_a->first <= range6_b->last && range6_b->first <= range6_a->last;
  }
  const auto* host_a = std::get_if<HostName>(&a);
  const auto* host_b = std::get_if<HostName>(&b);
  return host_a != nullptr && host_b != nullptr && host_a->name == host_b->name;
}

bool targets_overlap(const std::vector<Target>& query, std::string_view task_targets) {
  for (const std::string_view token : split_tokens(task_targets)) {
    const auto target = parse_target(token);
    if (target && std::any_of(query.begin(), query.end(),
                              [&](const Target& wanted) { return targets_overlap(wanted, *target); })) {
      return true;
    }
  }
  return false;
}

bool targets_overlap(std::string_view query, std::string_view task_targets) {
  return targets_overlap(parse_targets(query), task_targets);
}

}  // namespace sw::store
