// Validation of a scan export: the validation_stats of DESIGN.md §3.3, per-host
// authentication judged by NESSUS_API.md §10.8, warnings and an error reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scan_type.hpp"

namespace sw::results {

enum class AuthStatus { success, failed, partial, not_applicable, unknown };
std::string_view to_string(AuthStatus status);

enum class ValidationError { file_not_found, too_small, xml_invalid, empty_scan, auth_failed, other };
std::string_view to_string(ValidationError error);

// Files smaller than this are not exports (reason too_small).
inline constexpr std::uint64_t minimum_export_bytes = 256;

// The "Credentialed checks" value of a 19506 text ("yes, as 'root' via ssh"), or nullopt
// when no line has that key.
std::optional<std::string> credentialed_checks_value(std::string_view plugin_output);

struct HostAuth {
  std::string host;
  AuthStatus status = AuthStatus::unknown;
  std::string evidence;                         // why, e.g. "plugin 104410 (credentials refused)"
  std::optional<std::string> credentialed_raw;  // this host's 19506 value
};

struct SeverityCounts {
  std::uint64_t critical = 0, high = 0, medium = 0, low = 0, info = 0;
};

struct ValidationResult {
  bool valid = false;
  std::optional<ValidationError> error;
  std::string error_message;  // human message naming hosts, reasons and what to check
  std::vector<std::string> warnings;
  AuthStatus authentication_status = AuthStatus::unknown;

  std::uint64_t file_size_bytes = 0;
  std::uint64_t hosts_scanned = 0;
  std::uint64_t total_plugins = 0;  // ReportItem count
  std::uint64_t auth_plugins_found = 0;
  std::optional<std::string> credentialed_status_raw;
  SeverityCounts severity_counts;
  std::vector<HostAuth> hosts_auth;

  std::uint64_t total_vulnerabilities() const;
  // DESIGN.md §3.3 validation_stats (with the extra key "hosts_auth").
  nlohmann::json stats_json() const;
  // {valid, error_reason, error_message, warnings, authentication_status, validation_stats}
  nlohmann::json to_json() const;
};

// Never throws for problems of the file; they become `error`.
ValidationResult validate_export(const std::filesystem::path& file, core::ScanType scan_type);

}  // namespace sw::results
