// The simulator's scan endpoints (see simulator.hpp): list, create, configure, move, launch,
// stop/pause/resume/kill, details (hosts, progress, history) and delete, single or bulk.
// A run's state follows from timestamps (run.hpp); scenarios pick each host's outcome.
#include <algorithm>
#include <boost/beast/http/status.hpp>
#include <cmath>

#include "sim/requests.hpp"
#include "sim/simulator.hpp"

namespace sw::sim {

namespace bhttp = boost::beast::http;
using nlohmann::json;

namespace {

constexpr std::int64_t checks_per_host = 100;  // real servers report scanprogresstotal 100

// The SSH credential of a create/configure body (credentials.add.Host.SSH[0]), if any.
std::optional<SshCredential> ssh_credential_of(const json& body) {
  const auto pointer = json::json_pointer("/credentials/add/Host/SSH");
  if (!body.contains(pointer)) {
    return std::nullopt;
  }
  const auto& list = body.at(pointer);
  const json& first = list.is_array() ? (list.empty() ? json() : list.front()) : list;
  if (!first.is_object()) {
    return std::nullopt;
  }
  SshCredential credential;
  credential.username = first.value("username", "");
  credential.elevate_privileges_with = first.value("elevate_privileges_with", "Nothing");
  return credential;
}

bool deletes_credentials(const json& body) {
  const auto pointer = json::json_pointer("/credentials/delete");
  return body.contains(pointer) && body.at(pointer).is_array() && !body.at(pointer).empty();
}

}  // namespace

Reply Simulator::list_scans(Call& call) {
  const auto folder = call.query.count("folder_id") != 0 ? parse_id(call.query["folder_id"]) : std::nullopt;
  const auto since =
      call.query.count("last_modification_date") != 0 ? parse_id(call.query["last_modification_date"]) : std::nullopt;
  json scans = json::array();
  for (const auto& [id, scan] : scans_) {
    double modified = scan.modified_at;
    if (!scan.runs.empty()) {
      modified = std::max(modified, scan.runs.back().ended_at(call.now).value_or(modified));
    }
    if ((folder && scan.folder_id != *folder) || (since && epoch(modified) <= *since)) {
      continue;
    }
    const bool stale =
        !scan.runs.empty() && call.now - scan.runs.back().launched_at() < options_.faults.stale_status_after_launch;
    const Run* shown = scan.runs.empty() ? nullptr
                       : stale           ? (scan.runs.size() > 1 ? &scan.runs[scan.runs.size() - 2] : nullptr)
                                         : &scan.runs.back();
    // As real servers list them: a never-launched scan has dates 0 and type null; after
    // runs the dates are the latest run's start and end (or last change while it runs).
    const Run* latest = scan.runs.empty() ? nullptr : &scan.runs.back();
    const double listed_end = latest != nullptr ? latest->ended_at(call.now).value_or(scan.modified_at) : 0;
    scans.push_back({{"id", id},
                     {"uuid", shown != nullptr ? json(shown->uuid()) : json(nullptr)},
                     {"name", scan.name},
                     {"owner", options_.username},
                     {"folder_id", scan.folder_id},
                     {"status", status_for_list(scan, call.now)},
                     {"type", latest != nullptr ? json("local") : json(nullptr)},
                     {"read", false},
                     {"shared", false},
                     {"user_permissions", 128},
                     {"enabled", false},
                     {"control", true},
                     {"creation_date", latest != nullptr ? epoch(latest->launched_at()) : 0},
                     {"last_modification_date", latest != nullptr ? epoch(listed_end) : 0},
                     {"starttime", nullptr},
                     {"timezone", nullptr},
                     {"rrules", nullptr}});
  }
  return ok(
      {{"folders", folders_json()}, {"scans", scans.empty() ? json(nullptr) : scans}, {"timestamp", epoch(call.now)}});
}

Reply Simulator::create_scan(Call& call) {
  if (!call.body || !call.body->is_object()) {
    return error_reply(bhttp::status::bad_request, "Invalid JSON body");
  }
  const auto& body = *call.body;
  const auto uuid = body.value("uuid", "");
  const bool known_template =
      uuid == options_.custom_scan_template ||
      std::any_of(scan_templates.begin(), scan_templates.end(), [&](const ScanTemplate& t) { return t.uuid == uuid; });
  if (!known_template) {
    return error_reply(bhttp::status::bad_request, "Invalid 'uuid' field: template not found");
  }
  const auto settings = body.value("settings", json::object());
  const auto name = settings.is_object() ? settings.value("name", "") : std::string();
  const auto targets = settings.is_object() ? settings.value("text_targets", "") : std::string();
  if (name.empty() || targets.empty()) {
    return error_reply(bhttp::status::bad_request, "Invalid 'settings' field: name and text_targets are required");
  }
  Scan scan;
  scan.id = next_scan_id_++;
  scan.name = name;
  scan.description = settings.value("description", "");
  scan.targets = targets;
  scan.template_uuid = uuid;
  scan.creation_uuid = "template-" + random_scan_uuid();
  scan.folder_id = json_id(settings.value("folder_id", json())).value_or(main_folder_id());
  scan.ssh = ssh_credential_of(body);
  scan.created_at = call.now;
  scan.modified_at = call.now;
  ++stats_.scans_created;
  auto& stored = scans_.emplace(scan.id, std::move(scan)).first->second;
  json object{{"id", stored.id},
              {"uuid", stored.creation_uuid},
              {"name", stored.name},
              {"description", stored.description},
              {"policy_id", stored.id + 100},
              {"scanner_id", 1},
              {"owner", options_.username},
              {"owner_id", 2},
              {"custom_targets", stored.targets},
              {"enabled", false},
              {"shared", 0},
              {"type", "public"},
              {"user_permissions", 128},
              {"default_permisssions", 0},
              {"emails", nullptr},
              {"rrules", nullptr},
              {"starttime", nullptr},
              {"timezone", nullptr},
              {"notification_filters", nullptr},
              {"tag_id", stored.folder_id},
              {"creation_date", epoch(stored.created_at)},
              {"last_modification_date", epoch(stored.modified_at)}};
  if (settings.value("launch_now", false)) {
    call.scan = &stored;
    launch_scan(call);
  }
  return ok({{"scan", object}});
}

Reply Simulator::configure_scan(Call& call) {
  Scan& scan = *call.scan;
  if (!call.body || !call.body->is_object()) {
    return error_reply(bhttp::status::bad_request, "Invalid JSON body");
  }
  const auto settings = call.body->value("settings", json::object());
  if (settings.is_object()) {
    scan.name = settings.value("name", scan.name);
    scan.targets = settings.value("text_targets", scan.targets);
    scan.description = settings.value("description", scan.description);
  }
  if (deletes_credentials(*call.body)) {
    scan.ssh.reset();
  }
  if (auto credential = ssh_credential_of(*call.body)) {
    scan.ssh = std::move(credential);
  }
  scan.modified_at = call.now;
  return ok({{"scan", {{"id", scan.id}, {"name", scan.name}, {"custom_targets", scan.targets}}}});
}

Reply Simulator::move_scan(Call& call) {
  const auto folder = call.body ? json_id(call.body->value("folder_id", json())) : std::nullopt;
  if (!folder || (*folder != main_folder_id() && *folder != trash_folder_id())) {
    return not_found();
  }
  call.scan->folder_id = *folder;
  call.scan->modified_at = call.now;
  return ok(json::object());
}

Reply Simulator::launch_scan(Call& call) {
  Scan& scan = *call.scan;
  if (scan_active(scan, call.now)) {
    const int code = options_.faults.launch_running_code;
    return error_reply(static_cast<bhttp::status>(code),
                       "Failed to launch scan. This is usually due to the scan already running.");
  }
  std::string targets = scan.targets;
  if (call.body && call.body->is_object() && call.body->contains("alt_targets") &&
      (*call.body)["alt_targets"].is_array() && !(*call.body)["alt_targets"].empty()) {
    targets.clear();
    for (const auto& target : (*call.body)["alt_targets"]) {
      if (target.is_string()) {
        targets += (targets.empty() ? "" : ",") + target.get<std::string>();
      }
    }
  }
  std::vector<RunHost> hosts;
  RunOutcome outcome = RunOutcome::complete;
  for (auto& host : expand_targets(targets, options_.expansion)) {
    outcome = combine_outcomes(outcome, rules_.outcome_for_host(host.name));
    const auto auth = rules_.auth_for_host(host.name, scan.ssh.has_value());
    hosts.push_back(RunHost{std::move(host), auth});
  }
  const auto uuid = random_scan_uuid();
  scan.runs.emplace_back(uuid, next_history_id_++, call.now, options_.timing, outcome, std::move(hosts), targets);
  scan.modified_at = call.now;
  ++stats_.launches_total;
  ++stats_.launches_by_name[scan.name];
  ++stats_.launches_by_scan[scan.id];
  active_scans_.insert(scan.id);
  stats_.peak_running = std::max(stats_.peak_running, prune_active(call.now));
  return ok({{"scan_uuid", uuid}});
}

Reply Simulator::control_scan(Call& call) { return run_transition(call, *call.scan, call.segments[2]); }

Reply Simulator::run_transition(Call& call, Scan& scan, const std::string& action) {
  Run* run = scan.runs.empty() ? nullptr : &scan.runs.back();
  bool done = false;
  if (run != nullptr) {
    if (action == "stop") {
      done = run->stop(call.now);
      stats_.stops += done ? 1 : 0;
    } else if (action == "pause") {
      done = run->pause(call.now);
    } else if (action == "resume") {
      done = run->resume(call.now);
      if (done) {
        active_scans_.insert(scan.id);
        stats_.peak_running = std::max(stats_.peak_running, prune_active(call.now));
      }
    } else {
      done = run->kill(call.now);
    }
  }
  if (!done) {
    return error_reply(bhttp::status::conflict,
                       action == "resume" ? "Scan is not active and/or couldn't be resumed." : "Scan is not active.");
  }
  scan.modified_at = call.now;
  return ok(json::object());
}

Reply Simulator::scan_details(Call& call) {
  const Scan& scan = *call.scan;
  const Run* run = scan.runs.empty() ? nullptr : &scan.runs.back();
  if (call.query.count("history_id") != 0) {
    const auto history = parse_id(call.query["history_id"]);
    const auto found = std::find_if(scan.runs.begin(), scan.runs.end(),
                                    [&](const Run& r) { return history && r.history_id() == *history; });
    if (found == scan.runs.end()) {
      return not_found();
    }
    run = &*found;
  }
  const double now = call.now;
  const bool latest = run == nullptr || run == &scan.runs.back();
  const bool stale = latest && run != nullptr && now - run->launched_at() < options_.faults.stale_status_after_launch;
  const Run* reported = stale ? (scan.runs.size() > 1 ? &scan.runs[scan.runs.size() - 2] : nullptr) : run;
  const std::string status = reported == nullptr ? "empty" : reported->status(now);

  json info{{"object_id", scan.id},
            {"uuid", reported != nullptr ? json(reported->uuid()) : json(nullptr)},
            {"name", scan.name},
            {"status", status},
            {"policy", "Advanced Scan"},
            {"scanner_name", "Local Scanner"},
            {"targets", run != nullptr ? run->targets() : scan.targets},
            {"folder_id", scan.folder_id},
            {"hostcount", run != nullptr ? run->hosts().size() : 0},
            {"scan_type", "local"},
            {"alt_targets_used", nullptr},
            {"no_target", nullptr},
            {"control", true},
            {"edit_allowed", true},
            {"user_permissions", 128},
            {"haskb", false},
            {"hasaudittrail", false},
            {"pci-can-upload", false},
            {"acls", json::array({{{"type", "user"},
                                   {"id", 2},
                                   {"name", options_.username},
                                   {"display_name", options_.username},
                                   {"owner", 1},
                                   {"permissions", 128}}})}};
  if (reported != nullptr) {
    info["scan_start"] = epoch(reported->launched_at());
    info["scanner_start"] = epoch(reported->launched_at());
    info["timestamp"] = epoch(now);
    if (const auto end = reported->ended_at(now)) {
      info["scan_end"] = epoch(*end);
      info["scanner_end"] = epoch(*end);
    }
  }
  json hosts = json::array();
  json vulnerabilities = json::array();
  if (reported != nullptr) {
    for (const auto& progress : reported->host_progress(now)) {
      const auto& host = reported->hosts()[progress.index];
      const auto done = static_cast<std::int64_t>(std::floor(progress.fraction * checks_per_host));
      const auto grown = [&](int final_count) {
        return static_cast<std::int64_t>(std::floor(progress.fraction * final_count));
      };
      const std::int64_t critical = grown(1), high = grown(2), medium = grown(3), low = grown(1);
      const std::int64_t info_count = grown(std::max(0, options_.findings_per_host - 7) + 5);
      const std::string checks = std::to_string(done) + "-" + std::to_string(done) + "/" +
                                 std::to_string(checks_per_host) + "-" + std::to_string(checks_per_host);
      hosts.push_back({{"host_id", progress.index + 2},
                       {"host_index", progress.index},
                       {"hostname", host.host.name},
                       {"progress", checks},
                       {"scanprogresscurrent", done},
                       {"scanprogresstotal", checks_per_host},
                       {"numchecksconsidered", done},
                       {"totalchecksconsidered", checks_per_host},
                       {"critical", critical},
                       {"high", high},
                       {"medium", medium},
                       {"low", low},
                       {"info", info_count},
                       {"severity", critical + high + medium + low + info_count},
                       {"score", critical * 10000 + high * 1000 + medium * 100 + low * 10 + info_count},
                       {"severitycount",
                        {{"item", json::array({{{"severitylevel", 0}, {"count", info_count}},
                                               {{"severitylevel", 1}, {"count", low}},
                                               {{"severitylevel", 2}, {"count", medium}},
                                               {{"severitylevel", 3}, {"count", high}},
                                               {{"severitylevel", 4}, {"count", critical}}})}}}});
    }
    if (!hosts.empty()) {
      const auto count = static_cast<std::int64_t>(hosts.size());
      vulnerabilities = json::array({{{"plugin_id", 19506},
                                      {"plugin_name", "Nessus Scan Information"},
                                      {"plugin_family", "Settings"},
                                      {"severity", 0},
                                      {"severity_index", 0},
                                      {"vuln_index", 1},
                                      {"count", count}},
                                     {{"plugin_id", 10940},
                                      {"plugin_name", "Windows Terminal Services Enabled"},
                                      {"plugin_family", "Windows"},
                                      {"severity", 0},
                                      {"severity_index", 1},
                                      {"vuln_index", 2},
                                      {"count", count}}});
    }
  }
  json history = json::array();
  for (const auto& r : scan.runs) {
    history.push_back({{"history_id", r.history_id()},
                       {"uuid", r.uuid()},
                       {"status", r.status(now)},
                       {"type", "local"},
                       {"scheduler", 0},
                       {"alt_targets_used", r.targets() != scan.targets},
                       {"owner_id", 2},
                       {"creation_date", epoch(r.launched_at())},
                       {"last_modification_date", epoch(r.ended_at(now).value_or(r.launched_at()))}});
  }
  return ok({{"info", info},
             {"hosts", hosts},
             {"vulnerabilities", vulnerabilities},
             {"history", history.empty() ? json(nullptr) : history},
             {"remediations",
              {{"remediations", nullptr},
               {"num_hosts", hosts.size()},
               {"num_cves", 0},
               {"num_impacted_hosts", 0},
               {"num_remediated_cves", 0}}},
             {"notes", nullptr},
             {"compliance", json::array()},
             {"comphosts", json::array()},
             {"filters", json::array()}});
}

Reply Simulator::delete_scan(Call& call) {
  const std::int64_t id = call.scan->id;
  if (scan_active(*call.scan, call.now)) {
    return error_reply(static_cast<bhttp::status>(options_.faults.delete_running_code),
                       "Failed to delete the scan. This may be because the scan is currently running.");
  }
  scans_.erase(id);
  active_scans_.erase(id);
  ++stats_.deletes;
  return ok(json::object());
}

Reply Simulator::bulk_delete(Call& call) {
  if (!call.body || !call.body->is_object() || !call.body->contains("ids") || !(*call.body)["ids"].is_array()) {
    return error_reply(bhttp::status::bad_request, "Invalid 'ids' field");
  }
  json deleted = json::array();
  for (const auto& value : (*call.body)["ids"]) {
    const auto id = json_id(value);
    const Scan* scan = id ? find_scan(*id) : nullptr;
    if (scan != nullptr && !scan_active(*scan, call.now)) {
      scans_.erase(*id);
      active_scans_.erase(*id);
      ++stats_.deletes;
      deleted.push_back(*id);
    }
  }
  return ok({{"deleted", deleted}});
}

}  // namespace sw::sim
