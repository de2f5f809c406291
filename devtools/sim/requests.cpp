// The simulator's request helpers and path patterns (see requests.hpp).
#include "sim/requests.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <cmath>

namespace sw::sim {

namespace bhttp = boost::beast::http;
using nlohmann::json;

namespace {

std::string url_decode(std::string_view text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      decoded += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

}  // namespace

bool path_matches(std::string_view pattern, const std::vector<std::string>& segments) {
  std::size_t index = 0;
  std::size_t start = 1;  // after the leading '/'
  while (start <= pattern.size()) {
    const auto end = std::min(pattern.find('/', start), pattern.size());
    const auto part = pattern.substr(start, end - start);
    if (index >= segments.size() || (part != "{scan}" && part != "{*}" && part != segments[index])) {
      return false;
    }
    ++index;
    start = end + 1;
  }
  return index == segments.size();
}

std::optional<std::size_t> scan_segment_of(std::string_view pattern) {
  const auto at = pattern.find("/{scan}");
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::count(pattern.begin(), pattern.begin() + static_cast<std::ptrdiff_t>(at), '/'));
}

std::int64_t epoch(double seconds) { return static_cast<std::int64_t>(std::floor(seconds)); }

Reply text_reply(bhttp::status status, std::string body, std::string_view content_type) {
  Reply reply;
  reply.response = http::Response{status, 11};
  reply.response.set(bhttp::field::content_type, content_type);
  reply.response.body() = std::move(body);
  return reply;
}

Reply json_reply(bhttp::status status, const json& body) { return text_reply(status, body.dump()); }
Reply ok(const json& body) { return json_reply(bhttp::status::ok, body); }
Reply error_reply(bhttp::status status, std::string_view message) {
  return json_reply(status, json{{"error", message}});
}
Reply not_found() { return error_reply(bhttp::status::not_found, "The requested file was not found"); }
Reply not_allowed() {
  return error_reply(bhttp::status::method_not_allowed, "The requested method is not allowed for this URL");
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::stoll(std::string(text));
}

std::optional<std::int64_t> json_id(const json& value) {
  if (value.is_number_integer()) {
    return value.get<std::int64_t>();
  }
  if (value.is_string()) {
    return parse_id(value.get<std::string>());
  }
  return std::nullopt;
}

std::map<std::string, std::string> parse_form(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('&', start), text.size());
    const auto pair = text.substr(start, end - start);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos) {
      fields[url_decode(pair.substr(0, equals))] = url_decode(pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return fields;
}

std::string header(const http::Request& request, std::string_view name) {
  const auto found = request.find(name);
  return found == request.end() ? std::string() : std::string(found->value());
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string endpoint_of(bhttp::verb method, const std::vector<std::string>& segments) {
  std::string endpoint(bhttp::to_string(method));
  endpoint += ' ';
  for (const auto& segment : segments) {
    endpoint += '/';
    endpoint += parse_id(segment) ? std::string("{id}") : segment;
  }
  return segments.empty() ? endpoint + "/" : endpoint;
}

}  // namespace sw::sim
