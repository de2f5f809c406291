// The simulator's core (see simulator.hpp): the route table, the dispatch of each request
// through it (authentication, the X-API-Token gate, the loading server, faults and delays),
// and the state shared by the handlers (scans, folders, random ids).
#include "sim/simulator.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include "core/errors.hpp"
#include "sim/requests.hpp"

namespace sw::sim {

namespace bhttp = boost::beast::http;
using nlohmann::json;

namespace {

// Paths that no route fits but that real servers answer 404 only after a login.
bool behind_login(const std::vector<std::string>& s) {
  return (s.size() >= 2 && s[0] == "scans") || (s.size() >= 3 && s.size() <= 4 && s[0] == "editor");
}

}  // namespace

const std::vector<Simulator::Route>& Simulator::nessus_routes() {
  using enum Access;
  constexpr auto get = bhttp::verb::get;
  constexpr auto post = bhttp::verb::post;
  constexpr auto put = bhttp::verb::put;
  constexpr auto del = bhttp::verb::delete_;
  // The first route that fits the path and the method wins.
  static const std::vector<Route> routes{
      {get, "/nessus6.js", open_while_loading, &Simulator::api_token_script},
      {get, "/server/status", open_while_loading, &Simulator::server_status},
      {get, "/server/properties", open, &Simulator::server_properties},
      {post, "/session", open, &Simulator::login},
      {get, "/session", login, &Simulator::session_info},
      {del, "/session", login, &Simulator::logout},
      {put, "/session/keys", login, &Simulator::regenerate_keys},
      {get, "/tokens/{*}/status", open, &Simulator::token_status},
      {get, "/tokens/{*}/download", open, &Simulator::token_download},
      {get, "/folders", login, &Simulator::list_folders},
      {get, "/editor/{*}/templates", login, &Simulator::list_templates},
      {get, "/editor/{*}/templates/{*}", login, &Simulator::template_editor},
      {get, "/editor/{*}/{*}", login, &Simulator::scan_editor},
      {get, "/scans", login, &Simulator::list_scans},
      {post, "/scans", gated, &Simulator::create_scan},
      {del, "/scans", gated, &Simulator::bulk_delete},
      {get, "/scans/{scan}", login, &Simulator::scan_details},
      {put, "/scans/{scan}", gated, &Simulator::configure_scan},
      {del, "/scans/{scan}", gated, &Simulator::delete_scan},
      {put, "/scans/{scan}/folder", gated, &Simulator::move_scan},
      {post, "/scans/{scan}/launch", gated, &Simulator::launch_scan},
      {post, "/scans/{scan}/stop", gated, &Simulator::control_scan},
      {post, "/scans/{scan}/pause", gated, &Simulator::control_scan},
      {post, "/scans/{scan}/resume", gated, &Simulator::control_scan},
      {post, "/scans/{scan}/kill", gated, &Simulator::control_scan},
      {post, "/scans/{scan}/export", login, &Simulator::start_export},
      {get, "/scans/{scan}/export/{*}/status", login, &Simulator::export_status},
      {get, "/scans/{scan}/export/{*}/download", login, &Simulator::export_download},
  };
  return routes;
}

const std::vector<Simulator::Route>& Simulator::admin_routes() {
  using enum Access;
  constexpr auto get = bhttp::verb::get;
  constexpr auto post = bhttp::verb::post;
  static const std::vector<Route> routes{
      {get, "/__sim/stats", open, &Simulator::show_stats},
      {post, "/__sim/reset-stats", open, &Simulator::reset_stats},
      {get, "/__sim/faults", open, &Simulator::faults},
      {post, "/__sim/faults", open, &Simulator::faults},
      {post, "/__sim/scenario", open, &Simulator::add_scenario},
      {post, "/__sim/rotate-token", open, &Simulator::rotate_token},
      {post, "/__sim/unlock", open, &Simulator::unlock},
      {post, "/__sim/outage", open, &Simulator::outage},
      {post, "/__sim/scans/{*}/{*}", open, &Simulator::ui_control},
  };
  return routes;
}

Simulator::Simulator(SimOptions options) : options_(std::move(options)), random_(options_.seed) {
  for (const auto& rule : options_.scenario_rules) {
    rules_.add_override(rule);
  }
}

bool Simulator::chance(double share) {
  return share > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < share;
}

std::string Simulator::random_hex(std::size_t length) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < length; ++i) {
    text += digits[random_() % 16];
  }
  return text;
}

std::string Simulator::random_scan_uuid() {
  return random_hex(8) + "-" + random_hex(4) + "-" + random_hex(4) + "-" + random_hex(4) + "-" + random_hex(28);
}

std::int64_t Simulator::main_folder_id() const {
  switch (options_.folder_layout) {
    case FolderLayout::nessus6:
      return 2;
    case FolderLayout::nessus10:
      return 137;
    case FolderLayout::nessus7:
      break;
  }
  return 3;
}

std::int64_t Simulator::trash_folder_id() const {
  switch (options_.folder_layout) {
    case FolderLayout::nessus6:
      return 3;
    case FolderLayout::nessus10:
      return 136;
    case FolderLayout::nessus7:
      break;
  }
  return 2;
}

json Simulator::folders_json() const {
  const bool nessus10 = options_.folder_layout == FolderLayout::nessus10;
  json trash{{"id", trash_folder_id()}, {"name", "Trash"}, {"type", "trash"},
             {"default_tag", 0},        {"custom", 0},     {"unread_count", nullptr}};
  json main{{"id", main_folder_id()}, {"name", "My Scans"}, {"type", "main"},
            {"default_tag", 1},       {"custom", 0},        {"unread_count", nessus10 ? json(nullptr) : json(0)}};
  return options_.folder_layout == FolderLayout::nessus6 ? json::array({main, trash}) : json::array({trash, main});
}

Scan* Simulator::find_scan(std::int64_t id) {
  const auto found = scans_.find(id);
  return found == scans_.end() ? nullptr : &found->second;
}

bool Simulator::scan_active(const Scan& scan, double now) const {
  return !scan.runs.empty() && scan.runs.back().active(now);
}

std::int64_t Simulator::running_now(double now) const {
  return std::count_if(active_scans_.begin(), active_scans_.end(),
                       [&](std::int64_t id) { return scan_active(scans_.at(id), now); });
}

std::int64_t Simulator::prune_active(double now) {
  std::erase_if(active_scans_, [&](std::int64_t id) { return !scan_active(scans_.at(id), now); });
  return static_cast<std::int64_t>(active_scans_.size());
}

std::string Simulator::status_for_list(const Scan& scan, double now) const {
  if (scan.runs.empty()) {
    return "empty";
  }
  const auto& latest = scan.runs.back();
  if (now - latest.launched_at() < options_.faults.stale_status_after_launch) {
    return scan.runs.size() > 1 ? scan.runs[scan.runs.size() - 2].status(now) : "empty";
  }
  return latest.status(now);
}

Reply Simulator::handle(const http::Request& request, double now) {
  const std::string target(request.target());
  const auto question = target.find('?');
  Call call{request, now, target.substr(0, question), {}, {}, std::nullopt, nullptr};
  if (question != std::string::npos) {
    call.query = parse_form(std::string_view(target).substr(question + 1));
  }
  std::size_t start = 1;
  while (start < call.path.size()) {
    const auto end = std::min(call.path.find('/', start), call.path.size());
    if (end > start) {
      call.segments.push_back(call.path.substr(start, end - start));
    }
    start = end + 1;
  }
  if (!request.body().empty()) {
    call.body = json::parse(request.body(), nullptr, false);
    if (call.body->is_discarded()) {
      call.body.reset();
    }
  } else {
    call.body = json::object();
  }
  if (!call.segments.empty() && call.segments.front() == "__sim") {
    return handle_sim(call);
  }
  ++stats_.requests;
  if (chance(options_.faults.reset_rate)) {
    Reply reply;
    reply.kind = Reply::Kind::reset;
    return reply;
  }
  Reply reply = chance(options_.faults.error_rate_5xx)
                    ? error_reply(bhttp::status::internal_server_error, "Internal Server Error")
                    : handle_nessus(call);
  int delay_ms = options_.faults.slow_ms;
  if (!options_.faults.slow_endpoints.empty()) {
    const auto slow = options_.faults.slow_endpoints.find(endpoint_of(request.method(), call.segments));
    delay_ms += slow == options_.faults.slow_endpoints.end() ? 0 : slow->second;
  }
  reply.delay = std::chrono::milliseconds(delay_ms);
  return reply;
}

void Simulator::request_began() {
  ++requests_in_flight_;
  stats_.peak_requests_in_flight = std::max(stats_.peak_requests_in_flight, requests_in_flight_);
}

void Simulator::request_ended() { --requests_in_flight_; }

Reply Simulator::handle_nessus(Call& call) {
  const Route* route = nullptr;   // fits the path and the method
  bool path_known = false;        // some route fits the path
  bool path_needs_login = false;  // some route of the path needs a login
  bool while_loading = false;     // the path is answered while the server is loading
  for (const auto& candidate : nessus_routes()) {
    if (!path_matches(candidate.pattern, call.segments)) {
      continue;
    }
    path_known = true;
    path_needs_login |= candidate.access == Access::login || candidate.access == Access::gated;
    while_loading |= candidate.access == Access::open_while_loading;
    if (route == nullptr && candidate.method == call.request.method()) {
      route = &candidate;
    }
  }
  if (options_.faults.server_loading && !while_loading) {
    return json_reply(bhttp::status::service_unavailable, {{"error", "Nessus is loading"}, {"status", "loading"}});
  }
  const bool needs_login = route != nullptr ? route->access == Access::login || route->access == Access::gated
                           : path_known     ? path_needs_login
                                            : behind_login(call.segments);
  if (needs_login) {
    if (auto refused = authenticate(call)) {
      return *refused;
    }
  }
  if (!path_known) {
    return not_found();
  }
  if (route == nullptr) {
    return not_allowed();
  }
  if (route->access == Access::gated) {
    if (auto refused = check_gate(call)) {
      return *refused;
    }
  }
  if (const auto at = scan_segment_of(route->pattern)) {
    const auto id = parse_id(call.segments[*at]);
    call.scan = id ? find_scan(*id) : nullptr;
    if (call.scan == nullptr) {
      return not_found();
    }
  }
  return (this->*route->handler)(call);
}

// Control endpoints answer 404 for any method or path they do not know; a body they read
// must be JSON, and a setting they refuse is 400 with the reason.
Reply Simulator::handle_sim(Call& call) {
  for (const auto& route : admin_routes()) {
    if (route.method != call.request.method() || !path_matches(route.pattern, call.segments)) {
      continue;
    }
    if (!call.body) {
      return error_reply(bhttp::status::bad_request, "body is not valid JSON");
    }
    try {
      return (this->*route.handler)(call);
    } catch (const core::Error& e) {
      return error_reply(bhttp::status::bad_request, e.what());
    } catch (const json::exception& e) {
      return error_reply(bhttp::status::bad_request, e.what());
    }
  }
  return not_found();
}

}  // namespace sw::sim
