// The tools' definitions: names, descriptions, input and output schemas.
#include <nlohmann/json.hpp>

#include "mcp/tools.hpp"

namespace sw::mcp {
namespace {

using nlohmann::json;

json input(json properties, json required) {
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

json output(json properties, json required) {
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

const json nullable_string = {{"type", json::array({"string", "null"})}};
const json text = {{"type", "string"}};
const json integer = {{"type", "integer"}};
const json number = {{"type", "number"}};
const json boolean = {{"type", "boolean"}};
const json object = {{"type", "object"}};
const json pool_argument = {{"type", "string"},
                            {"minLength", 1},
                            {"maxLength", 128},
                            {"description", "scanner pool (e.g. nessus, nessus_dmz); default nessus"}};
const json task_id_argument = {{"type", "string"},
                               {"minLength", 1},
                               {"maxLength", 128},
                               {"description", "task id returned by run_untrusted_scan / run_authenticated_scan"}};

json submission_output() {
  return output({{"task_id", text},
                 {"trace_id", text},
                 {"status", text},
                 {"scan_type", text},
                 {"scanner_pool", text},
                 {"scanner_instance", nullable_string},
                 {"queue_position", integer},
                 {"idempotent", boolean},
                 {"message", text}},
                {"task_id", "trace_id", "status", "scan_type", "scanner_pool", "message"});
}

json common_scan_arguments() {
  return {{"targets",
           {{"type", "string"},
            {"minLength", 1},
            {"maxLength", 65536},
            {"description",
             "IP addresses, CIDR blocks, ranges or host names, comma or space separated "
             "(e.g. \"192.168.1.0/24, host.example\")"}}},
          {"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 512}, {"description", "scan name"}}},
          {"description", {{"type", "string"}, {"maxLength", 4096}, {"description", "optional description"}}},
          {"schema_profile",
           {{"type", "string"},
            {"enum", {"minimal", "summary", "brief", "full"}},
            {"description", "result detail kept for get_scan_results (default brief)"}}},
          {"idempotency_key",
           {{"type", "string"},
            {"minLength", 1},
            {"maxLength", 256},
            {"description",
             "repeat-safe submission: the same key with the same arguments "
             "returns the first task (kept 48 h)"}}},
          {"scanner_pool", pool_argument},
          {"scanner_instance",
           {{"type", "string"},
            {"minLength", 1},
            {"maxLength", 128},
            {"description", "pin a scanner of the pool (default: the least loaded at run time)"}}}};
}

json status_output() {
  return output({{"task_id", text},
                 {"trace_id", text},
                 {"status", {{"type", "string"}, {"enum", {"queued", "running", "completed", "failed", "timeout"}}}},
                 {"scan_type", text},
                 {"scanner_pool", text},
                 {"scanner_type", text},
                 {"scanner_instance", nullable_string},
                 {"targets", text},
                 {"name", text},
                 {"nessus_scan_id", {{"type", json::array({"integer", "null"})}}},
                 {"created_at", text},
                 {"started_at", nullable_string},
                 {"completed_at", nullable_string},
                 {"error_message", nullable_string},
                 {"authentication_status", nullable_string},
                 {"validation_warnings", {{"type", "array"}, {"items", text}}},
                 {"progress", number},
                 {"scanner_status", text},
                 {"results_summary", object},
                 {"troubleshooting", object},
                 {"hint", nullable_string},
                 {"duration_seconds", {{"type", json::array({"number", "null"})}}}},
                {"task_id", "trace_id", "status", "scan_type", "scanner_pool", "created_at"});
}

std::vector<ToolDefinition> make_definitions() {
  std::vector<ToolDefinition> tools;
  json untrusted = common_scan_arguments();
  tools.push_back({"run_untrusted_scan", "Run a network-only scan",
                   "Queue a network-only vulnerability scan (no credentials). Returns the task id at once; follow it "
                   "with get_scan_status and read findings with get_scan_results.",
                   input(untrusted, {"targets", "name"}), submission_output()});

  json authenticated = common_scan_arguments();
  authenticated["scan_type"] = {{"type", "string"},
                                {"enum", {"authenticated", "authenticated_privileged"}},
                                {"description", "authenticated (SSH) or authenticated_privileged (SSH + sudo/su)"}};
  authenticated["ssh_username"] = {{"type", "string"}, {"minLength", 1}, {"maxLength", 256}};
  authenticated["ssh_password"] = {{"type", "string"}, {"minLength", 1}, {"maxLength", 1024}};
  authenticated["credential_id"] = {{"type", "string"},
                                    {"minLength", 1},
                                    {"maxLength", 256},
                                    {"description",
                                     "an entry of the server's credentials file, instead of "
                                     "ssh_username/ssh_password (the password never passes here)"}};
  authenticated["elevate_privileges_with"] = {
      {"type", "string"},
      {"enum", {"Nothing", "sudo", "su", "su+sudo", "pbrun", "dzdo", ".k5login"}},
      {"description", "privilege escalation (required for authenticated_privileged)"}};
  authenticated["escalation_account"] = {{"type", "string"}, {"maxLength", 256}};
  authenticated["escalation_password"] = {{"type", "string"}, {"maxLength", 1024}};
  tools.push_back({"run_authenticated_scan", "Run an authenticated (SSH) scan",
                   "Queue an SSH-authenticated vulnerability scan. Give ssh_username and ssh_password, or a "
                   "credential_id of the server's credentials file. authenticated_privileged also needs "
                   "elevate_privileges_with (sudo, su, ...). After completion get_scan_status reports "
                   "authentication_status.",
                   input(authenticated, {"targets", "name", "scan_type"}), submission_output()});

  tools.push_back({"get_scan_status", "Get a scan's status",
                   "A task's status, progress while it runs, result summary and authentication verdict when done, "
                   "and what to do about a failure. With wait_seconds, waits until the scan ends (or the time is "
                   "over), sending progress notifications when the request carries a progress token.",
                   input({{"task_id", task_id_argument},
                          {"wait_seconds",
                           {{"type", "number"},
                            {"minimum", 0},
                            {"maximum", 600},
                            {"description", "wait up to this long for the scan to end (default 0)"}}}},
                         {"task_id"}),
                   status_output()});

  const json scanner_row = output({{"scanner_type", text},
                                   {"pool", text},
                                   {"instance_id", text},
                                   {"instance_key", text},
                                   {"name", text},
                                   {"url", text},
                                   {"enabled", boolean},
                                   {"max_concurrent_scans", integer},
                                   {"active_scans", integer},
                                   {"available_capacity", integer},
                                   {"utilization_pct", number}},
                                  {"pool", "instance_id", "max_concurrent_scans", "active_scans"});
  tools.push_back({"list_scanners", "List scanners",
                   "Enabled scanners with their cluster-wide load (active scans against max_concurrent_scans).",
                   input({{"scanner_pool", pool_argument}}, json::array()),
                   output({{"scanners", {{"type", "array"}, {"items", scanner_row}}},
                           {"total", integer},
                           {"pools", {{"type", "array"}, {"items", text}}}},
                          {"scanners", "total", "pools"})});

  tools.push_back(
      {"list_pools", "List scanner pools", "The configured scanner pools and the default one.",
       input(json::object(), json::array()),
       output({{"pools", {{"type", "array"}, {"items", text}}}, {"default_pool", text}}, {"pools", "default_pool"})});

  const json load_row = output({{"instance_key", text},
                                {"active_scans", integer},
                                {"max_concurrent_scans", integer},
                                {"utilization_pct", number},
                                {"available_capacity", integer}},
                               {"instance_key", "active_scans", "max_concurrent_scans"});
  tools.push_back(
      {"get_pool_status", "Get a pool's capacity",
       "A pool's capacity, active scans, utilisation and queue depth, with a per-scanner breakdown.",
       input({{"scanner_pool", pool_argument}}, json::array()),
       output({{"pool", text},
               {"scanner_type", text},
               {"total_scanners", integer},
               {"total_capacity", integer},
               {"total_active", integer},
               {"available_capacity", integer},
               {"utilization_pct", number},
               {"queue_depth", integer},
               {"dlq_size", integer},
               {"scanners", {{"type", "array"}, {"items", load_row}}}},
              {"pool", "total_scanners", "total_capacity", "total_active", "available_capacity", "scanners"})});

  tools.push_back({"get_queue_status", "Get a pool's queue",
                   "Queue depth, dead-letter count, tasks in flight per worker and the next queued tasks of a pool.",
                   input({{"scanner_pool", pool_argument}}, json::array()),
                   output({{"pool", text},
                           {"queue_depth", integer},
                           {"dlq_size", integer},
                           {"in_flight", object},
                           {"next_tasks", {{"type", "array"}, {"items", object}}},
                           {"timestamp", text}},
                          {"pool", "queue_depth", "dlq_size", "next_tasks", "timestamp"})});

  const json task_row = output({{"task_id", text},
                                {"trace_id", text},
                                {"status", text},
                                {"scan_type", text},
                                {"scanner_pool", text},
                                {"scanner_type", text},
                                {"scanner_instance", nullable_string},
                                {"targets", text},
                                {"name", text},
                                {"created_at", text},
                                {"started_at", nullable_string},
                                {"completed_at", nullable_string},
                                {"nessus_scan_id", {{"type", json::array({"integer", "null"})}}}},
                               {"task_id", "status", "scanner_pool", "created_at"});
  tools.push_back(
      {"list_tasks", "List tasks",
       "Recent tasks, newest first, filtered by status, pool and target (CIDR-aware: 10.0.0.5 matches a task that "
       "scans 10.0.0.0/24, and a subnet matches the tasks it overlaps).",
       input(
           {{"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"description", "default 10"}}},
            {"status_filter", {{"type", "string"}, {"enum", {"queued", "running", "completed", "failed", "timeout"}}}},
            {"scanner_pool", pool_argument},
            {"target_filter",
             {{"type", "string"},
              {"minLength", 1},
              {"maxLength", 4096},
              {"description", "an address, CIDR block, range or host name"}}}},
           json::array()),
       output({{"tasks", {{"type", "array"}, {"items", task_row}}}, {"total", integer}}, {"tasks", "total"})});

  tools.push_back(
      {"get_scan_results", "Get a scan's findings",
       "Findings of a completed scan as JSON-NL (a schema line, a scan_metadata line, one vulnerability line each, a "
       "pagination line), paged. Filters: {field: value}; a value \">=7\" (or >, <=, <, =) compares numbers, "
       "true/false tests a flag, any other text is a case-insensitive substring (all must match).",
       input({{"task_id", task_id_argument},
              {"page",
               {{"type", "integer"},
                {"minimum", 0},
                {"maximum", 1000000},
                {"description", "1-based page; 0 returns every record (default 1)"}}},
              {"page_size",
               {{"type", "integer"},
                {"minimum", 1},
                {"maximum", 1000},
                {"description", "records per page, clamped to 10-100 (default 40)"}}},
              {"schema_profile", {{"type", "string"}, {"enum", {"minimal", "summary", "brief", "full"}}}},
              {"custom_fields",
               {{"type", "array"},
                {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}}},
                {"maxItems", 64},
                {"description", "fields to return (with schema_profile brief)"}}},
              {"filters",
               {{"type", "object"},
                {"additionalProperties", {{"type", json::array({"string", "number", "boolean"})}}},
                {"description", "e.g. {\"severity\": \">=3\", \"exploit_available\": true}"}}}},
             {"task_id"}),
       output({{"task_id", text},
               {"schema", object},
               {"scan_metadata", object},
               {"vulnerabilities", {{"type", "array"}, {"items", object}}},
               {"pagination", {{"type", json::array({"object", "null"})}}}},
              {"task_id", "schema", "vulnerabilities"})});

  tools.push_back({"cancel_scan", "Cancel a scan",
                   "Cancel a queued or running scan: a queued task is taken off its queue; a running one is "
                   "stopped in Nessus by the worker that holds it. Either way the task ends failed, \"cancelled by "
                   "request\".",
                   input({{"task_id", task_id_argument}}, {"task_id"}),
                   output({{"task_id", text},
                           {"status", text},
                           {"cancellation", {{"type", "string"}, {"enum", {"removed_from_queue", "requested"}}}},
                           {"message", text}},
                          {"task_id", "status", "cancellation", "message"})});

  tools.push_back(
      {"get_dead_letters", "List failed tasks (dead-letter queue)",
       "The dead-letter queue, newest first, with why each task failed (secrets masked).",
       input(
           {{"scanner_pool", pool_argument},
            {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}, {"description", "per pool, default 20"}}},
            {"offset", {{"type", "integer"}, {"minimum", 0}, {"maximum", 1000000}}}},
           json::array()),
       output({{"dead_letters", {{"type", "array"}, {"items", object}}},
               {"total", integer},
               {"pools", {{"type", "array"}, {"items", text}}}},
              {"dead_letters", "total", "pools"})});

  tools.push_back({"retry_failed_task", "Retry a failed task",
                   "Put a task's dead letter back on its queue. A task whose task.json already ended cannot run again "
                   "under its id: submit it again instead; an authenticated task needs its credentials again (dead "
                   "letters keep them masked).",
                   input({{"task_id", task_id_argument}, {"scanner_pool", pool_argument}}, {"task_id"}),
                   output({{"task_id", text}, {"scanner_pool", text}, {"retried", integer}, {"message", text}},
                          {"task_id", "scanner_pool", "retried", "message"})});

  const json worker_row = output({{"worker_id", text},
                                  {"alive", boolean},
                                  {"pools", {{"type", "array"}}},
                                  {"in_flight", object},
                                  {"in_flight_total", integer},
                                  {"heartbeat_age_seconds", {{"type", json::array({"number", "null"})}}}},
                                 {"worker_id", "alive", "in_flight_total"});
  tools.push_back(
      {"list_workers", "List workers",
       "Registered workers: alive or awaiting the reaper, their pools, tasks in flight, last heartbeat.",
       input(json::object(), json::array()),
       output({{"workers", {{"type", "array"}, {"items", worker_row}}}, {"total", integer}}, {"workers", "total"})});
  return tools;
}

}  // namespace

const std::vector<ToolDefinition>& tool_definitions() {
  static const std::vector<ToolDefinition> tools = make_definitions();
  return tools;
}

const ToolDefinition* find_tool(const std::string& name) {
  for (const auto& tool : tool_definitions()) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

}  // namespace sw::mcp
