// Views of tasks, queue entries, dead letters and scanners for the front ends.
#include "service/views.hpp"

#include <chrono>
#include <string_view>

#include "core/errors.hpp"
#include "core/redact.hpp"

namespace sw::service {
namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::optional<std::string> failure_hint(const core::Task& task) {
  if (task.status == core::TaskStatus::timeout) {
    return "the scan outlived SCAN_TIMEOUT_SECONDS: split the targets into smaller scans or raise the timeout, "
           "then submit again";
  }
  if (task.status != core::TaskStatus::failed) return std::nullopt;
  const std::string error = task.error_message.value_or("");
  const bool no_hosts = task.validation_stats.is_object() && task.validation_stats.value("hosts_scanned", 1) == 0;
  if (task.authentication_status == "failed" || contains(error, "authentication failed")) {
    return "the SSH credentials were refused: check the user and password, that the account may log in over SSH, "
           "and the sudo/su escalation settings; then submit again";
  }
  if (no_hosts || contains(error, "no hosts")) {
    return "no target answered: check the targets and that the scanner can reach them (routes, firewalls)";
  }
  if (contains(error, "cancelled by request")) return "the scan was cancelled: submit it again if it is still wanted";
  if (contains(error, "refuses scan control")) {
    return "the scanner refuses API scan control: set api_token (auto or the web UI's token) in scanners.yaml";
  }
  if (contains(error, "scanners.yaml")) {
    return "the worker could not log in to the scanner: fix its username/password or API keys in scanners.yaml, "
           "then scanctl dlq retry " +
           task.scanner_pool + " " + task.task_id;
  }
  if (contains(error, "reachable")) {
    return "the scanner kept failing: check that it is up and reachable from the worker, then scanctl dlq retry " +
           task.scanner_pool + " " + task.task_id;
  }
  if (contains(error, "Nessus reported the scan")) {
    return "the scan was stopped in Nessus: submit it again if it is still wanted";
  }
  if (contains(error, "could not be queued")) return "Redis was unreachable at submission: submit again";
  return "see the worker log for trace id " + task.trace_id + "; retry with scanctl dlq retry " + task.scanner_pool +
         " " + task.task_id;
}

std::optional<double> duration_seconds(const core::Task& task) {
  if (!task.started_at) return std::nullopt;
  const auto end = task.completed_at.value_or(std::chrono::system_clock::now());
  return std::chrono::duration<double>(end - *task.started_at).count();
}

nlohmann::json queue_entry_summary(const std::string& raw) {
  const nlohmann::json entry = nlohmann::json::parse(raw, nullptr, false);
  if (!entry.is_object()) return {{"task_id", nullptr}, {"raw", core::redact_text(raw)}};
  const nlohmann::json payload = entry.value("payload", nlohmann::json::object());
  const auto text = [](const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? *it : nlohmann::json(nullptr);
  };
  return {{"task_id", text(entry, "task_id")},
          {"scan_type", text(entry, "scan_type")},
          {"scanner_instance_id", text(entry, "scanner_instance_id")},
          {"targets", payload.is_object() ? text(payload, "targets") : nlohmann::json(nullptr)},
          {"name", payload.is_object() ? text(payload, "name") : nlohmann::json(nullptr)}};
}

nlohmann::json dead_letter_json(const std::string& pool, const queue::DeadLetter& letter) {
  return {{"pool", pool},
          {"task_id", letter.task_id ? nlohmann::json(*letter.task_id) : nlohmann::json(nullptr)},
          {"error", core::redact_text(letter.error)},
          {"failed_at", letter.failed_at},
          {"deliveries", letter.deliveries ? nlohmann::json(*letter.deliveries) : nlohmann::json(nullptr)},
          {"entry", core::redact_secrets(letter.entry)}};
}

std::string url_without_credentials(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto at = url.find('@', authority);
  const auto path = url.find('/', authority);
  if (at == std::string::npos || (path != std::string::npos && at > path)) return url;
  return url.substr(0, authority) + url.substr(at + 1);
}

std::vector<std::string> pool_names(const config::ScannersConfig& scanners) {
  std::vector<std::string> names;
  for (const auto& [name, unused] : scanners.pools) names.push_back(name);
  return names;
}

std::vector<const config::PoolConfig*> selected_pools(const config::ScannersConfig& scanners, const std::string& pool) {
  std::vector<const config::PoolConfig*> pools;
  if (!pool.empty()) {
    const auto* found = scanners.find_pool(pool);
    if (found == nullptr) {
      throw core::Error(core::ErrorKind::not_found,
                        "pool '" + pool + "' is not configured (configured: " + joined(pool_names(scanners)) + ")");
    }
    pools.push_back(found);
    return pools;
  }
  for (const auto& [name, config] : scanners.pools) pools.push_back(&config);
  return pools;
}

}  // namespace sw::service
