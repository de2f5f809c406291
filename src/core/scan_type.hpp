// Scan types of the task message, with the legacy names older producers send.
#pragma once

#include <optional>
#include <string_view>

namespace sw::core {

enum class ScanType { untrusted, authenticated, authenticated_privileged };

// Accepts "untrusted", "authenticated", "authenticated_privileged", and the legacy
// "trusted_basic" (= authenticated) and "trusted_privileged" (= authenticated_privileged).
std::optional<ScanType> parse_scan_type(std::string_view text);
std::string_view to_string(ScanType type);
bool is_authenticated(ScanType type);

}  // namespace sw::core
