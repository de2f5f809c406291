// Validation of a scan export: the validation_stats of the task.json contract, the
// per-host authentication verdict of docs/authentication.md (the scanner's own host set
// apart, evidence in a stated order), the task's verdict against a success threshold,
// warnings and an error reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/scan_type.hpp"
#include "results/nessus_reader.hpp"

namespace sw::results {

enum class AuthStatus { success, failed, partial, not_applicable, unknown };
std::string_view to_string(AuthStatus status);

enum class ValidationError { file_not_found, too_small, xml_invalid, empty_scan, auth_failed, other };
std::string_view to_string(ValidationError error);

// Files smaller than this are not exports (reason too_small).
inline constexpr std::uint64_t minimum_export_bytes = 256;

// Failed hosts named in messages and in validation_stats.auth_failed_hosts.
inline constexpr std::size_t hosts_listed = 20;

// The evidence of a host that is the scanner itself (docs/authentication.md).
inline constexpr std::string_view scanner_host_evidence =
    "scanner's own host: local checks, the scan's credentials not used";

// The value of a "Key : value" line of a 19506 text, or nullopt when no line has that
// key (compared case-insensitively, trimmed).
std::optional<std::string> scan_information_value(std::string_view plugin_output, std::string_view key);
// scan_information_value(text, "Credentialed checks"): "yes, as 'root' via ssh", "no", ...
std::optional<std::string> credentialed_checks_value(std::string_view plugin_output);

struct HostAuth {
  std::string host;
  AuthStatus status = AuthStatus::unknown;
  std::string evidence;                         // why, e.g. "plugin 104410: the provided credentials were refused"
  std::optional<std::string> credentialed_raw;  // this host's 19506 value
};

// What decides the task's verdict (docs/authentication.md). Unset: at least one target
// host (any but the scanner's own) authenticated; set (1..100): at least that percentage.
struct AuthPolicy {
  std::optional<int> min_success_percent;
};

struct SeverityCounts {
  std::uint64_t critical = 0, high = 0, medium = 0, low = 0, info = 0;
  std::uint64_t other = 0;  // blank, not a number or outside 0-4 (a warning names them)
};

// How validate_export reads the file.
enum class ExportReader {
  byte_scan,  // the byte scanner, and expat wherever it falls back (byte_scanner.hpp)
  expat,      // expat only: the reference, for tests and benchmarks
};

struct ValidateOptions {
  ExportReader reader = ExportReader::byte_scan;
  // Another visitor fed in the same pass as the validator, with the ReadOptions of
  // `also_options` merged in, only while the byte scanner reads: when it falls back
  // (result.read_with is expat), what `also` was given is incomplete.
  NessusVisitor* also = nullptr;
  ReadOptions also_options;
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
  // Hosts judged for the verdict (all but the scanner's own) and those that logged in
  // (success or partial); the threshold that was applied.
  std::uint64_t auth_target_hosts = 0;
  std::uint64_t auth_succeeded_hosts = 0;
  std::optional<int> auth_min_success_percent;

  // Which reader gave this result (not part of the JSON): the byte scanner, or expat when
  // asked to or when the byte scanner fell back to it.
  ExportReader read_with = ExportReader::expat;

  // critical + high + medium + low: findings without info (nor other), as the Python worker.
  std::uint64_t total_vulnerabilities() const;
  // 100 * auth_succeeded_hosts / auth_target_hosts; nullopt without target hosts.
  std::optional<double> auth_success_percent() const;
  // Target hosts whose status is failed.
  std::vector<const HostAuth*> failed_hosts() const;
  // {"auth_failed_hosts": [{host, evidence}] (the first `hosts_listed`),
  //  "auth_failed_hosts_count": n}: the part of validation_stats the DLQ entry repeats.
  nlohmann::json failed_hosts_json() const;
  // The task.json validation_stats; beyond the contract's keys: severity_counts.other,
  // hosts_auth, auth_target_hosts, auth_succeeded_hosts, auth_success_percent,
  // auth_min_success_percent, auth_failed_hosts and auth_failed_hosts_count.
  nlohmann::json stats_json() const;
  // {valid, error_reason, error_message, warnings, authentication_status, validation_stats}
  nlohmann::json to_json() const;
};

// The validation error of a file that could not be read.
ValidationError validation_error_of(ReadFailure failure);

// Never throws for problems of the file; they become `error`.
ValidationResult validate_export(const std::filesystem::path& file, core::ScanType scan_type,
                                 const AuthPolicy& policy = {}, const ValidateOptions& options = {});

}  // namespace sw::results
