// Variable lookup and ${VAR} / ${VAR:-default} expansion.
#include "config/variables.hpp"

#include <cstdlib>

#include "core/errors.hpp"

namespace sw::config {

namespace {

bool is_valid_variable_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> lookup_variable(const std::map<std::string, std::string>* variables,
                                           const std::string& name) {
  if (variables != nullptr) {
    const auto it = variables->find(name);
    return it == variables->end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? std::nullopt : std::optional<std::string>(value);
}

std::string expand_variables(std::string_view text, const std::map<std::string, std::string>* variables) {
  std::string result;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t start = text.find("${", position);
    if (start == std::string_view::npos) {
      result.append(text.substr(position));
      break;
    }
    result.append(text.substr(position, start - position));
    const std::size_t end = text.find('}', start + 2);
    if (end == std::string_view::npos) {
      throw core::Error(core::ErrorKind::bad_input, "unterminated '${' in value");
    }
    const std::string_view inside = text.substr(start + 2, end - start - 2);
    const std::size_t default_marker = inside.find(":-");
    const std::string name(inside.substr(0, default_marker));
    if (!is_valid_variable_name(name)) {
      throw core::Error(core::ErrorKind::bad_input, "bad variable name '" + name + "' in '${...}'");
    }
    const auto value = lookup_variable(variables, name);
    if (default_marker != std::string_view::npos) {
      result.append((value && !value->empty()) ? *value : std::string(inside.substr(default_marker + 2)));
    } else if (value) {
      result.append(*value);
    } else {
      throw core::Error(core::ErrorKind::bad_input, "environment variable '" + name + "' is not set");
    }
    position = end + 1;
  }
  return result;
}

}  // namespace sw::config
