// A small JSON Schema checker for the tools' own input schemas.
#include "mcp/schema.hpp"

#include <vector>

namespace sw::mcp {
namespace {

bool has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return false;
}

std::string where(const std::string& path) { return path.empty() ? "the arguments" : "argument '" + path + "'"; }

std::optional<std::string> check(const nlohmann::json& schema, const nlohmann::json& value, const std::string& path) {
  if (const auto type = schema.find("type"); type != schema.end()) {
    std::vector<std::string> types;
    if (type->is_string()) types.push_back(type->get<std::string>());
    if (type->is_array()) {
      for (const auto& item : *type) types.push_back(item.get<std::string>());
    }
    bool matches = false;
    std::string wanted;
    for (const auto& name : types) {
      matches = matches || has_type(value, name);
      wanted += (wanted.empty() ? "" : " or ") + name;
    }
    const bool vowel = wanted[0] == 'a' || wanted[0] == 'i' || wanted[0] == 'o';
    if (!matches) return where(path) + " must be " + (vowel ? "an " : "a ") + wanted;
  }
  if (const auto choices = schema.find("enum"); choices != schema.end()) {
    bool found = false;
    std::string listed;
    for (const auto& choice : *choices) {
      found = found || choice == value;
      listed += (listed.empty() ? "" : ", ") + choice.dump();
    }
    if (!found) return where(path) + " must be one of " + listed;
  }
  if (value.is_number()) {
    const double number = value.get<double>();
    if (schema.contains("minimum") && number < schema["minimum"].get<double>()) {
      return where(path) + " must be at least " + schema["minimum"].dump();
    }
    if (schema.contains("maximum") && number > schema["maximum"].get<double>()) {
      return where(path) + " must be at most " + schema["maximum"].dump();
    }
  }
  if (value.is_string()) {
    const std::size_t length = value.get_ref<const std::string&>().size();
    if (schema.contains("minLength") && length < schema["minLength"].get<std::size_t>()) {
      return where(path) + " must have at least " + schema["minLength"].dump() + " character(s)";
    }
    if (schema.contains("maxLength") && length > schema["maxLength"].get<std::size_t>()) {
      return where(path) + " must have at most " + schema["maxLength"].dump() + " characters";
    }
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<std::size_t>()) {
      return where(path) + " must have at least " + schema["minItems"].dump() + " item(s)";
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>()) {
      return where(path) + " must have at most " + schema["maxItems"].dump() + " items";
    }
    if (const auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto problem = check(*items, value[i], path + "[" + std::to_string(i) + "]")) return problem;
      }
    }
  }
  if (value.is_object()) {
    const nlohmann::json properties = schema.value("properties", nlohmann::json::object());
    for (const auto& name : schema.value("required", nlohmann::json::array())) {
      const std::string key = name.get<std::string>();
      if (!value.contains(key)) return "argument '" + (path.empty() ? key : path + "." + key) + "' is required";
    }
    const auto additional = schema.find("additionalProperties");
    const bool closed = additional != schema.end() && additional->is_boolean() && !additional->get<bool>();
    for (const auto& [key, member] : value.items()) {
      const std::string member_path = path.empty() ? key : path + "." + key;
      const auto property = properties.find(key);
      if (property == properties.end()) {
        if (closed) {
          std::string known;
          for (const auto& [name, unused] : properties.items()) known += (known.empty() ? "" : ", ") + name;
          return "unknown argument '" + member_path + "' (accepted: " + known + ")";
        }
        if (additional != schema.end() && additional->is_object()) {
          if (auto problem = check(*additional, member, member_path)) return problem;
        }
        continue;
      }
      if (auto problem = check(*property, member, member_path)) return problem;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> schema_violation(const nlohmann::json& schema, const nlohmann::json& value) {
  return check(schema, value, "");
}

}  // namespace sw::mcp
