// The simulator's control endpoints under /__sim (docs/simulator.md): stats, faults,
// scenarios, token rotation, unlock, outages, and what a person does to a run in the web UI.
// No authentication; SimServer does not count them as Nessus requests.
#include <boost/beast/http/status.hpp>
#include <set>

#include "sim/requests.hpp"
#include "sim/simulator.hpp"

namespace sw::sim {

namespace bhttp = boost::beast::http;
using nlohmann::json;

Reply Simulator::show_stats(Call& call) { return ok(stats(call.now)); }

Reply Simulator::reset_stats(Call& call) {
  stats_ = Stats{};
  stats_.peak_running = prune_active(call.now);
  stats_.peak_requests_in_flight = requests_in_flight_;
  return ok(json::object());
}

// GET shows the faults; POST changes those its body names first.
Reply Simulator::faults(Call& call) {
  if (call.request.method() == bhttp::verb::post) {
    apply_faults(options_, *call.body);
  }
  return ok(faults_to_json(options_));
}

Reply Simulator::add_scenario(Call& call) {
  rules_.add_override(parse_scenario_rule(*call.body));
  return ok(json::object());
}

// A Nessus upgrade: the web UI bundle carries a new X-API-Token.
Reply Simulator::rotate_token(Call&) {
  options_.api_token = random_scan_uuid().substr(0, 36);
  ++stats_.token_rotations;
  return ok(json::object());
}

Reply Simulator::unlock(Call&) {
  failed_login_streak_ = 0;
  return ok(json::object());
}

Reply Simulator::outage(Call& call) {
  const auto seconds = call.body->value("seconds", 0.0);
  if (seconds <= 0) {
    return error_reply(bhttp::status::bad_request, "seconds must be positive");
  }
  Reply reply = ok(json{{"outage_seconds", seconds}});
  reply.response.keep_alive(false);
  reply.outage_seconds = seconds;
  return reply;
}

Reply Simulator::ui_control(Call& call) {
  const auto& s = call.segments;
  const auto id = parse_id(s[2]);
  Scan* scan = id ? find_scan(*id) : nullptr;
  static const std::set<std::string> actions{"pause", "resume", "stop", "kill"};
  if (scan == nullptr || actions.count(s[3]) == 0) {
    return not_found();
  }
  return run_transition(call, *scan, s[3]);
}

nlohmann::json Simulator::stats(double now) const {
  json by_name = json::object();
  for (const auto& [name, count] : stats_.launches_by_name) {
    by_name[name] = count;
  }
  json by_scan = json::object();
  for (const auto& [id, count] : stats_.launches_by_scan) {
    by_scan[std::to_string(id)] = count;
  }
  json scans = json::array();
  for (const auto& [id, scan] : scans_) {
    scans.push_back({{"id", id},
                     {"name", scan.name},
                     {"status", scan.runs.empty() ? "empty" : scan.runs.back().status(now)},
                     {"targets", scan.targets},
                     {"runs", scan.runs.size()}});
  }
  return {{"profile", to_string(options_.profile)},
          {"scans_created", stats_.scans_created},
          {"launches_total", stats_.launches_total},
          {"launches_by_name", by_name},
          {"launches_by_scan", by_scan},
          {"running_now", running_now(now)},
          {"peak_running", stats_.peak_running},
          {"deletes", stats_.deletes},
          {"stops", stats_.stops},
          {"logins", stats_.logins},
          {"failed_logins", stats_.failed_logins},
          {"api_token_fetches", stats_.api_token_fetches},
          {"template_reads", stats_.template_reads},
          {"folder_reads", stats_.folder_reads},
          {"refused_writes", stats_.refused_writes},
          {"token_rotations", stats_.token_rotations},
          {"requests", stats_.requests},
          {"peak_requests_in_flight", stats_.peak_requests_in_flight},
          {"active_sessions", sessions_.size()},
          {"scans", scans}};
}

}  // namespace sw::sim
