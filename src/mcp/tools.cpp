// The tools' implementations over the service, store, queue and results modules.
#include "mcp/tools.hpp"

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "core/redact.hpp"
#include "core/task_id.hpp"
#include "core/time.hpp"
#include "mcp/schema.hpp"
#include "results/filters.hpp"
#include "results/jsonl_results.hpp"
#include "results/nessus_reader.hpp"
#include "service/cancellation.hpp"
#include "service/dead_letters.hpp"
#include "service/submission.hpp"
#include "service/views.hpp"
#include "store/targets.hpp"
#include "telemetry/log.hpp"

namespace sw::mcp {
namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& why) { throw core::Error(core::ErrorKind::bad_input, why); }

std::string text_argument(const json& arguments, const char* name, const std::string& fallback = {}) {
  const auto it = arguments.find(name);
  return it == arguments.end() ? fallback : it->get<std::string>();
}

std::optional<std::string> optional_argument(const json& arguments, const char* name) {
  const auto it = arguments.find(name);
  if (it == arguments.end()) return std::nullopt;
  return it->get<std::string>();
}

json nullable(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }
json iso(const std::optional<core::TimePoint>& time) { return time ? json(core::format_iso(*time)) : json(nullptr); }

std::string default_pool(const config::ScannersConfig& scanners) {
  if (scanners.find_pool("nessus") != nullptr || scanners.pools.empty()) return "nessus";
  return scanners.pools.begin()->first;
}

// The pool argument (or the default), which must be configured.
std::string pool_argument(Backend& backend, const json& arguments) {
  const std::string pool = text_argument(arguments, "scanner_pool", default_pool(backend.scanners()));
  service::check_pool(backend.scanners(), pool, std::nullopt);
  return pool;
}

std::string task_id_argument(const json& arguments) {
  const std::string task_id = arguments.at("task_id").get<std::string>();
  if (!core::is_valid_task_id(task_id)) {
    refuse("task_id '" + task_id + "' is not a task id (1-128 of A-Z a-z 0-9 _ . -); list_tasks shows the tasks");
  }
  return task_id;
}

core::Task read_task(Backend& backend, const std::string& task_id) {
  auto task = backend.store().read(task_id);
  if (!task) throw core::Error(core::ErrorKind::not_found, "no task " + task_id + "; list_tasks shows the tasks");
  return std::move(*task);
}

// Targets checked as the worker reads them, and their count against MCP_MAX_TARGETS.
void check_targets(const std::string& targets, std::size_t most) {
  std::vector<store::Target> parsed;
  try {
    parsed = store::parse_targets(targets);
  } catch (const core::Error& e) {
    refuse(std::string("bad targets: ") + e.what());
  }
  if (parsed.empty()) refuse("targets is empty: give addresses, CIDR blocks, ranges or host names");
  if (parsed.size() > most) {
    refuse("targets has " + std::to_string(parsed.size()) + " entries; at most " + std::to_string(most) +
           " per scan: split them over several scans (or group addresses into CIDR blocks or ranges)");
  }
}

json submit(Backend& backend, const json& arguments, service::ScanRequest request) {
  request.targets = arguments.at("targets").get<std::string>();
  check_targets(request.targets, backend.settings().max_targets);
  request.name = arguments.at("name").get<std::string>();
  request.description = text_argument(arguments, "description");
  request.schema_profile = text_argument(arguments, "schema_profile", "brief");
  request.pool = text_argument(arguments, "scanner_pool", default_pool(backend.scanners()));
  request.scanner = optional_argument(arguments, "scanner_instance");
  service::check_pool(backend.scanners(), request.pool, request.scanner);
  service::Submitter submitter(backend.store(), backend.queue(), &backend.idempotency_keys());
  const service::Submission submission = submitter.submit(request, text_argument(arguments, "idempotency_key"));
  json result{{"task_id", submission.task_id},    {"trace_id", submission.trace_id},
              {"status", submission.status},      {"scan_type", request.scan_type},
              {"scanner_pool", submission.pool},  {"scanner_instance", nullable(submission.scanner_instance_id)},
              {"idempotent", submission.existing}};
  if (submission.existing) {
    result["message"] = "Returning existing task (idempotency key matched); nothing queued";
  } else {
    result["queue_position"] = submission.queue_position;
    result["message"] =
        "Scan enqueued successfully. Worker will process asynchronously; follow it with get_scan_status.";
  }
  return result;
}

json run_untrusted_scan(Backend& backend, const json& arguments, const ProgressFn&) {
  service::ScanRequest request;
  request.scan_type = "untrusted";
  return submit(backend, arguments, std::move(request));
}

json run_authenticated_scan(Backend& backend, const json& arguments, const ProgressFn&) {
  service::ScanRequest request;
  request.scan_type = arguments.at("scan_type").get<std::string>();
  const auto credential_id = optional_argument(arguments, "credential_id");
  const bool inline_credentials = arguments.contains("ssh_username") || arguments.contains("ssh_password");
  StoredCredential credential;
  if (credential_id) {
    if (inline_credentials || arguments.contains("escalation_password")) {
      refuse("give either credential_id or ssh_username/ssh_password (and escalation_password), not both");
    }
    const StoredCredential* stored = backend.config().credentials.find(*credential_id);
    if (stored == nullptr) {
      std::string known;
      for (const auto& id : backend.config().credentials.ids()) known += (known.empty() ? "" : ", ") + id;
      refuse("unknown credential_id '" + *credential_id + "' (" +
             (known.empty() ? std::string("the server has no credentials file (MCP_CREDENTIALS_FILE)")
                            : "known: " + known) +
             ")");
    }
    credential = *stored;
  } else {
    if (!arguments.contains("ssh_username") || !arguments.contains("ssh_password")) {
      refuse("an authenticated scan needs ssh_username and ssh_password, or a credential_id");
    }
    credential.username = arguments.at("ssh_username").get<std::string>();
    credential.password = arguments.at("ssh_password").get<std::string>();
    credential.escalation_password = text_argument(arguments, "escalation_password");
  }
  credential.elevate_privileges_with =
      text_argument(arguments, "elevate_privileges_with", credential.elevate_privileges_with);
  credential.escalation_account = text_argument(arguments, "escalation_account", credential.escalation_account);
  if (request.scan_type == "authenticated_privileged" && credential.elevate_privileges_with == "Nothing") {
    refuse("authenticated_privileged needs elevate_privileges_with (sudo, su, ...)");
  }
  request.credentials = {{"type", "ssh"},
                         {"auth_method", "password"},
                         {"username", credential.username},
                         {"password", credential.password},
                         {"elevate_privileges_with", credential.elevate_privileges_with}};
  if (credential.elevate_privileges_with != "Nothing") {
    if (!credential.escalation_password.empty())
      request.credentials["escalation_password"] = credential.escalation_password;
    if (!credential.escalation_account.empty())
      request.credentials["escalation_account"] = credential.escalation_account;
  }
  return submit(backend, arguments, std::move(request));
}

json status_json(Backend& backend, const core::Task& task) {
  const std::string status(core::to_string(task.status));
  json result{{"task_id", task.task_id},
              {"trace_id", task.trace_id},
              {"status", status},
              {"scan_type", task.scan_type},
              {"scanner_pool", task.scanner_pool},
              {"scanner_type", task.scanner_type},
              {"scanner_instance", nullable(task.scanner_instance_id)},
              {"targets", task.payload.value("targets", "")},
              {"name", task.payload.value("name", "")},
              {"nessus_scan_id", task.nessus_scan_id ? json(*task.nessus_scan_id) : json(nullptr)},
              {"created_at", core::format_iso(task.created_at)},
              {"started_at", iso(task.started_at)},
              {"completed_at", iso(task.completed_at)},
              {"error_message", nullable(task.error_message)},
              {"authentication_status", nullable(task.authentication_status)},
              {"validation_warnings", task.validation_warnings},
              {"hint", nullable(service::failure_hint(task))}};
  const auto duration = service::duration_seconds(task);
  result["duration_seconds"] = duration ? json(*duration) : json(nullptr);
  const json& stats = task.validation_stats;
  if (task.status == core::TaskStatus::completed && stats.is_object()) {
    result["results_summary"] = {{"hosts_scanned", stats.value("hosts_scanned", 0)},
                                 {"total_vulnerabilities", stats.value("total_vulnerabilities", 0)},
                                 {"severity_breakdown", stats.value("severity_counts", json::object())},
                                 {"file_size_kb", static_cast<double>(stats.value("file_size_bytes", 0)) / 1024.0},
                                 {"auth_plugins_found", stats.value("auth_plugins_found", 0)}};
  }
  if (task.authentication_status == "failed") {
    result["troubleshooting"] = {
        {"likely_cause", "Credentials rejected or inaccessible target"},
        {"next_steps", json::array({"Verify the SSH user and password (or the credential_id entry)",
                                    "Check that the target allows SSH from the scanner",
                                    "Check the sudo/su escalation settings", "Submit the scan again"})}};
  }
  if (task.status == core::TaskStatus::running) {
    try {
      if (const auto record = backend.queue().scan_record(task.task_id)) {
        result["progress"] = record->value("progress", 0.0);
        result["scanner_status"] = record->value("status", "starting");
      }
    } catch (const core::Error& e) {
      result["hint"] = std::string("live progress unavailable: ") + e.what();
    }
  }
  return result;
}

json get_scan_status(Backend& backend, const json& arguments, const ProgressFn& progress) {
  const std::string task_id = task_id_argument(arguments);
  const double wait = arguments.value("wait_seconds", 0.0);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(wait * 1000));
  double reported = -1;
  while (true) {
    const core::Task task = read_task(backend, task_id);
    json status = status_json(backend, task);
    const bool ended = core::is_terminal(task.status);
    const double percent = ended ? 100.0 : status.value("progress", 0.0);
    if (progress && percent > reported) {
      progress(percent, 100.0,
               status["status"].get<std::string>() + " " + std::to_string(static_cast<int>(percent)) + "%");
      reported = percent;
    }
    const auto now = std::chrono::steady_clock::now();
    if (ended || now >= deadline) return status;
    const auto poll = std::chrono::duration_cast<std::chrono::steady_clock::duration>(backend.settings().status_poll);
    std::this_thread::sleep_for(std::min(poll, deadline - now));
  }
}

json list_scanners(Backend& backend, const json& arguments) {
  const std::string pool = text_argument(arguments, "scanner_pool");
  json rows = json::array();
  for (const auto* config : service::selected_pools(backend.scanners(), pool)) {
    const auto loads = backend.leases().load(config->name, queue::scanner_slots(*config));
    for (const auto& load : loads) {
      const auto* scanner = config->find(load.instance_id);
      rows.push_back({{"scanner_type", "nessus"},
                      {"pool", config->name},
                      {"instance_id", load.instance_id},
                      {"instance_key", config->name + ":" + load.instance_id},
                      {"name", scanner ? scanner->name : ""},
                      {"url", scanner ? service::url_without_credentials(scanner->url) : ""},
                      {"enabled", true},
                      {"max_concurrent_scans", load.limit},
                      {"active_scans", load.active},
                      {"available_capacity", load.available()},
                      {"utilization_pct", load.utilisation() * 100.0}});
    }
  }
  const std::size_t total = rows.size();
  return {{"scanners", std::move(rows)}, {"total", total}, {"pools", service::pool_names(backend.scanners())}};
}

json list_pools(Backend& backend) {
  return {{"pools", service::pool_names(backend.scanners())}, {"default_pool", default_pool(backend.scanners())}};
}

json get_pool_status(Backend& backend, const json& arguments) {
  const std::string pool = pool_argument(backend, arguments);
  const config::PoolConfig& config = *backend.scanners().find_pool(pool);
  const queue::PoolLoad load = backend.leases().pool_load(pool, queue::scanner_slots(config));
  const queue::QueueStats stats = backend.queue().stats(pool, 0);
  json scanners = json::array();
  for (const auto& scanner : load.scanners) {
    scanners.push_back({{"instance_key", pool + ":" + scanner.instance_id},
                        {"active_scans", scanner.active},
                        {"max_concurrent_scans", scanner.limit},
                        {"utilization_pct", scanner.utilisation() * 100.0},
                        {"available_capacity", scanner.available()}});
  }
  return {{"pool", pool},
          {"scanner_type", "nessus"},
          {"total_scanners", load.scanners.size()},
          {"total_capacity", load.capacity},
          {"total_active", load.active},
          {"available_capacity", load.available},
          {"utilization_pct", load.utilisation() * 100.0},
          {"queue_depth", stats.depth},
          {"dlq_size", stats.dead_letters},
          {"scanners", std::move(scanners)}};
}

json get_queue_status(Backend& backend, const json& arguments) {
  const std::string pool = pool_argument(backend, arguments);
  const queue::QueueStats stats = backend.queue().stats(pool, 3);
  json next = json::array();
  for (const auto& raw : stats.next) next.push_back(service::queue_entry_summary(raw));
  return {{"pool", pool},
          {"queue_depth", stats.depth},
          {"dlq_size", stats.dead_letters},
          {"in_flight", stats.in_flight},
          {"next_tasks", std::move(next)},
          {"timestamp", core::format_iso(std::chrono::system_clock::now())}};
}

json list_tasks(Backend& backend, const json& arguments) {
  store::TaskFilter filter;
  filter.limit = arguments.value("limit", 10);
  if (const auto status = optional_argument(arguments, "status_filter"))
    filter.status = core::parse_task_status(*status);
  if (const auto pool = optional_argument(arguments, "scanner_pool")) filter.pool = *pool;
  if (const auto target = optional_argument(arguments, "target_filter")) {
    try {
      store::parse_targets(*target);
    } catch (const core::Error& e) {
      refuse(std::string("bad target_filter: ") + e.what());
    }
    filter.target = *target;
  }
  json tasks = json::array();
  for (const auto& task : backend.store().list(filter)) {
    tasks.push_back({{"task_id", task.task_id},
                     {"trace_id", task.trace_id},
                     {"status", core::to_string(task.status)},
                     {"scan_type", task.scan_type},
                     {"scanner_pool", task.scanner_pool},
                     {"scanner_type", task.scanner_type},
                     {"scanner_instance", nullable(task.scanner_instance_id)},
                     {"targets", task.payload.value("targets", "")},
                     {"name", task.payload.value("name", "")},
                     {"created_at", core::format_iso(task.created_at)},
                     {"started_at", iso(task.started_at)},
                     {"completed_at", iso(task.completed_at)},
                     {"nessus_scan_id", task.nessus_scan_id ? json(*task.nessus_scan_id) : json(nullptr)}});
  }
  const std::size_t total = tasks.size();
  return {{"tasks", std::move(tasks)}, {"total", total}};
}

ToolResult get_scan_results(Backend& backend, const json& arguments) {
  const std::string task_id = task_id_argument(arguments);
  results::ResultsQuery query;
  query.profile = text_argument(arguments, "schema_profile", "brief");
  query.page = arguments.value("page", 1);
  query.page_size = arguments.value("page_size", 40);
  if (arguments.contains("custom_fields")) {
    if (query.profile != "brief") refuse("give either schema_profile or custom_fields, not both");
    query.custom_fields = arguments["custom_fields"].get<std::vector<std::string>>();
  }
  results::profile_fields(query.profile);
  const json filters = arguments.value("filters", json::object());
  for (const auto& [field, value] : filters.items()) {
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    results::Filter filter{field, text};
    results::check_filter(filter);
    query.filters.push_back(std::move(filter));
  }
  const core::Task task = read_task(backend, task_id);
  if (task.status != core::TaskStatus::completed) {
    const std::string status(core::to_string(task.status));
    throw core::Error(core::ErrorKind::conflict,
                      "scan not completed (status: " + status + ")" +
                          (core::is_terminal(task.status) ? std::string("; it has no results: see get_scan_status")
                                                          : std::string("; wait with get_scan_status (wait_seconds), "
                                                                        "then call get_scan_results again")));
  }
  const std::filesystem::path export_path = backend.store().export_path(task_id);
  const auto render = [&export_path, &query] {
    std::ostringstream out;
    results::write_results(export_path, query, out);
    return out.str();
  };
  ToolResult result;
  std::error_code size_error;
  std::error_code time_error;
  const auto size = std::filesystem::file_size(export_path, size_error);
  const auto modified = std::filesystem::last_write_time(export_path, time_error);
  if (size_error || time_error) {
    result.text = render();  // reports the missing or unreadable export
  } else {
    // The export of a finished task does not change: the page is cached under the file's
    // identity and the query.
    json filters_key = json::array();
    for (const auto& [field, value] : query.filters) filters_key.push_back({field, value});
    const json key{{"task_id", task_id},
                   {"size", size},
                   {"modified", modified.time_since_epoch().count()},
                   {"profile", query.profile},
                   {"fields", query.custom_fields},
                   {"filters", filters_key},
                   {"page", query.page},
                   {"page_size", query.page_size}};
    result.text = backend.results_cache().get_or_compute(key.dump(), render);
  }
  json vulnerabilities = json::array();
  result.structured = {{"task_id", task_id}, {"schema", json::object()}, {"pagination", nullptr}};
  std::istringstream lines(result.text);
  for (std::string line; std::getline(lines, line);) {
    json record = json::parse(line, nullptr, false);
    if (!record.is_object()) continue;
    const std::string type = record.value("type", "");
    if (type == "vulnerability") {
      vulnerabilities.push_back(std::move(record));
    } else if (type == "schema" || type == "scan_metadata" || type == "pagination") {
      result.structured[type] = std::move(record);
    }
  }
  result.structured["vulnerabilities"] = std::move(vulnerabilities);
  return result;
}

json cancel_scan(Backend& backend, const json& arguments) {
  const std::string task_id = task_id_argument(arguments);
  const service::Cancellation cancellation = service::cancel_task(backend.store(), backend.queue(), task_id);
  const bool removed = cancellation.outcome == service::CancelOutcome::removed_from_queue;
  return {{"task_id", task_id},
          {"status", cancellation.status},
          {"cancellation", removed ? "removed_from_queue" : "requested"},
          {"message", removed ? "taken off the queue before it started; the task failed \"cancelled by request\""
                              : "the worker holding it stops its scan and fails it \"cancelled by request\"; "
                                "get_scan_status shows when it has"}};
}

json get_dead_letters(Backend& backend, const json& arguments) {
  const std::size_t limit = arguments.value("limit", 20);
  const std::size_t offset = arguments.value("offset", 0);
  json letters = json::array();
  json pools = json::array();
  std::size_t total = 0;
  for (const auto* pool : service::selected_pools(backend.scanners(), text_argument(arguments, "scanner_pool"))) {
    pools.push_back(pool->name);
    total += backend.queue().stats(pool->name, 0).dead_letters;
    for (const auto& letter : backend.queue().dlq_list(pool->name, offset, limit)) {
      letters.push_back(service::dead_letter_json(pool->name, letter));
    }
  }
  return {{"dead_letters", std::move(letters)}, {"total", total}, {"pools", std::move(pools)}};
}

json retry_failed_task(Backend& backend, const json& arguments) {
  const std::string task_id = task_id_argument(arguments);
  std::string pool = text_argument(arguments, "scanner_pool");
  if (pool.empty()) {
    const auto task = backend.store().read(task_id);
    pool = task ? task->scanner_pool : default_pool(backend.scanners());
  }
  service::check_pool(backend.scanners(), pool, std::nullopt);
  if (const auto letter = backend.queue().dlq_show(pool, task_id)) {
    const json credentials = letter->entry.value("payload", json::object()).value("credentials", json());
    if (credentials.is_object() && credentials.value("password", "") == core::kRedacted) {
      refuse("task " + task_id +
             " is an authenticated scan whose dead letter keeps its credentials masked: "
             "submit it again with run_authenticated_scan");
    }
  }
  const service::RetryOutcome outcome = service::retry_dead_letters(backend.queue(), backend.store(), pool, task_id);
  return {{"task_id", task_id},
          {"scanner_pool", pool},
          {"retried", outcome.retried},
          {"message", "back on " + pool + ":queue; follow it with get_scan_status"}};
}

json list_workers(Backend& backend) {
  const auto now = std::chrono::system_clock::now();
  json rows = json::array();
  for (const auto& worker : backend.queue().workers()) {
    std::size_t in_flight = 0;
    for (const auto& [pool, count] : worker.in_flight) in_flight += count;
    json age = nullptr;
    const json heartbeat = worker.info.value("heartbeat_at", json());
    if (heartbeat.is_string()) {
      if (const auto at = core::parse_iso(heartbeat.get<std::string>()))
        age = std::chrono::duration<double>(now - *at).count();
    }
    rows.push_back({{"worker_id", worker.worker_id},
                    {"alive", worker.alive},
                    {"pools", worker.info.value("pools", json::array())},
                    {"in_flight", worker.in_flight},
                    {"in_flight_total", in_flight},
                    {"heartbeat_age_seconds", age}});
  }
  const std::size_t total = rows.size();
  return {{"workers", std::move(rows)}, {"total", total}};
}

ToolResult run(Backend& backend, const std::string& name, const json& arguments, const ProgressFn& progress) {
  if (name == "get_scan_results") return get_scan_results(backend, arguments);
  json structured;
  if (name == "run_untrusted_scan")
    structured = run_untrusted_scan(backend, arguments, progress);
  else if (name == "run_authenticated_scan")
    structured = run_authenticated_scan(backend, arguments, progress);
  else if (name == "get_scan_status")
    structured = get_scan_status(backend, arguments, progress);
  else if (name == "list_scanners")
    structured = list_scanners(backend, arguments);
  else if (name == "list_pools")
    structured = list_pools(backend);
  else if (name == "get_pool_status")
    structured = get_pool_status(backend, arguments);
  else if (name == "get_queue_status")
    structured = get_queue_status(backend, arguments);
  else if (name == "list_tasks")
    structured = list_tasks(backend, arguments);
  else if (name == "cancel_scan")
    structured = cancel_scan(backend, arguments);
  else if (name == "get_dead_letters")
    structured = get_dead_letters(backend, arguments);
  else if (name == "retry_failed_task")
    structured = retry_failed_task(backend, arguments);
  else if (name == "list_workers")
    structured = list_workers(backend);
  else
    throw core::Error(core::ErrorKind::internal, "tool " + name + " has no implementation");
  ToolResult result;
  result.text = structured.dump(-1, ' ', false, json::error_handler_t::replace);
  result.structured = std::move(structured);
  return result;
}

ToolResult tool_error(const std::string& message) {
  ToolResult result;
  result.is_error = true;
  result.text = message;
  return result;
}

}  // namespace

bool tool_streams_progress(const std::string& name, const json& arguments) {
  if (name != "get_scan_status" || !arguments.is_object()) return false;
  const auto wait = arguments.find("wait_seconds");
  return wait != arguments.end() && wait->is_number() && wait->get<double>() > 0;
}

ToolResult call_tool(Backend& backend, const ToolDefinition& tool, const json& arguments, const ProgressFn& progress) {
  if (auto problem = schema_violation(tool.input_schema, arguments)) return tool_error(*problem);
  const auto started = std::chrono::steady_clock::now();
  std::string outcome = "ok";
  ToolResult result;
  try {
    result = run(backend, tool.name, arguments, progress);
  } catch (const results::ReadError& e) {
    outcome = "bad_export";
    result = tool_error(std::string("the scan's export cannot be read: ") + e.what());
  } catch (const core::Error& e) {
    outcome = std::string(core::to_string(e.kind()));
    const bool redis = e.kind() == core::ErrorKind::network || e.kind() == core::ErrorKind::timeout ||
                       e.kind() == core::ErrorKind::redis;
    result = tool_error(redis ? std::string("Redis is unreachable, nothing was changed; try again: ") + e.what()
                              : std::string(e.what()));
  } catch (const json::exception& e) {
    outcome = "internal";
    result = tool_error(std::string("internal error: ") + e.what());
  }
  telemetry::log_info(
      "tool call",
      {{"tool", tool.name},
       {"outcome", outcome},
       {"duration_ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count()}});
  return result;
}

}  // namespace sw::mcp
