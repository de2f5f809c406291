// The rules of result filters (see filters.hpp and docs/results.md).
#include "results/filters.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "core/errors.hpp"

namespace sw::results {
namespace {

using Record = nlohmann::ordered_json;

constexpr std::array<std::string_view, 5> operators{">=", "<=", ">", "<", "="};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::optional<double> number_of(const Record& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) return parse_number(value.get_ref<const std::string&>());
  return std::nullopt;
}

bool truthy(const Record& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (value.is_string() || value.is_array()) return !value.empty();
  return false;
}

// The operator a filter value starts with, or an empty view.
std::string_view operator_of(std::string_view wanted) {
  for (std::string_view op : operators) {
    if (wanted.substr(0, op.size()) == op) return op;
  }
  return {};
}

bool compare(double value, std::string_view op, double bound) {
  if (op == ">=") return value >= bound;
  if (op == "<=") return value <= bound;
  if (op == ">") return value > bound;
  if (op == "<") return value < bound;
  return value == bound;
}

bool contains_text(const Record& value, const std::string& needle) {
  return value.is_string() && lower(value.get_ref<const std::string&>()).find(needle) != std::string::npos;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

void check_filter(const Filter& filter) {
  if (filter.first.empty()) {
    throw core::Error(core::ErrorKind::bad_input, "filter '=" + filter.second + "' has no field name");
  }
  const std::string_view op = operator_of(filter.second);
  if (!op.empty() && !parse_number(std::string_view(filter.second).substr(op.size()))) {
    throw core::Error(core::ErrorKind::bad_input, "filter '" + filter.first + "=" + filter.second + "': '" +
                                                      std::string(op) + "' must be followed by a number (e.g. " +
                                                      filter.first + "=>=7.0)");
  }
}

Filter parse_filter(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos) {
    throw core::Error(core::ErrorKind::bad_input, "filter '" + text + "' is not field=value");
  }
  Filter filter{text.substr(0, equals), text.substr(equals + 1)};
  check_filter(filter);
  return filter;
}

bool filter_matches(const Record& record, const Filter& filter) {
  const auto found = record.find(filter.first);
  if (found == record.end()) return false;
  const Record& value = *found;
  const std::string& wanted = filter.second;
  if (wanted == "true" || wanted == "false") return truthy(value) == (wanted == "true");
  if (const std::string_view op = operator_of(wanted); !op.empty()) {
    const auto number = number_of(value);
    const auto bound = parse_number(std::string_view(wanted).substr(op.size()));
    return number && bound && compare(*number, op, *bound);
  }
  const std::string needle = lower(wanted);
  if (value.is_string()) return contains_text(value, needle);
  if (value.is_array()) {
    return std::any_of(value.begin(), value.end(),
                       [&](const Record& element) { return contains_text(element, needle); });
  }
  const auto number = number_of(value);
  const auto wanted_number = parse_number(wanted);
  return number && wanted_number && *number == *wanted_number;
}

}  // namespace sw::results
