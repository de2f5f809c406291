// Secret redaction: the one place that decides what a secret is. Every writer of logs,
// task files, DLQ entries and metric labels passes its data through here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sw::core {

inline constexpr std::string_view kRedacted = "********";

// True for keys that name a secret: password, passphrase, secret, token, cookie,
// api/access/secret/private key (case-insensitive, also inside longer names).
bool is_secret_key(std::string_view key);

// A copy of value in which every non-empty value under a secret key, at any depth,
// is replaced by "********".
nlohmann::json redact_secrets(const nlohmann::json& value);

// For text that may not be JSON (a raw queue entry, an error message): masks
// "secret_key": "value" pairs and secret_key=value pairs.
std::string redact_text(std::string_view text);

}  // namespace sw::core
