// Target text expansion (see hosts.hpp).
#include "sim/hosts.hpp"

#include <algorithm>
#include <boost/asio/ip/address_v6.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

namespace sw::sim {

namespace {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t address = 0;
  int parts = 0;
  while (parts < 4) {
    unsigned value = 256;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || value > 255 || end == text.data()) {
      return std::nullopt;
    }
    address = (address << 8) | value;
    ++parts;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (parts < 4) {
      if (text.empty() || text.front() != '.') {
        return std::nullopt;
      }
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) {
    return std::nullopt;
  }
  return address;
}

std::string format_ipv4(std::uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
         std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

void add_address_hosts(std::uint32_t first, std::size_t count, std::vector<SimHost>& hosts) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto ip = format_ipv4(first + static_cast<std::uint32_t>(i));
    hosts.push_back(SimHost{ip, ip});
  }
}

std::optional<boost::asio::ip::address_v6> parse_ipv6(std::string_view text) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v6(std::string(text), ec);
  if (ec) {
    return std::nullopt;
  }
  return address;
}

// The next IPv6 address (bytes in network order).
void increment(boost::asio::ip::address_v6::bytes_type& bytes) {
  for (auto byte = bytes.rbegin(); byte != bytes.rend(); ++byte) {
    if (++*byte != 0) {
      return;
    }
  }
}

// `count` consecutive IPv6 addresses from `first`.
void add_ipv6_hosts(boost::asio::ip::address_v6::bytes_type first, std::size_t count, std::vector<SimHost>& hosts) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto ip = boost::asio::ip::address_v6(first).to_string();
    hosts.push_back(SimHost{ip, ip});
    increment(first);
  }
}

// An IPv6 address or CIDR (2001:db8::1, 2001:db8::/120); false when the entry is neither.
bool expand_ipv6(std::string_view entry, const TargetExpansion& expansion, std::size_t per_target,
                 std::vector<SimHost>& hosts) {
  if (entry.find(':') == std::string_view::npos) {
    return false;
  }
  const auto slash = entry.find('/');
  const auto network = parse_ipv6(entry.substr(0, slash));
  if (!network) {
    return false;
  }
  if (slash == std::string_view::npos) {
    add_ipv6_hosts(network->to_bytes(), per_target, hosts);
    return true;
  }
  unsigned prefix = 129;
  const auto bits = entry.substr(slash + 1);
  const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (ec != std::errc() || end != bits.data() + bits.size() || prefix > 128) {
    return false;
  }
  auto bytes = network->to_bytes();
  for (unsigned bit = prefix; bit < 128; ++bit) {
    bytes[bit / 8] = static_cast<unsigned char>(bytes[bit / 8] & ~(0x80U >> (bit % 8)));
  }
  const unsigned host_bits = 128 - prefix;
  const std::uint64_t size =
      host_bits >= 64 ? std::numeric_limits<std::uint64_t>::max() : std::uint64_t{1} << host_bits;
  // The subnet's first address (the subnet-router anycast) is skipped, as Nessus does.
  const std::uint64_t count = prefix < 127 ? size - 1 : size;
  if (prefix < 127) {
    increment(bytes);
  }
  add_ipv6_hosts(bytes, static_cast<std::size_t>(std::min<std::uint64_t>(count, expansion.cidr_cap)), hosts);
  return true;
}

void expand_entry(std::string_view entry, const TargetExpansion& expansion, std::vector<SimHost>& hosts,
                  std::uint32_t& next_made_up_ip) {
  const auto per_target = static_cast<std::size_t>(expansion.hosts_per_target < 1 ? 1 : expansion.hosts_per_target);
  if (expand_ipv6(entry, expansion, per_target, hosts)) {
    return;
  }
  const auto slash = entry.find('/');
  if (slash != std::string_view::npos) {
    const auto network = parse_ipv4(entry.substr(0, slash));
    unsigned prefix = 33;
    const auto bits = entry.substr(slash + 1);
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (network && ec == std::errc() && end == bits.data() + bits.size() && prefix <= 32) {
      const std::uint64_t size = std::uint64_t{1} << (32 - prefix);
      const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
      std::uint32_t first = *network & mask;
      std::uint64_t count = size;
      if (prefix < 31) {  // skip the network and broadcast addresses
        first += 1;
        count -= 2;
      }
      add_address_hosts(first, static_cast<std::size_t>(std::min<std::uint64_t>(count, expansion.cidr_cap)), hosts);
      return;
    }
  }
  if (const auto address = parse_ipv4(entry)) {
    add_address_hosts(*address, per_target, hosts);
    return;
  }
  for (std::size_t i = 0; i < per_target; ++i) {
    std::string name(entry);
    if (i > 0) {
      name += "-" + std::to_string(i);
    }
    hosts.push_back(SimHost{name, format_ipv4(next_made_up_ip++)});
  }
}

}  // namespace

std::vector<SimHost> expand_targets(const std::string& text, const TargetExpansion& expansion) {
  std::vector<SimHost> hosts;
  std::uint32_t next_made_up_ip = (10U << 24) | (254U << 16) | 1U;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find_first_of(", \t\r\n", start);
    const auto stop = end == std::string::npos ? text.size() : end;
    if (stop > start) {
      expand_entry(std::string_view(text).substr(start, stop - start), expansion, hosts, next_made_up_ip);
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return hosts;
}

}  // namespace sw::sim
