// Strict parsing of booleans and numbers in configuration values.
#include "config/values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace sw::config {

namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

// from_chars does not take a leading '+'.
std::string_view without_plus(std::string_view text) {
  return (text.size() > 1 && text[0] == '+') ? text.substr(1) : text;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text) {
  const std::string value = lower(trim(text));
  if (value == "true" || value == "yes" || value == "on" || value == "1") {
    return true;
  }
  if (value == "false" || value == "no" || value == "off" || value == "0") {
    return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  const std::string_view value = without_plus(trim(text));
  std::int64_t result = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
    return std::nullopt;
  }
  return result;
}

std::optional<double> parse_number(std::string_view text) {
  const std::string_view value = without_plus(trim(text));
  double result = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || !std::isfinite(result)) {
    return std::nullopt;
  }
  return result;
}

}  // namespace sw::config
