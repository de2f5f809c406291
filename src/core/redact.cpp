// Secret detection and masking.
#include "core/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace sw::core {

namespace {

constexpr std::array<std::string_view, 8> kSecretWords = {
    "password", "passwd", "passphrase", "secret", "token", "cookie", "apikey", "api_key"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const char* secret_key_pattern() {
  return R"((?:[A-Za-z0-9_\-]*(?:password|passwd|passphrase|secret|token|cookie|api_?key|access_?key|private_?key)[A-Za-z0-9_\-]*))";
}

}  // namespace

bool is_secret_key(std::string_view key) {
  const std::string k = lower(key);
  for (std::string_view word : kSecretWords) {
    if (k.find(word) != std::string::npos) {
      return true;
    }
  }
  return k == "key" || k.ends_with("access_key") || k.ends_with("accesskey") ||
         k.ends_with("private_key") || k.ends_with("secretkey");
}

nlohmann::json redact_secrets(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) {
      const bool empty = item.is_null() || (item.is_string() && item.get_ref<const std::string&>().empty());
      if (is_secret_key(key) && !empty && !item.is_object() && !item.is_array()) {
        out[key] = kRedacted;
      } else {
        out[key] = redact_secrets(item);
      }
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) {
      out.push_back(redact_secrets(item));
    }
    return out;
  }
  return value;
}

std::string redact_text(std::string_view text) {
  static const std::regex json_pair(std::string("(\"") + secret_key_pattern() +
                                        R"re("\s*:\s*)"(?:[^"\\]|\\.)*")re",
                                    std::regex::icase | std::regex::optimize);
  static const std::regex assignment(std::string("(\\b") + secret_key_pattern() +
                                         R"re(\s*[=:]\s*)[^\s&;,"'}]+)re",
                                     std::regex::icase | std::regex::optimize);
  std::string out = std::regex_replace(std::string(text), json_pair, "$1\"********\"");
  out = std::regex_replace(out, assignment, "$1********");
  return out;
}

}  // namespace sw::core
