// What to do about a failed or timed-out task: the rules behind core::failure_hint.
#include "core/failure_hint.hpp"

namespace sw::core {

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

std::optional<std::string> failure_hint(const Task& task) {
  if (task.status == TaskStatus::timeout) {
    return "the scan outlived SCAN_TIMEOUT_SECONDS: split the targets into smaller scans or raise the timeout, "
           "then submit again";
  }
  if (task.status != TaskStatus::failed) return std::nullopt;
  const std::string error = task.error_message.value_or("");
  const bool no_hosts = task.validation_stats.is_object() && task.validation_stats.value("hosts_scanned", 1) == 0;
  if (task.authentication_status == "failed" || contains(error, "authentication failed")) {
    return "the SSH credentials were refused: check the user and password, that the account may log in over SSH, "
           "and the sudo/su escalation settings; then submit again";
  }
  if (no_hosts || contains(error, "no hosts")) {
    return "no target answered: check the targets and that the scanner can reach them (routes, firewalls)";
  }
  if (contains(error, "refuses scan control")) {
    return "the scanner refuses API scan control: set api_token (auto or the web UI's token) in scanners.yaml";
  }
  if (contains(error, "scanners.yaml")) {
    return "the worker could not log in to the scanner: fix its username/password or API keys in scanners.yaml, "
           "then scanctl dlq retry " + task.scanner_pool + " " + task.task_id;
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

}  // namespace sw::core
