// validate_export: one streaming pass that counts hosts, items and severities and
// gathers each host's credential evidence, then judges authentication and validity.
#include "results/validator.hpp"

#include <charconv>
#include <system_error>

#include "results/nessus_reader.hpp"

namespace sw::results {
namespace {

constexpr int scan_information_plugin = 19506;
constexpr std::size_t hosts_listed_in_messages = 20;

struct HostEvidence {
  bool refused = false;             // 104410
  bool assessment_failed = false;   // 21745
  bool insufficient = false;        // 110385
  bool accepted = false;            // 141118
  bool assessment_ran = false;      // 117887
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool starts_with_word(std::string_view value, std::string_view word) {
  return value.size() >= word.size() && iequals(value.substr(0, word.size()), word);
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

  void on_host_start(std::string_view host_name) override {
    ++result_.hosts_scanned;
    result_.hosts_auth.push_back({std::string(host_name), AuthStatus::unknown, {}, std::nullopt});
    evidence.emplace_back();
  }

  void on_item(const ReportItem& item) override {
    ++result_.total_plugins;
    switch (item.severity_level()) {
      case 4: ++result_.severity_counts.critical; break;
      case 3: ++result_.severity_counts.high; break;
      case 2: ++result_.severity_counts.medium; break;
      case 1: ++result_.severity_counts.low; break;
      case 0: ++result_.severity_counts.info; break;
      default: break;
    }
    HostEvidence& host = evidence.back();
    switch (plugin_number(item.plugin_id)) {
      case 104410: host.refused = true; break;
      case 21745: host.assessment_failed = true; break;
      case 110385: host.insufficient = true; break;
      case 141118: host.accepted = true; break;
      case 117887: host.assessment_ran = true; break;
      case 117886: break;
      case scan_information_plugin: record_scan_information(item); return;
      default: return;
    }
    ++result_.auth_plugins_found;
  }

 private:
  void record_scan_information(const ReportItem& item) {
    std::optional<std::string> value;
    if (const std::string* output = item.child("plugin_output")) value = credentialed_checks_value(*output);
    if (!value) {
      if (const std::string* description = item.child("description")) {
        value = credentialed_checks_value(*description);
      }
    }
    if (!value) return;
    if (!result_.credentialed_status_raw) result_.credentialed_status_raw = value;
    HostAuth& host = result_.hosts_auth.back();
    if (!host.credentialed_raw) host.credentialed_raw = std::move(value);
  }

  ValidationResult& result_;
};

void judge_host(HostAuth& host, const HostEvidence& evidence) {
  const std::optional<std::string>& raw = host.credentialed_raw;
  if (evidence.refused) {
    host.status = AuthStatus::failed;
    host.evidence = "plugin 104410: the provided credentials were refused";
  } else if (evidence.assessment_failed) {
    host.status = AuthStatus::failed;
    host.evidence = "plugin 21745: OS security patch assessment failed";
  } else if (raw && starts_with_word(*raw, "no")) {
    host.status = AuthStatus::failed;
    host.evidence = "plugin 19506: Credentialed checks : " + *raw;
  } else if (evidence.insufficient) {
    host.status = AuthStatus::partial;
    host.evidence = "plugin 110385: logged in but without sufficient privileges";
  } else if (evidence.accepted) {
    host.status = AuthStatus::success;
    host.evidence = "plugin 141118: valid credentials provided";
  } else if (evidence.assessment_ran) {
    host.status = AuthStatus::success;
    host.evidence = "plugin 117887: OS security patch assessment available";
  } else if (raw && starts_with_word(*raw, "yes")) {
    host.status = AuthStatus::success;
    host.evidence = "plugin 19506: Credentialed checks : " + *raw;
  } else {
    host.status = AuthStatus::unknown;
    host.evidence = "no credential evidence (plugins 19506, 141118, 117887, 104410, 21745 absent)";
  }
}

AuthStatus aggregate(const std::vector<HostAuth>& hosts) {
  std::size_t succeeded = 0, partial = 0, failed = 0;
  for (const HostAuth& host : hosts) {
    if (host.status == AuthStatus::success) ++succeeded;
    else if (host.status == AuthStatus::partial) ++partial;
    else if (host.status == AuthStatus::failed) ++failed;
  }
  if (hosts.empty()) return AuthStatus::unknown;
  if (succeeded == hosts.size()) return AuthStatus::success;
  if (succeeded == 0 && partial == 0) return failed > 0 ? AuthStatus::failed : AuthStatus::unknown;
  return AuthStatus::partial;
}

std::string list_hosts(const std::vector<HostAuth>& hosts, AuthStatus skip) {
  std::string text;
  std::size_t listed = 0, unlisted = 0;
  for (const HostAuth& host : hosts) {
    if (host.status == skip) continue;
    if (listed == hosts_listed_in_messages) {
      ++unlisted;
      continue;
    }
    if (listed++ > 0) text += "; ";
    text += host.host + " (" + std::string(to_string(host.status)) + ": " + host.evidence + ")";
  }
  if (unlisted > 0) text += "; and " + std::to_string(unlisted) + " more";
  return text;
}

void judge_authentication(ValidationResult& result, const std::vector<HostEvidence>& evidence,
                          core::ScanType scan_type) {
  if (!core::is_authenticated(scan_type)) {
    for (HostAuth& host : result.hosts_auth) {
      host.status = AuthStatus::not_applicable;
      host.evidence = "untrusted scan";
    }
    result.authentication_status = AuthStatus::not_applicable;
    return;
  }
  for (std::size_t i = 0; i < result.hosts_auth.size(); ++i) judge_host(result.hosts_auth[i], evidence[i]);
  result.authentication_status = aggregate(result.hosts_auth);
}

void decide(ValidationResult& result) {
  if (result.hosts_scanned == 0) {
    result.error = ValidationError::empty_scan;
    result.error_message = "the export has no hosts: no target answered; check the targets and "
                           "that they are reachable from the scanner";
    return;
  }
  switch (result.authentication_status) {
    case AuthStatus::failed:
      result.error = ValidationError::auth_failed;
      result.error_message = "authentication failed on every host: " +
                             list_hosts(result.hosts_auth, AuthStatus::success) +
                             ". Check the username and password, that the account may log in over "
                             "SSH, and the privilege escalation (sudo) settings";
      return;
    case AuthStatus::partial:
      result.warnings.push_back("authentication did not succeed on every host: " +
                                list_hosts(result.hosts_auth, AuthStatus::success));
      break;
    case AuthStatus::unknown:
      result.warnings.push_back("no evidence of whether the credentials worked: " +
                                list_hosts(result.hosts_auth, AuthStatus::success));
      break;
    default:
      break;
  }
  if (result.total_plugins == 0) result.warnings.push_back("the export has hosts but no findings");
  result.valid = true;
}

}  // namespace

std::string_view to_string(AuthStatus status) {
  switch (status) {
    case AuthStatus::success: return "success";
    case AuthStatus::failed: return "failed";
    case AuthStatus::partial: return "partial";
    case AuthStatus::not_applicable: return "not_applicable";
    case AuthStatus::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(ValidationError error) {
  switch (error) {
    case ValidationError::file_not_found: return "file_not_found";
    case ValidationError::too_small: return "too_small";
    case ValidationError::xml_invalid: return "xml_invalid";
    case ValidationError::empty_scan: return "empty_scan";
    case ValidationError::auth_failed: return "auth_failed";
    case ValidationError::other: return "other";
  }
  return "other";
}

std::optional<std::string> credentialed_checks_value(std::string_view text) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (iequals(trim(line.substr(0, colon)), "credentialed checks")) {
      return std::string(trim(line.substr(colon + 1)));
    }
  }
  return std::nullopt;
}

std::uint64_t ValidationResult::total_vulnerabilities() const {
  return severity_counts.critical + severity_counts.high + severity_counts.medium + severity_counts.low;
}

nlohmann::json ValidationResult::stats_json() const {
  nlohmann::json hosts = nlohmann::json::array();
  for (const HostAuth& host : hosts_auth) {
    hosts.push_back({{"host", host.host},
                     {"status", to_string(host.status)},
                     {"evidence", host.evidence},
                     {"credentialed_checks", host.credentialed_raw ? nlohmann::json(*host.credentialed_raw)
                                                                   : nlohmann::json(nullptr)}});
  }
  return {{"file_size_bytes", file_size_bytes},
          {"hosts_scanned", hosts_scanned},
          {"total_plugins", total_plugins},
          {"auth_plugins_found", auth_plugins_found},
          {"credentialed_status_raw",
           credentialed_status_raw ? nlohmann::json(*credentialed_status_raw) : nlohmann::json(nullptr)},
          {"severity_counts",
           {{"critical", severity_counts.critical},
            {"high", severity_counts.high},
            {"medium", severity_counts.medium},
            {"low", severity_counts.low},
            {"info", severity_counts.info}}},
          {"total_vulnerabilities", total_vulnerabilities()},
          {"hosts_auth", std::move(hosts)}};
}

nlohmann::json ValidationResult::to_json() const {
  return {{"valid", valid},
          {"error_reason", error ? nlohmann::json(to_string(*error)) : nlohmann::json(nullptr)},
          {"error_message", error ? nlohmann::json(error_message) : nlohmann::json(nullptr)},
          {"warnings", warnings},
          {"authentication_status", to_string(authentication_status)},
          {"validation_stats", stats_json()}};
}

ValidationResult validate_export(const std::filesystem::path& file, core::ScanType scan_type) {
  ValidationResult result;
  std::error_code size_error;
  const auto size = std::filesystem::file_size(file, size_error);
  if (size_error) {
    const bool missing = size_error == std::errc::no_such_file_or_directory;
    result.error = missing ? ValidationError::file_not_found : ValidationError::other;
    result.error_message = (missing ? "export file not found: " : "cannot read export file: ") +
                           file.string() + (missing ? "" : " (" + size_error.message() + ")");
    return result;
  }
  result.file_size_bytes = size;
  if (size < minimum_export_bytes) {
    result.error = ValidationError::too_small;
    result.error_message = "export file is " + std::to_string(size) + " bytes, less than the " +
                           std::to_string(minimum_export_bytes) + " of any real export: " + file.string();
    return result;
  }
  ValidationVisitor visitor(result);
  ReadOptions options;
  options.item_children = {"plugin_output", "description"};
  options.children_for_plugins = {std::to_string(scan_information_plugin)};
  options.host_properties = false;
  try {
    read_nessus(file, visitor, options);
  } catch (const ReadError& e) {
    result.error = e.failure() == ReadFailure::xml_invalid   ? ValidationError::xml_invalid
                   : e.failure() == ReadFailure::file_not_found ? ValidationError::file_not_found
                                                                : ValidationError::other;
    result.error_message = e.what();
    return result;
  } catch (const core::Error& e) {
    result.error = ValidationError::other;
    result.error_message = e.what();
    return result;
  }
  judge_authentication(result, visitor.evidence, scan_type);
  decide(result);
  return result;
}

}  // namespace sw::results
