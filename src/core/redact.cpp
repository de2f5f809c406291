// Secret detection and masking.
#include "core/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "core/text.hpp"

namespace sw::core {

namespace {

// Matched against a key in lower case with '_' and '-' removed.
constexpr std::array<std::string_view, 10> kSecretWords = {"password", "passwd", "passphrase", "secret",     "token",
                                                           "cookie",   "apikey", "accesskey",  "privatekey", "sshkey"};

// The members of a credentials object that hold no secret (docs/contracts.md#fields and the usual
// SSH/Windows credential fields).
constexpr std::array<std::string_view, 7> kPublicCredentialFields = {
    "type", "username", "auth_method", "elevate_privileges_with", "escalation_account", "domain", "port"};

char lower_char(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower_char(x) == lower_char(y); });
}

bool is_public_credential_field(std::string_view key) {
  return std::any_of(kPublicCredentialFields.begin(), kPublicCredentialFields.end(),
                     [&](std::string_view field) { return equals_ignoring_case(key, field); });
}

bool holds_no_secret(const nlohmann::json& value) {
  return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty());
}

nlohmann::json masked(const nlohmann::json& value) {
  return holds_no_secret(value) ? value : nlohmann::json(kRedacted);
}

nlohmann::json redact_credentials(const nlohmann::json& credentials) {
  if (!credentials.is_object()) return masked(credentials);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, item] : credentials.items()) {
    const bool scalar = !item.is_object() && !item.is_array();
    out[key] = is_public_credential_field(key) && scalar ? item : masked(item);
  }
  return out;
}

// --- redact_text ---------------------------------------------------------------------

bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-'; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// Ends an unquoted value (as the redaction always did: whitespace & ; , " ' }).
bool ends_bare_value(char c) {
  return is_space(c) || c == '&' || c == ';' || c == ',' || c == '"' || c == '\'' || c == '}';
}

std::size_t skip_spaces(std::string_view text, std::size_t at) {
  while (at < text.size() && is_space(text[at])) ++at;
  return at;
}

// The bytes of a secret value to replace: [begin, end).
struct ValueSpan {
  std::size_t begin;
  std::size_t end;
};

// The span of a quoted value whose opening quote (`quote`, or \" inside escaped JSON) ends
// just before `begin`: up to the closing quote, or to the end of a text cut off inside it.
ValueSpan quoted_value(std::string_view text, std::size_t begin, char quote, bool escaped_quote) {
  std::size_t at = begin;
  while (at < text.size()) {
    if (text[at] == '\\') {
      if (escaped_quote && at + 1 < text.size() && text[at + 1] == quote) break;
      at += 2;  // an escaped character does not close the value
    } else if (text[at] == quote && !escaped_quote) {
      break;
    } else {
      ++at;
    }
  }
  return {begin, std::min(at, text.size())};
}

// The value of the secret key that ends at `key_end`, or nullopt when none follows: an
// optional closing quote of the key, spaces, '=' or ':', spaces, then a quoted value or
// a bare one. An object or array value is not masked whole; its members are scanned.
std::optional<ValueSpan> value_after_key(std::string_view text, std::size_t key_end) {
  std::size_t at = key_end;
  if (at < text.size() && (text[at] == '"' || text[at] == '\'')) {
    ++at;
  } else if (text.substr(at, 2) == "\\\"") {
    at += 2;
  }
  at = skip_spaces(text, at);
  if (at >= text.size() || (text[at] != '=' && text[at] != ':')) return std::nullopt;
  at = skip_spaces(text, at + 1);
  if (at >= text.size()) return std::nullopt;
  const char first = text[at];
  if (first == '"' || first == '\'') return quoted_value(text, at + 1, first, false);
  if (text.substr(at, 2) == "\\\"") return quoted_value(text, at + 2, '"', true);
  if (first == '{' || first == '[') return std::nullopt;
  std::size_t end = at;
  while (end < text.size() && !ends_bare_value(text[end])) ++end;
  if (end == at) return std::nullopt;
  return ValueSpan{at, end};
}

}  // namespace

bool is_secret_key(std::string_view key) {
  std::string normalized;
  normalized.reserve(key.size());
  for (const char c : key) {
    if (c != '_' && c != '-') normalized.push_back(lower_char(c));
  }
  if (normalized == "key") return true;
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](std::string_view word) { return normalized.find(word) != std::string::npos; });
}

nlohmann::json redact_secrets(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) {
      if (equals_ignoring_case(key, "credentials")) {
        out[key] = redact_credentials(item);
      } else if (is_secret_key(key)) {
        out[key] = masked(item);
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
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    if (!is_key_char(text[at])) {
      out.push_back(text[at++]);
      continue;
    }
    const std::size_t key_begin = at;
    while (at < text.size() && is_key_char(text[at])) ++at;
    out.append(text.substr(key_begin, at - key_begin));
    if (!is_secret_key(text.substr(key_begin, at - key_begin))) continue;
    const auto value = value_after_key(text, at);
    if (!value) continue;
    out.append(text.substr(at, value->begin - at));
    out.append(kRedacted);
    at = value->end;
  }
  return out;
}

std::string redacted_excerpt(std::string_view text, std::size_t max_bytes) {
  return redact_text(utf8_prefix(text, max_bytes));
}

}  // namespace sw::core
