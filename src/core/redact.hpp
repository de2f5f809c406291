// Secret redaction: the one place that decides what a secret is. Every writer of logs,
// task files, DLQ entries and metric labels passes its data through here.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sw::core {

inline constexpr std::string_view kRedacted = "********";

// True for keys that name a secret: password, passwd, passphrase, secret, token, cookie,
// api/access/private/ssh key (case-insensitive, '_' and '-' ignored, also inside longer
// names), and "key" itself.
bool is_secret_key(std::string_view key);

// A copy of value with its secrets masked ("********"), by name and by structure:
// - the value under a secret key (is_secret_key), at any depth, whatever its type;
// - under a "credentials" key, at any depth: every member except the non-secret ones
//   (type, username, auth_method, elevate_privileges_with, escalation_account, domain,
//   port with a scalar value) is masked whole, whatever its type; a credentials value
//   that is not an object (e.g. "user:password") is masked whole.
// Null and "" stay as they are (there is no secret in them).
// Recurses once per nesting level: parse outside input with json_nesting_exceeds first.
nlohmann::json redact_secrets(const nlohmann::json& value);

// For text that may not be JSON (a raw queue entry, an error message): masks the value of
// every secret key (is_secret_key) written as "key": "value", key=value or key: value,
// quoted or not, also when the text ends inside the value (cut off by truncation).
// One linear pass, constant stack, for text of any length.
std::string redact_text(std::string_view text);

// The first `max_bytes` of `text` (not splitting a UTF-8 character), redacted: how foreign
// text of any size goes into an error message or a log line.
std::string redacted_excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace sw::core
