// Request handling of the Nessus simulator (see simulator.hpp and docs/simulator.md#endpoints).
#include "sim/simulator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <cmath>
#include <set>
#include <vector>

#include "core/errors.hpp"

namespace sw::sim {

namespace bhttp = boost::beast::http;
using nlohmann::json;

namespace {

constexpr std::string_view login_required = "You need to log in to perform this request";
constexpr std::string_view invalid_credentials = "Invalid Credentials";
constexpr std::string_view api_not_available = R"({"error":"API is not available"})";
constexpr std::int64_t checks_per_host = 100;  // real servers report scanprogresstotal 100

struct Template {
  std::string_view uuid;
  std::string_view name;
  std::string_view title;
};
constexpr std::array<Template, 4> templates{{
    {"ad629e16-03b6-8c1d-cef6-ef8c9dd3c658d24bd260ef5f9e66", "advanced", "Advanced Scan"},
    {"731a8e52-3ea6-a291-ec0a-d2ff0619c19d7bd788d6be818b65", "basic", "Basic Network Scan"},
    {"bbd4f805-3966-d464-b2d1-0079eb89d69708c3a05ec2812bcf", "discovery", "Host Discovery"},
    {"cfc46c2d-30e7-bb2b-3b92-c75da136792d080c1fffcc429cfd", "asv", "PCI Quarterly External Scan"},
}};

std::int64_t epoch(double seconds) { return static_cast<std::int64_t>(std::floor(seconds)); }

Reply text_reply(bhttp::status status, std::string body, std::string_view content_type = "application/json") {
  Reply reply;
  reply.response = http::Response{status, 11};
  reply.response.set(bhttp::field::content_type, content_type);
  reply.response.body() = std::move(body);
  return reply;
}

Reply json_reply(bhttp::status status, const json& body) { return text_reply(status, body.dump()); }
Reply ok(const json& body) { return json_reply(bhttp::status::ok, body); }
Reply error_reply(bhttp::status status, std::string_view message) {
  return json_reply(status, json{{"error", message}});
}
Reply not_found() { return error_reply(bhttp::status::not_found, "The requested file was not found"); }
Reply not_allowed() {
  return error_reply(bhttp::status::method_not_allowed, "The requested method is not allowed for this URL");
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::stoll(std::string(text));
}

// A JSON id that may be a number or a string of digits.
std::optional<std::int64_t> json_id(const json& value) {
  if (value.is_number_integer()) {
    return value.get<std::int64_t>();
  }
  if (value.is_string()) {
    return parse_id(value.get<std::string>());
  }
  return std::nullopt;
}

std::string url_decode(std::string_view text) {
  std::string decoded;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded += ' ';
    } else if (text[i] == '%' && i + 2 < text.size()) {
      decoded += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

std::map<std::string, std::string> parse_form(std::string_view text) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('&', start), text.size());
    const auto pair = text.substr(start, end - start);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos) {
      fields[url_decode(pair.substr(0, equals))] = url_decode(pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return fields;
}

std::string header(const http::Request& request, std::string_view name) {
  const auto found = request.find(name);
  return found == request.end() ? std::string() : std::string(found->value());
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// "accessKey=...; secretKey=..." -> the two keys (empty when absent).
std::pair<std::string, std::string> parse_api_keys(std::string_view text) {
  std::pair<std::string, std::string> keys;
  for (const auto& [name, value] : parse_form([&] {
         std::string joined(text);
         std::replace(joined.begin(), joined.end(), ';', '&');
         return joined;
       }())) {
    if (trim(name) == "accessKey") {
      keys.first = trim(value);
    } else if (trim(name) == "secretKey") {
      keys.second = trim(value);
    }
  }
  return keys;
}

// "GET /scans/{id}/export/{id}/status": the method and the path, numeric segments as {id}.
std::string endpoint_of(bhttp::verb method, const std::vector<std::string>& segments) {
  std::string endpoint(bhttp::to_string(method));
  endpoint += ' ';
  for (const auto& segment : segments) {
    endpoint += '/';
    endpoint += parse_id(segment) ? std::string("{id}") : segment;
  }
  return segments.empty() ? endpoint + "/" : endpoint;
}

std::string file_name_part(std::string_view name) {
  std::string part;
  for (const char c : name) {
    part += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' ? c : '_';
  }
  return part.empty() ? "scan" : part;
}

}  // namespace

struct Simulator::Call {
  const http::Request& request;
  double now;
  std::string path;
  std::map<std::string, std::string> query;
  std::vector<std::string> segments;
  std::optional<json> body;  // parsed JSON body (an empty body is an empty object)
  bool gated = false;
};

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
  json trash{{"id", trash_folder_id()}, {"name", "Trash"}, {"type", "trash"}, {"default_tag", 0},
             {"custom", 0}, {"unread_count", nullptr}};
  json main{{"id", main_folder_id()}, {"name", "My Scans"}, {"type", "main"}, {"default_tag", 1},
            {"custom", 0}, {"unread_count", nessus10 ? json(nullptr) : json(0)}};
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
  Call call{request, now, target.substr(0, question), {}, {}, std::nullopt, false};
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

Reply Simulator::handle_sim(Call& call) {
  const auto& s = call.segments;
  const auto method = call.request.method();
  if (s.size() == 4 && s[1] == "scans" && method == bhttp::verb::post) {
    return ui_control(call);
  }
  if (s.size() != 2) {
    return not_found();
  }
  if (!call.body) {
    return error_reply(bhttp::status::bad_request, "body is not valid JSON");
  }
  try {
    if (s[1] == "stats" && method == bhttp::verb::get) {
      return ok(stats(call.now));
    }
    if (s[1] == "reset-stats" && method == bhttp::verb::post) {
      stats_ = Stats{};
      stats_.peak_running = prune_active(call.now);
      stats_.peak_requests_in_flight = requests_in_flight_;
      return ok(json::object());
    }
    if (s[1] == "faults" && (method == bhttp::verb::post || method == bhttp::verb::get)) {
      if (method == bhttp::verb::post) {
        apply_faults(options_, *call.body);
      }
      return ok(faults_to_json(options_));
    }
    if (s[1] == "scenario" && method == bhttp::verb::post) {
      rules_.add_override(parse_scenario_rule(*call.body));
      return ok(json::object());
    }
    if (s[1] == "rotate-token" && method == bhttp::verb::post) {
      // A Nessus upgrade: the web UI bundle carries a new X-API-Token.
      options_.api_token = random_scan_uuid().substr(0, 36);
      ++stats_.token_rotations;
      return ok(json::object());
    }
    if (s[1] == "unlock" && method == bhttp::verb::post) {
      failed_login_streak_ = 0;
      return ok(json::object());
    }
    if (s[1] == "outage" && method == bhttp::verb::post) {
      const auto seconds = call.body->value("seconds", 0.0);
      if (seconds <= 0) {
        return error_reply(bhttp::status::bad_request, "seconds must be positive");
      }
      Reply reply = ok(json{{"outage_seconds", seconds}});
      reply.response.keep_alive(false);
      reply.outage_seconds = seconds;
      return reply;
    }
  } catch (const core::Error& e) {
    return error_reply(bhttp::status::bad_request, e.what());
  } catch (const json::exception& e) {
    return error_reply(bhttp::status::bad_request, e.what());
  }
  return not_found();
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
    scans.push_back({{"id", id}, {"name", scan.name}, {"status", scan.runs.empty() ? "empty" : scan.runs.back().status(now)},
                     {"targets", scan.targets}, {"runs", scan.runs.size()}});
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

std::optional<Reply> Simulator::authenticate(Call& call) {
  const auto keys_header = header(call.request, "X-ApiKeys");
  const auto cookie = header(call.request, "X-Cookie");
  std::string session_token;
  bool valid = false;
  if (!keys_header.empty()) {
    const auto [access, secret] = parse_api_keys(keys_header);
    valid = access == options_.access_key && secret == options_.secret_key;
  } else if (cookie.rfind("token=", 0) == 0) {
    session_token = trim(std::string_view(cookie).substr(6));
    const auto found = sessions_.find(session_token);
    if (found != sessions_.end()) {
      if (call.now - found->second.last_used > options_.session_idle_timeout) {
        sessions_.erase(found);
      } else {
        found->second.last_used = call.now;
        valid = true;
      }
    }
  }
  if (valid && options_.faults.force_401_once) {
    options_.faults.force_401_once = false;
    sessions_.erase(session_token);
    valid = false;
  }
  if (!valid) {
    // A token or keys that were sent but are unknown or expired: "Invalid Credentials".
    const bool sent = !keys_header.empty() || !session_token.empty();
    return error_reply(bhttp::status::unauthorized, sent ? invalid_credentials : login_required);
  }
  return std::nullopt;
}

std::optional<Reply> Simulator::check_gate(const Call& call) {
  const bool token_accepted =
      options_.profile == Profile::manager || header(call.request, "X-API-Token") == options_.api_token;
  if (!call.gated || (token_accepted && !options_.faults.refuse_scan_control)) {
    return std::nullopt;
  }
  ++stats_.refused_writes;
  if (options_.faults.close_on_refused_write) {
    Reply closed;
    closed.kind = Reply::Kind::reset;
    return closed;
  }
  Reply reply = text_reply(bhttp::status::precondition_failed, std::string(api_not_available));
  reply.response.keep_alive(false);
  if (options_.faults.drop_body_on_412) {
    reply.kind = Reply::Kind::head_then_close;
    reply.response.set(bhttp::field::content_length, std::to_string(api_not_available.size()));
  }
  return reply;
}

Reply Simulator::handle_nessus(Call& call) {
  const auto& s = call.segments;
  const auto method = call.request.method();
  const bool get = method == bhttp::verb::get;
  const bool post = method == bhttp::verb::post;
  const bool put = method == bhttp::verb::put;
  const bool del = method == bhttp::verb::delete_;

  if (s.size() == 1 && s[0] == "nessus6.js") {
    if (!get) {
      return not_allowed();
    }
    ++stats_.api_token_fetches;
    std::string script = "/* nessus-sim web UI bundle */\n!function(e){\"use strict\";var t=[";
    script += "{key:\"getApiToken\",value:function(){return\"" + options_.api_token + "\"}},";
    script += "{key:\"getVersion\",value:function(){return\"10.10.1\"}}];";
    script += "var CUSTOM_SCAN_TEMPLATE=\"" + options_.custom_scan_template + "\";e.t=t}(window);\n";
    return text_reply(bhttp::status::ok, std::move(script), "application/javascript");
  }
  if (s.size() == 2 && s[0] == "server" && s[1] == "status") {
    if (!get) {
      return not_allowed();
    }
    if (options_.faults.server_loading) {
      return json_reply(bhttp::status::service_unavailable, {{"code", 503}, {"status", "loading"}, {"progress", 42}});
    }
    return ok({{"code", 200},
               {"status", "ready"},
               {"progress", nullptr},
               {"initLevel", 2},
               {"pluginSet", true},
               {"pluginData", true},
               {"detailed_status",
                {{"login_status", "allow"},
                 {"feed_status", {{"status", "ready"}, {"progress", 100}}},
                 {"db_status", {{"status", "ready"}, {"progress", nullptr}}},
                 {"engine_status", {{"status", "ready"}, {"progress", 100}}}}}});
  }
  if (options_.faults.server_loading) {
    return json_reply(bhttp::status::service_unavailable, {{"error", "Nessus is loading"}, {"status", "loading"}});
  }
  if (s.size() == 2 && s[0] == "server" && s[1] == "properties") {
    if (!get) {
      return not_allowed();
    }
    const std::string type = options_.profile == Profile::manager        ? "Nessus Manager"
                             : options_.profile == Profile::professional ? "Nessus Professional"
                                                                         : "Nessus Essentials";
    json properties{{"nessus_type", type}, {"server_version", "10.10.1"}, {"nessus_ui_version", "10.10.1"},
                    {"nessus_ui_build", "20010"}, {"server_build", "20010"}};
    if (!authenticate(call)) {
      const bool scan_api = options_.profile == Profile::manager;
      const bool home = options_.profile == Profile::essentials;
      properties.update({{"platform", "LINUX"}, {"server_uuid", "5b6c7d8e-0000-4000-8000-nessussim0001"},
                         {"loaded_plugin_set", "202511060226"}, {"plugin_set", "202511060226"},
                         {"scanner_boottime", 1762530000},
                         {"idle_timeout", std::to_string(epoch(options_.session_idle_timeout / 60))},
                         {"used_ip_count", 1}, {"features", {{"api", true}, {"scan_api", scan_api}}},
                         {"license",
                          {{"type", home ? "home" : options_.profile == Profile::manager ? "manager" : "pro"},
                           {"name", type}, {"restricted", home}, {"ips", home ? json(16) : json(nullptr)},
                           {"mode", 3}, {"agents", 0}, {"scanners", 0},
                           {"features", {{"api", true}, {"scan_api", scan_api}, {"policies", true},
                                         {"report", true}, {"users", !home}, {"folders", true},
                                         {"local_scanner", true}}}}}});
    }
    return ok(properties);
  }
  if (s.size() == 1 && s[0] == "session" && post) {
    return login(call);
  }
  if (s.size() == 3 && s[0] == "tokens") {
    const auto found = export_tokens_.find(s[1]);
    if (!get) {
      return not_allowed();
    }
    if (found == export_tokens_.end() || (s[2] != "status" && s[2] != "download")) {
      return not_found();
    }
    const auto& job = exports_.at(found->second);
    return s[2] == "status" ? export_status(call, job.file_id) : download(call, job);
  }

  // Everything below needs authentication.
  const bool known = (s.size() == 1 && (s[0] == "session" || s[0] == "folders" || s[0] == "scans")) ||
                     (s.size() == 2 && s[0] == "session" && s[1] == "keys") ||
                     (s.size() >= 3 && s.size() <= 4 && s[0] == "editor") || (s.size() >= 2 && s[0] == "scans");
  if (!known) {
    return not_found();
  }
  if (auto refused = authenticate(call)) {
    return *refused;
  }
  if (s[0] == "session") {
    if (s.size() == 2) {
      return put ? regenerate_keys(call) : not_allowed();
    }
    if (del) {
      return logout(call);
    }
    if (get) {
      return ok({{"id", 2}, {"username", options_.username}, {"email", ""}, {"name", options_.username},
                 {"type", "local"}, {"permissions", 128}, {"lastlogin", epoch(call.now)}, {"container_id", 0},
                 {"groups", nullptr}});
    }
    return not_allowed();
  }
  if (s[0] == "folders") {
    if (!get) {
      return not_allowed();
    }
    ++stats_.folder_reads;
    return ok({{"folders", folders_json()}});
  }
  if (s[0] == "editor") {
    if (!get || (s[1] != "scan" && s[1] != "policy")) {
      return get ? not_found() : not_allowed();
    }
    if (s.size() == 3 && s[2] == "templates") {
      ++stats_.template_reads;
      json list = json::array();
      for (const auto& t : templates) {
        list.push_back({{"uuid", t.uuid}, {"name", t.name}, {"title", t.title}, {"desc", t.title},
                        {"cloud_only", false}, {"subscription_only", false}, {"is_agent", nullptr},
                        {"unsupported", false}, {"manager_only", false}, {"more_info", ""}});
      }
      return ok({{"templates", list}});
    }
    json document{{"settings", {{"basic", {{"inputs", json::array({{{"id", "name"}, {"name", "Name"}, {"type", "entry"}, {"default", ""}, {"required", true}},
                                                                    {{"id", "text_targets"}, {"name", "Targets"}, {"type", "textarea"}, {"default", ""}, {"required", true}}})},
                                             {"groups", json::array()}}}}},
                  {"credentials", {{"data", json::array()}}},
                  {"plugins", {{"families", json::object()}}}};
    if (s.size() == 4 && s[2] == "templates") {
      const auto found = std::find_if(templates.begin(), templates.end(), [&](const Template& t) { return t.uuid == s[3]; });
      if (found == templates.end()) {
        return not_found();
      }
      document.update({{"uuid", found->uuid}, {"name", found->name}, {"title", found->title}});
      return ok(document);
    }
    const auto id = s.size() == 3 ? parse_id(s[2]) : std::nullopt;
    const Scan* scan = id ? find_scan(*id) : nullptr;
    if (scan == nullptr) {
      return not_found();
    }
    document.update({{"uuid", scan->template_uuid}, {"name", "advanced"}, {"title", "Advanced Scan"}});
    document["settings"]["basic"]["inputs"][0]["default"] = scan->name;
    document["settings"]["basic"]["inputs"][1]["default"] = scan->targets;
    return ok(document);
  }

  // /scans...
  const bool control = s.size() == 3 && (s[2] == "launch" || s[2] == "stop" || s[2] == "pause" ||
                                         s[2] == "resume" || s[2] == "kill");
  call.gated = (s.size() == 1 && (post || del)) || (s.size() == 2 && (put || del)) ||
               (s.size() == 3 && s[2] == "folder" && put) || (control && post);
  if (s.size() == 1) {
    if (get) {
      return list_scans(call);
    }
    if (!post && !del) {
      return not_allowed();
    }
    if (auto refused = check_gate(call)) {
      return *refused;
    }
    return post ? create_scan(call) : bulk_delete(call);
  }
  const auto id = parse_id(s[1]);
  Scan* scan = id ? find_scan(*id) : nullptr;
  if (s.size() == 2) {
    if (!get && !put && !del) {
      return not_allowed();
    }
    if (auto refused = check_gate(call)) {
      return *refused;
    }
    if (scan == nullptr) {
      return not_found();
    }
    if (get) {
      return scan_details(call, *scan);
    }
    return put ? configure_scan(call, *scan) : delete_scan(call, *id);
  }
  if (control || (s.size() == 3 && s[2] == "folder")) {
    if ((control && !post) || (!control && !put)) {
      return not_allowed();
    }
    if (auto refused = check_gate(call)) {
      return *refused;
    }
    if (scan == nullptr) {
      return not_found();
    }
    if (s[2] == "launch") {
      return launch_scan(call, *scan);
    }
    if (s[2] == "folder") {
      const auto folder = call.body ? json_id(call.body->value("folder_id", json())) : std::nullopt;
      if (!folder || (*folder != main_folder_id() && *folder != trash_folder_id())) {
        return not_found();
      }
      scan->folder_id = *folder;
      scan->modified_at = call.now;
      return ok(json::object());
    }
    return control_scan(call, *scan, s[2]);
  }
  if (s.size() == 3 && s[2] == "export") {
    if (!post) {
      return not_allowed();
    }
    return scan == nullptr ? not_found() : start_export(call, *scan);
  }
  if (s.size() == 5 && s[2] == "export" && (s[4] == "status" || s[4] == "download")) {
    if (!get) {
      return not_allowed();
    }
    const auto file = parse_id(s[3]);
    const auto job = file ? exports_.find(*file) : exports_.end();
    if (scan == nullptr || job == exports_.end() || job->second.scan_id != scan->id) {
      return not_found();
    }
    return s[4] == "status" ? export_status(call, *file) : download(call, job->second);
  }
  return not_found();
}

Reply Simulator::login(Call& call) {
  std::string username;
  std::string password;
  if (header(call.request, "Content-Type").find("application/x-www-form-urlencoded") != std::string::npos) {
    auto form = parse_form(call.request.body());
    username = form["username"];
    password = form["password"];
  } else if (call.body && call.body->is_object()) {
    username = call.body->value("username", "");
    password = call.body->value("password", "");
  }
  if (username.empty()) {
    return error_reply(bhttp::status::bad_request, "username format is not valid");
  }
  const bool locked = options_.max_login_attempts > 0 && failed_login_streak_ >= options_.max_login_attempts;
  if (locked || username != options_.username || password != options_.password) {
    if (!locked) {
      ++failed_login_streak_;
    }
    ++stats_.failed_logins;
    return error_reply(bhttp::status::unauthorized, "Invalid Credentials");
  }
  failed_login_streak_ = 0;
  ++stats_.logins;
  auto token = random_hex(48);
  sessions_[token] = Session{username, call.now};
  return ok({{"token", token}});
}

Reply Simulator::logout(Call& call) {
  const auto cookie = header(call.request, "X-Cookie");
  if (cookie.rfind("token=", 0) == 0) {
    sessions_.erase(trim(std::string_view(cookie).substr(6)));
  }
  // Nessus 10 answers 200 with an empty body; some versions send `null`.
  return text_reply(bhttp::status::ok, options_.faults.logout_null_body ? "null" : "");
}

Reply Simulator::regenerate_keys(Call& call) {
  (void)call;
  options_.access_key = random_hex(64);
  options_.secret_key = random_hex(64);
  return ok({{"accessKey", options_.access_key}, {"secretKey", options_.secret_key}});
}

Reply Simulator::list_scans(Call& call) {
  const auto folder = call.query.count("folder_id") != 0 ? parse_id(call.query["folder_id"]) : std::nullopt;
  const auto since = call.query.count("last_modification_date") != 0 ? parse_id(call.query["last_modification_date"])
                                                                     : std::nullopt;
  json scans = json::array();
  for (const auto& [id, scan] : scans_) {
    double modified = scan.modified_at;
    if (!scan.runs.empty()) {
      modified = std::max(modified, scan.runs.back().ended_at(call.now).value_or(modified));
    }
    if ((folder && scan.folder_id != *folder) || (since && epoch(modified) <= *since)) {
      continue;
    }
    const bool stale = !scan.runs.empty() &&
                       call.now - scan.runs.back().launched_at() < options_.faults.stale_status_after_launch;
    const Run* shown = scan.runs.empty() ? nullptr
                       : stale           ? (scan.runs.size() > 1 ? &scan.runs[scan.runs.size() - 2] : nullptr)
                                         : &scan.runs.back();
    // As real servers list them: a never-launched scan has dates 0 and type null; after
    // runs the dates are the latest run's start and end (or last change while it runs).
    const Run* latest = scan.runs.empty() ? nullptr : &scan.runs.back();
    const double listed_end = latest != nullptr ? latest->ended_at(call.now).value_or(scan.modified_at) : 0;
    scans.push_back({{"id", id}, {"uuid", shown != nullptr ? json(shown->uuid()) : json(nullptr)},
                     {"name", scan.name}, {"owner", options_.username}, {"folder_id", scan.folder_id},
                     {"status", status_for_list(scan, call.now)}, {"type", latest != nullptr ? json("local") : json(nullptr)},
                     {"read", false}, {"shared", false}, {"user_permissions", 128}, {"enabled", false},
                     {"control", true}, {"creation_date", latest != nullptr ? epoch(latest->launched_at()) : 0},
                     {"last_modification_date", latest != nullptr ? epoch(listed_end) : 0},
                     {"starttime", nullptr}, {"timezone", nullptr}, {"rrules", nullptr}});
  }
  return ok({{"folders", folders_json()},
             {"scans", scans.empty() ? json(nullptr) : scans},
             {"timestamp", epoch(call.now)}});
}

namespace {

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

Reply Simulator::create_scan(Call& call) {
  if (!call.body || !call.body->is_object()) {
    return error_reply(bhttp::status::bad_request, "Invalid JSON body");
  }
  const auto& body = *call.body;
  const auto uuid = body.value("uuid", "");
  const bool known_template =
      uuid == options_.custom_scan_template ||
      std::any_of(templates.begin(), templates.end(), [&](const Template& t) { return t.uuid == uuid; });
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
  json object{{"id", stored.id}, {"uuid", stored.creation_uuid}, {"name", stored.name},
              {"description", stored.description}, {"policy_id", stored.id + 100}, {"scanner_id", 1},
              {"owner", options_.username}, {"owner_id", 2}, {"custom_targets", stored.targets},
              {"enabled", false}, {"shared", 0}, {"type", "public"}, {"user_permissions", 128},
              {"default_permisssions", 0}, {"emails", nullptr}, {"rrules", nullptr}, {"starttime", nullptr},
              {"timezone", nullptr}, {"notification_filters", nullptr}, {"tag_id", stored.folder_id},
              {"creation_date", epoch(stored.created_at)}, {"last_modification_date", epoch(stored.modified_at)}};
  if (settings.value("launch_now", false)) {
    launch_scan(call, stored);
  }
  return ok({{"scan", object}});
}

Reply Simulator::configure_scan(Call& call, Scan& scan) {
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

Reply Simulator::launch_scan(Call& call, Scan& scan) {
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

Reply Simulator::control_scan(Call& call, Scan& scan, const std::string& action) {
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
    return error_reply(bhttp::status::conflict, action == "resume" ? "Scan is not active and/or couldn't be resumed."
                                                                   : "Scan is not active.");
  }
  scan.modified_at = call.now;
  return ok(json::object());
}

Reply Simulator::scan_details(Call& call, const Scan& scan) {
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

  json info{{"object_id", scan.id}, {"uuid", reported != nullptr ? json(reported->uuid()) : json(nullptr)},
            {"name", scan.name}, {"status", status}, {"policy", "Advanced Scan"},
            {"scanner_name", "Local Scanner"}, {"targets", run != nullptr ? run->targets() : scan.targets},
            {"folder_id", scan.folder_id}, {"hostcount", run != nullptr ? run->hosts().size() : 0},
            {"scan_type", "local"}, {"alt_targets_used", nullptr}, {"no_target", nullptr}, {"control", true},
            {"edit_allowed", true}, {"user_permissions", 128}, {"haskb", false}, {"hasaudittrail", false},
            {"pci-can-upload", false},
            {"acls", json::array({{{"type", "user"}, {"id", 2}, {"name", options_.username},
                                   {"display_name", options_.username}, {"owner", 1}, {"permissions", 128}}})}};
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
      hosts.push_back({{"host_id", progress.index + 2}, {"host_index", progress.index}, {"hostname", host.host.name},
                       {"progress", checks}, {"scanprogresscurrent", done}, {"scanprogresstotal", checks_per_host},
                       {"numchecksconsidered", done}, {"totalchecksconsidered", checks_per_host},
                       {"critical", critical}, {"high", high}, {"medium", medium}, {"low", low}, {"info", info_count},
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
      vulnerabilities = json::array(
          {{{"plugin_id", 19506}, {"plugin_name", "Nessus Scan Information"}, {"plugin_family", "Settings"},
            {"severity", 0}, {"severity_index", 0}, {"vuln_index", 1}, {"count", count}},
           {{"plugin_id", 10940}, {"plugin_name", "Windows Terminal Services Enabled"}, {"plugin_family", "Windows"},
            {"severity", 0}, {"severity_index", 1}, {"vuln_index", 2}, {"count", count}}});
    }
  }
  json history = json::array();
  for (const auto& r : scan.runs) {
    history.push_back({{"history_id", r.history_id()}, {"uuid", r.uuid()}, {"status", r.status(now)},
                       {"type", "local"}, {"scheduler", 0}, {"alt_targets_used", r.targets() != scan.targets},
                       {"owner_id", 2}, {"creation_date", epoch(r.launched_at())},
                       {"last_modification_date", epoch(r.ended_at(now).value_or(r.launched_at()))}});
  }
  return ok({{"info", info},
             {"hosts", hosts},
             {"vulnerabilities", vulnerabilities},
             {"history", history.empty() ? json(nullptr) : history},
             {"remediations", {{"remediations", nullptr}, {"num_hosts", hosts.size()}, {"num_cves", 0},
                               {"num_impacted_hosts", 0}, {"num_remediated_cves", 0}}},
             {"notes", nullptr},
             {"compliance", json::array()},
             {"comphosts", json::array()},
             {"filters", json::array()}});
}

Reply Simulator::delete_scan(Call& call, std::int64_t id) {
  if (scan_active(scans_.at(id), call.now)) {
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

Reply Simulator::start_export(Call& call, const Scan& scan) {
  if (!call.body || !call.body->is_object()) {
    return error_reply(bhttp::status::bad_request, "Invalid JSON body");
  }
  const auto format = call.body->value("format", "");
  static const std::set<std::string> formats{"nessus", "csv", "html", "pdf", "db"};
  if (formats.count(format) == 0) {
    return error_reply(bhttp::status::bad_request, "Invalid 'format' field");
  }
  if (format != "nessus") {
    return error_reply(bhttp::status::bad_request, "nessus-sim exports only the nessus format");
  }
  if (scan.runs.empty()) {
    return error_reply(bhttp::status::bad_request, "The scan has no results to export");
  }
  if (scan_active(scan, call.now)) {
    return error_reply(bhttp::status::conflict, "Can not export running scans");
  }
  std::optional<std::int64_t> history;
  if (call.query.count("history_id") != 0) {
    history = parse_id(call.query["history_id"]);
  } else if (call.body->contains("history_id")) {
    history = json_id((*call.body)["history_id"]);
  }
  const Run* run = &scan.runs.back();
  if (history) {
    const auto found = std::find_if(scan.runs.begin(), scan.runs.end(),
                                    [&](const Run& r) { return r.history_id() == *history; });
    if (found == scan.runs.end()) {
      return not_found();
    }
    run = &*found;
  }
  ExportJob job;
  do {
    job.file_id = 1000000000 + static_cast<std::int64_t>(random_() % 1000000000);
  } while (exports_.count(job.file_id) != 0);
  job.token = random_hex(64);
  job.scan_id = scan.id;
  job.history_id = run->history_id();
  job.created_at = call.now;
  job.fails = options_.faults.export_error || options_.faults.export_failures > 0;
  if (options_.faults.export_failures > 0) {
    --options_.faults.export_failures;
  }
  export_tokens_[job.token] = job.file_id;
  exports_[job.file_id] = job;
  return ok({{"file", job.file_id}, {"token", job.token}});
}

Reply Simulator::export_status(const Call& call, std::int64_t file_id) {
  const auto& job = exports_.at(file_id);
  if (call.now < job.created_at + options_.export_seconds) {
    return ok({{"status", "loading"}});
  }
  if (job.fails) {
    // As real servers do: a 500 whose body says "error", and the file id is gone after it.
    export_tokens_.erase(job.token);
    exports_.erase(file_id);
    return json_reply(bhttp::status::internal_server_error, {{"status", "error"}});
  }
  return ok({{"status", "ready"}});
}

Reply Simulator::ui_control(Call& call) {
  const auto& s = call.segments;
  const auto id = parse_id(s[2]);
  Scan* scan = id ? find_scan(*id) : nullptr;
  static const std::set<std::string> actions{"pause", "resume", "stop", "kill"};
  if (scan == nullptr || actions.count(s[3]) == 0) {
    return not_found();
  }
  return control_scan(call, *scan, s[3]);
}

Reply Simulator::download(const Call& call, const ExportJob& job) const {
  const auto scan = scans_.find(job.scan_id);
  const auto run = scan == scans_.end() ? nullptr : [&]() -> const Run* {
    for (const auto& r : scan->second.runs) {
      if (r.history_id() == job.history_id) {
        return &r;
      }
    }
    return nullptr;
  }();
  if (run == nullptr || job.fails) {
    return not_found();
  }
  if (call.now < job.created_at + options_.export_seconds) {
    return error_reply(bhttp::status::conflict, "Report is still being generated");
  }
  Reply reply;
  reply.kind = Reply::Kind::stream_download;
  reply.response = http::Response{bhttp::status::ok, 11};
  reply.response.set(bhttp::field::content_type, "application/octet-stream");
  reply.response.set(bhttp::field::content_disposition,
                     "attachment; filename=\"" + file_name_part(scan->second.name) + "_" +
                         std::to_string(run->history_id()) + ".nessus\"");
  reply.download_bytes_per_second = options_.faults.slow_download_bytes_per_second;
  auto& spec = reply.download;
  spec.scan_name = scan->second.name;
  spec.targets = run->targets();
  spec.username = scan->second.ssh ? scan->second.ssh->username : options_.username;
  spec.plugin_set_size = options_.plugin_set_size;
  spec.scan_start = epoch(run->launched_at());
  spec.scan_end = epoch(run->ended_at(call.now).value_or(call.now));
  spec.seed = options_.seed ^ (static_cast<std::uint64_t>(scan->second.id) << 20) ^
              static_cast<std::uint64_t>(run->history_id());
  for (const auto& host : run->hosts()) {
    spec.hosts.push_back(exportgen::HostSpec{host.host.name, host.host.ip, host.auth, options_.findings_per_host});
  }
  return reply;
}

}  // namespace sw::sim
