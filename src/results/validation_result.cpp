// ValidationResult's derived figures and its JSON (the task.json validation_stats), and
// the names of the statuses and errors.
#include "results/validator.hpp"

namespace sw::results {

std::string_view to_string(AuthStatus status) {
  switch (status) {
    case AuthStatus::success:
      return "success";
    case AuthStatus::failed:
      return "failed";
    case AuthStatus::partial:
      return "partial";
    case AuthStatus::not_applicable:
      return "not_applicable";
    case AuthStatus::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view to_string(ValidationError error) {
  switch (error) {
    case ValidationError::file_not_found:
      return "file_not_found";
    case ValidationError::too_small:
      return "too_small";
    case ValidationError::xml_invalid:
      return "xml_invalid";
    case ValidationError::empty_scan:
      return "empty_scan";
    case ValidationError::auth_failed:
      return "auth_failed";
    case ValidationError::other:
      return "other";
  }
  return "other";
}

std::optional<double> ValidationResult::auth_success_percent() const {
  if (auth_target_hosts == 0) return std::nullopt;
  return 100.0 * static_cast<double>(auth_succeeded_hosts) / static_cast<double>(auth_target_hosts);
}

std::uint64_t ValidationResult::total_vulnerabilities() const {
  return severity_counts.critical + severity_counts.high + severity_counts.medium + severity_counts.low;
}

std::vector<const HostAuth*> ValidationResult::failed_hosts() const {
  std::vector<const HostAuth*> failed;
  for (const HostAuth& host : hosts_auth) {
    if (host.status == AuthStatus::failed) failed.push_back(&host);
  }
  return failed;
}

nlohmann::json ValidationResult::failed_hosts_json() const {
  const std::vector<const HostAuth*> failed = failed_hosts();
  nlohmann::json listed = nlohmann::json::array();
  for (std::size_t i = 0; i < failed.size() && i < hosts_listed; ++i) {
    listed.push_back({{"host", failed[i]->host}, {"evidence", failed[i]->evidence}});
  }
  return {{"auth_failed_hosts", std::move(listed)}, {"auth_failed_hosts_count", failed.size()}};
}

nlohmann::json ValidationResult::stats_json() const {
  nlohmann::json hosts = nlohmann::json::array();
  for (const HostAuth& host : hosts_auth) {
    hosts.push_back({{"host", host.host},
                     {"status", to_string(host.status)},
                     {"evidence", host.evidence},
                     {"credentialed_checks",
                      host.credentialed_raw ? nlohmann::json(*host.credentialed_raw) : nlohmann::json(nullptr)}});
  }
  const std::optional<double> percent = auth_success_percent();
  nlohmann::json stats = {
      {"file_size_bytes", file_size_bytes},
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
        {"info", severity_counts.info},
        {"other", severity_counts.other}}},
      {"total_vulnerabilities", total_vulnerabilities()},
      {"hosts_auth", std::move(hosts)},
      {"auth_target_hosts", auth_target_hosts},
      {"auth_succeeded_hosts", auth_succeeded_hosts},
      {"auth_success_percent", percent ? nlohmann::json(*percent) : nlohmann::json(nullptr)},
      {"auth_min_success_percent",
       auth_min_success_percent ? nlohmann::json(*auth_min_success_percent) : nlohmann::json(nullptr)}};
  stats.update(failed_hosts_json());
  return stats;
}

nlohmann::json ValidationResult::to_json() const {
  return {{"valid", valid},
          {"error_reason", error ? nlohmann::json(to_string(*error)) : nlohmann::json(nullptr)},
          {"error_message", error ? nlohmann::json(error_message) : nlohmann::json(nullptr)},
          {"warnings", warnings},
          {"authentication_status", to_string(authentication_status)},
          {"validation_stats", stats_json()}};
}

}  // namespace sw::results
