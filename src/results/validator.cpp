// validate_export: one streaming pass that counts hosts, items and severities and
// gathers each host's credential evidence, then judges authentication and validity.
#include "results/validator.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <system_error>

#include "results/byte_scanner.hpp"

namespace sw::results {
namespace {

constexpr int scan_information_plugin = 19506;

// What one host's export says about the credentials (docs/authentication.md).
struct HostEvidence {
  bool refused = false;                          // 104410
  bool assessment_failed = false;                // 21745
  bool insufficient = false;                     // 110385
  bool accepted = false;                         // 141118
  bool assessment_ran = false;                   // 117887
  std::optional<std::string> scanner_ip;         // 19506 "Scanner IP"
  std::string host_ip;                           // HostProperties host-ip
  std::optional<std::string> credentialed_scan;  // HostProperties Credentialed_Scan
  std::string local_checks_proto;                // HostProperties local-checks-proto
  std::uint64_t local_findings = 0;              // items with plugin_type local
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool starts_with_word(std::string_view value, std::string_view word) {
  return value.size() >= word.size() && iequals(value.substr(0, word.size()), word);
}

bool contains_ignoring_case(std::string_view text, std::string_view part) {
  for (std::size_t i = 0; i + part.size() <= text.size(); ++i) {
    if (iequals(text.substr(i, part.size()), part)) return true;
  }
  return false;
}

int plugin_number(const std::string& id) {
  int number = -1;
  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), number);
  return error == std::errc() && end == id.data() + id.size() ? number : -1;
}

class ValidationVisitor final : public NessusVisitor {
 public:
  explicit ValidationVisitor(ValidationResult& result) : result_(result) {}

  std::vector<HostEvidence> evidence;
  std::string first_other_severity;  // "host plugin ID (severity \"x\")" of the first `other`

  void on_host_start(std::string_view host_name) override {
    ++result_.hosts_scanned;
    result_.hosts_auth.push_back({std::string(host_name), AuthStatus::unknown, {}, std::nullopt});
    evidence.emplace_back();
  }

  void on_host_property(std::string_view name, std::string_view value) override {
    HostEvidence& host = evidence.back();
    if (name == "host-ip")
      host.host_ip = trim(value);
    else if (name == "Credentialed_Scan")
      host.credentialed_scan = std::string(trim(value));
    else if (name == "local-checks-proto")
      host.local_checks_proto = trim(value);
  }

  void on_item(const ReportItem& item) override {
    ++result_.total_plugins;
    count_severity(item);
    HostEvidence& host = evidence.back();
    if (const std::string* type = item.child("plugin_type"); type && iequals(trim(*type), "local")) {
      ++host.local_findings;
    }
    switch (plugin_number(item.plugin_id)) {
      case 104410:
        host.refused = true;
        break;
      case 21745:
        host.assessment_failed = true;
        break;
      case 110385:
        host.insufficient = true;
        break;
      case 141118:
        host.accepted = true;
        break;
      case 117887:
        host.assessment_ran = true;
        break;
      case 117886:
        break;
      case scan_information_plugin:
        record_scan_information(item);
        return;
      default:
        return;
    }
    ++result_.auth_plugins_found;
  }

 private:
  void count_severity(const ReportItem& item) {
    SeverityCounts& counts = result_.severity_counts;
    switch (item.severity_level()) {
      case 4:
        ++counts.critical;
        break;
      case 3:
        ++counts.high;
        break;
      case 2:
        ++counts.medium;
        break;
      case 1:
        ++counts.low;
        break;
      case 0:
        ++counts.info;
        break;
      default:
        if (counts.other++ == 0) {
          first_other_severity =
              std::string(item.host) + " plugin " + item.plugin_id + " (severity \"" + item.severity + "\")";
        }
        break;
    }
  }

  void record_scan_information(const ReportItem& item) {
    HostEvidence& host = evidence.back();
    std::optional<std::string> value;
    for (const char* child : {"plugin_output", "description"}) {
      const std::string* text = item.child(child);
      if (!text) continue;
      if (!value) value = credentialed_checks_value(*text);
      if (!host.scanner_ip) host.scanner_ip = scan_information_value(*text, "Scanner IP");
    }
    if (!value) return;
    if (!result_.credentialed_status_raw) result_.credentialed_status_raw = value;
    HostAuth& auth = result_.hosts_auth.back();
    if (!auth.credentialed_raw) auth.credentialed_raw = std::move(value);
  }

  ValidationResult& result_;
};

// What the validator collects, with the children another visitor of the same pass wants.
ReadOptions merged_read_options(const ReadOptions& also) {
  ReadOptions options;
  options.item_children = {"plugin_type"};
  for (const std::string& child : also.item_children) {
    if (child != "plugin_type") options.item_children.push_back(child);
  }
  options.plugin_children = {"plugin_output", "description"};
  options.plugin_children_for = {std::to_string(scan_information_plugin)};
  return options;
}

// Hands every callback to the validator and, when there is one, to a second visitor.
class Both final : public NessusVisitor {
 public:
  Both(NessusVisitor& first, NessusVisitor* second) : first_(first), second_(second) {}
  void on_report(std::string_view name) override {
    first_.on_report(name);
    if (second_) second_->on_report(name);
  }
  void on_host_start(std::string_view name) override {
    first_.on_host_start(name);
    if (second_) second_->on_host_start(name);
  }
  void on_host_property(std::string_view name, std::string_view value) override {
    first_.on_host_property(name, value);
    if (second_) second_->on_host_property(name, value);
  }
  void on_item(const ReportItem& item) override {
    first_.on_item(item);
    if (second_) second_->on_item(item);
  }
  void on_host_end() override {
    first_.on_host_end();
    if (second_) second_->on_host_end();
  }

 private:
  NessusVisitor& first_;
  NessusVisitor* second_;
};

// Why a host is the scanner itself, or nullopt (docs/authentication.md, rule 1).
std::optional<std::string> scanner_host_clue(const HostAuth& host, const HostEvidence& evidence) {
  if (iequals(evidence.local_checks_proto, "local")) return "HostProperties local-checks-proto: local";
  if (host.credentialed_raw && contains_ignoring_case(*host.credentialed_raw, "on the localhost")) {
    return "plugin 19506: Credentialed checks : " + *host.credentialed_raw;
  }
  const std::string& address = evidence.host_ip.empty() ? host.host : evidence.host_ip;
  if (evidence.scanner_ip && !evidence.scanner_ip->empty() && *evidence.scanner_ip == address) {
    return "plugin 19506: Scanner IP " + *evidence.scanner_ip + " is the host's IP";
  }
  return std::nullopt;
}

void judge(HostAuth& host, AuthStatus status, std::string evidence) {
  host.status = status;
  host.evidence = std::move(evidence);
}

// The per-host rules of docs/authentication.md, in their order; the first that applies decides.
void judge_host(HostAuth& host, const HostEvidence& evidence) {
  const std::optional<std::string>& raw = host.credentialed_raw;
  if (const auto clue = scanner_host_clue(host, evidence)) {
    judge(host, AuthStatus::not_applicable, std::string(scanner_host_evidence) + " (" + *clue + ")");
  } else if (evidence.refused) {
    judge(host, AuthStatus::failed, "plugin 104410: the provided credentials were refused");
  } else if (evidence.assessment_failed) {
    judge(host, AuthStatus::failed, "plugin 21745: OS security patch assessment failed");
  } else if (raw && starts_with_word(*raw, "no")) {
    judge(host, AuthStatus::failed, "plugin 19506: Credentialed checks : " + *raw);
  } else if (evidence.insufficient) {
    judge(host, AuthStatus::partial, "plugin 110385: logged in but without sufficient privileges");
  } else if (evidence.accepted) {
    judge(host, AuthStatus::success, "plugin 141118: valid credentials provided");
  } else if (evidence.assessment_ran) {
    judge(host, AuthStatus::success, "plugin 117887: OS security patch assessment available");
  } else if (raw && starts_with_word(*raw, "yes")) {
    judge(host, AuthStatus::success, "plugin 19506: Credentialed checks : " + *raw);
  } else if (evidence.credentialed_scan && iequals(*evidence.credentialed_scan, "true")) {
    judge(host, AuthStatus::success, "HostProperties Credentialed_Scan: true (plugin 19506 absent)");
  } else if (evidence.credentialed_scan && iequals(*evidence.credentialed_scan, "false")) {
    judge(host, AuthStatus::failed, "HostProperties Credentialed_Scan: false (plugin 19506 absent)");
  } else if (!evidence.local_checks_proto.empty()) {
    judge(host, AuthStatus::success,
          "HostProperties local-checks-proto: " + evidence.local_checks_proto + " (local checks ran over it)");
  } else if (evidence.local_findings > 0) {
    judge(host, AuthStatus::success,
          std::to_string(evidence.local_findings) + " findings of plugin_type local (local checks ran)");
  } else {
    judge(host, AuthStatus::unknown,
          "no credential evidence (plugins 19506, 141118, 117887, 104410, 21745, HostProperties "
          "Credentialed_Scan and local-checks-proto, plugin_type local findings: none)");
  }
}

// "h1 (failed: evidence); h2 (...); and 3 more" over the hosts `pick` selects.
template <typename Pick>
std::string list_hosts(const std::vector<HostAuth>& hosts, Pick pick) {
  std::string text;
  std::size_t listed = 0, unlisted = 0;
  for (const HostAuth& host : hosts) {
    if (!pick(host)) continue;
    if (listed == hosts_listed) {
      ++unlisted;
      continue;
    }
    if (listed++ > 0) text += "; ";
    text += host.host + " (" + std::string(to_string(host.status)) + ": " + host.evidence + ")";
  }
  if (unlisted > 0) text += "; and " + std::to_string(unlisted) + " more";
  return text;
}

bool is_target(const HostAuth& host) { return host.status != AuthStatus::not_applicable; }
bool logged_in(const HostAuth& host) {
  return host.status == AuthStatus::success || host.status == AuthStatus::partial;
}
bool not_logged_in(const HostAuth& host) { return is_target(host) && !logged_in(host); }

std::string scanner_hosts_note(const std::vector<HostAuth>& hosts) {
  const std::string scanners = list_hosts(hosts, [](const HostAuth& host) { return !is_target(host); });
  return scanners.empty() ? std::string() : ". Not counted: " + scanners;
}

// The task's verdict over the target hosts (docs/authentication.md, "The task's verdict").
AuthStatus aggregate(const ValidationResult& result) {
  std::uint64_t failed = 0;
  for (const HostAuth& host : result.hosts_auth) {
    if (host.status == AuthStatus::failed) ++failed;
  }
  if (result.auth_target_hosts == 0) return AuthStatus::unknown;
  const bool all_success = std::all_of(result.hosts_auth.begin(), result.hosts_auth.end(), [](const HostAuth& host) {
    return !is_target(host) || host.status == AuthStatus::success;
  });
  if (all_success) return AuthStatus::success;
  if (result.auth_succeeded_hosts == 0) return failed > 0 ? AuthStatus::failed : AuthStatus::unknown;
  return AuthStatus::partial;
}

void judge_authentication(ValidationResult& result, const std::vector<HostEvidence>& evidence, core::ScanType scan_type,
                          const AuthPolicy& policy) {
  if (!core::is_authenticated(scan_type)) {
    for (HostAuth& host : result.hosts_auth) judge(host, AuthStatus::not_applicable, "untrusted scan");
    result.authentication_status = AuthStatus::not_applicable;
    return;
  }
  result.auth_min_success_percent = policy.min_success_percent;
  for (std::size_t i = 0; i < result.hosts_auth.size(); ++i) {
    HostAuth& host = result.hosts_auth[i];
    judge_host(host, evidence[i]);
    if (is_target(host)) ++result.auth_target_hosts;
    if (logged_in(host)) ++result.auth_succeeded_hosts;
  }
  result.authentication_status = aggregate(result);
}

std::string percent_text(double percent) {
  const auto tenths = static_cast<long long>(percent * 10.0 + 0.5);
  return std::to_string(tenths / 10) + (tenths % 10 != 0 ? "." + std::to_string(tenths % 10) : "") + " %";
}

constexpr std::string_view credentials_advice =
    ". Check the username and password, that the account may log in over SSH (or SMB), and the "
    "privilege escalation (sudo) settings";

void decide(ValidationResult& result, const std::string& first_other_severity) {
  if (result.severity_counts.other > 0) {
    result.warnings.push_back(std::to_string(result.severity_counts.other) +
                              " findings have a severity that is blank or not 0-4, counted as \"other\" "
                              "(first: " +
                              first_other_severity + ")");
  }
  if (result.hosts_scanned == 0) {
    result.error = ValidationError::empty_scan;
    result.error_message =
        "the export has no hosts: no target answered; check the targets and "
        "that they are reachable from the scanner";
    return;
  }
  const std::vector<HostAuth>& hosts = result.hosts_auth;
  const std::optional<double> percent = result.auth_success_percent();
  switch (result.authentication_status) {
    case AuthStatus::failed:
      result.error = ValidationError::auth_failed;
      result.error_message = "authentication failed on every target host: " + list_hosts(hosts, not_logged_in) +
                             scanner_hosts_note(hosts) + std::string(credentials_advice);
      return;
    case AuthStatus::partial:
      if (result.auth_min_success_percent && *percent < static_cast<double>(*result.auth_min_success_percent)) {
        result.error = ValidationError::auth_failed;
        result.error_message =
            "authentication succeeded on " + std::to_string(result.auth_succeeded_hosts) + " of " +
            std::to_string(result.auth_target_hosts) + " target hosts (" + percent_text(*percent) +
            "), less than AUTH_MIN_SUCCESS_PERCENT=" + std::to_string(*result.auth_min_success_percent) + ": " +
            list_hosts(hosts, not_logged_in) + scanner_hosts_note(hosts) + std::string(credentials_advice);
        return;
      }
      result.warnings.push_back(
          "authentication did not succeed on every target host (" + std::to_string(result.auth_succeeded_hosts) +
          " of " + std::to_string(result.auth_target_hosts) + "): " +
          list_hosts(hosts,
                     [](const HostAuth& host) { return is_target(host) && host.status != AuthStatus::success; }) +
          scanner_hosts_note(hosts));
      break;
    case AuthStatus::unknown:
      if (result.auth_target_hosts == 0) {
        result.warnings.push_back(
            "no target host besides the scanner's own, so nothing shows whether the "
            "credentials worked: " +
            list_hosts(hosts, [](const HostAuth&) { return true; }));
      } else {
        result.warnings.push_back("no evidence of whether the credentials worked: " + list_hosts(hosts, not_logged_in) +
                                  scanner_hosts_note(hosts));
      }
      break;
    default:
      break;
  }
  if (result.total_plugins == 0) result.warnings.push_back("the export has hosts but no findings");
  result.valid = true;
}

}  // namespace

std::optional<std::string> scan_information_value(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (iequals(trim(line.substr(0, colon)), key)) return std::string(trim(line.substr(colon + 1)));
  }
  return std::nullopt;
}

std::optional<std::string> credentialed_checks_value(std::string_view text) {
  return scan_information_value(text, "Credentialed checks");
}

ValidationError validation_error_of(ReadFailure failure) {
  switch (failure) {
    case ReadFailure::file_not_found:
      return ValidationError::file_not_found;
    case ReadFailure::xml_invalid:
      return ValidationError::xml_invalid;
    case ReadFailure::unreadable:
      return ValidationError::other;
  }
  return ValidationError::other;
}

ValidationResult validate_export(const std::filesystem::path& file, core::ScanType scan_type, const AuthPolicy& policy,
                                 const ValidateOptions& options) {
  ValidationResult result;
  std::error_code size_error;
  const auto size = std::filesystem::file_size(file, size_error);
  if (size_error) {
    const bool missing = size_error == std::errc::no_such_file_or_directory;
    result.error = missing ? ValidationError::file_not_found : ValidationError::other;
    result.error_message = (missing ? "export file not found: " : "cannot read export file: ") + file.string() +
                           (missing ? "" : " (" + size_error.message() + ")");
    return result;
  }
  result.file_size_bytes = size;
  if (size < minimum_export_bytes) {
    result.error = ValidationError::too_small;
    result.error_message = "export file is " + std::to_string(size) + " bytes, less than the " +
                           std::to_string(minimum_export_bytes) + " of any real export: " + file.string();
    return result;
  }
  const ReadOptions read_options = merged_read_options(options.also_options);
  const ValidationResult before_reading = result;
  std::optional<ValidationVisitor> visitor;
  auto start_over = [&] {
    result = before_reading;
    visitor.emplace(result);
  };
  try {
    bool scanned = false;
    if (options.reader == ExportReader::byte_scan) {
      start_over();
      Both both(*visitor, options.also);
      scanned = scan_nessus(file, both, read_options);
    }
    if (scanned) {
      result.read_with = ExportReader::byte_scan;
    } else {
      start_over();
      read_nessus(file, *visitor, read_options);
    }
  } catch (const ReadError& e) {
    result.error = validation_error_of(e.failure());
    result.error_message = e.what();
    return result;
  } catch (const core::Error& e) {
    result.error = ValidationError::other;
    result.error_message = e.what();
    return result;
  }
  judge_authentication(result, visitor->evidence, scan_type, policy);
  decide(result, visitor->first_other_severity);
  return result;
}

}  // namespace sw::results
