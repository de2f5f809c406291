// The simulator's session and server endpoints (see simulator.hpp): /nessus6.js with the
// X-API-Token, the server's status and properties, login and logout, the API keys, folders
// and scan templates; and the checks other calls go through: authentication (a session or
// the API keys) and the X-API-Token gate of scan control.
#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include "sim/requests.hpp"
#include "sim/simulator.hpp"

namespace sw::sim {

namespace bhttp = boost::beast::http;
using nlohmann::json;

namespace {

constexpr std::string_view login_required = "You need to log in to perform this request";
constexpr std::string_view invalid_credentials = "Invalid Credentials";
constexpr std::string_view api_not_available = R"({"error":"API is not available"})";

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

// /editor/scan/... and /editor/policy/... exist; other kinds of editor do not.
bool known_editor(const std::vector<std::string>& segments) { return segments[1] == "scan" || segments[1] == "policy"; }

// The editor document of a template or a scan (its inputs filled in by the caller).
json editor_document() {
  return {{"settings",
           {{"basic",
             {{"inputs",
               json::array({{{"id", "name"}, {"name", "Name"}, {"type", "entry"}, {"default", ""}, {"required", true}},
                            {{"id", "text_targets"},
                             {"name", "Targets"},
                             {"type", "textarea"},
                             {"default", ""},
                             {"required", true}}})},
              {"groups", json::array()}}}}},
          {"credentials", {{"data", json::array()}}},
          {"plugins", {{"families", json::object()}}}};
}

}  // namespace

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
  if (token_accepted && !options_.faults.refuse_scan_control) {
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

Reply Simulator::api_token_script(Call&) {
  ++stats_.api_token_fetches;
  std::string script = "/* nessus-sim web UI bundle */\n!function(e){\"use strict\";var t=[";
  script += "{key:\"getApiToken\",value:function(){return\"" + options_.api_token + "\"}},";
  script += "{key:\"getVersion\",value:function(){return\"10.10.1\"}}];";
  script += "var CUSTOM_SCAN_TEMPLATE=\"" + options_.custom_scan_template + "\";e.t=t}(window);\n";
  return text_reply(bhttp::status::ok, std::move(script), "application/javascript");
}

Reply Simulator::server_status(Call&) {
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

Reply Simulator::server_properties(Call& call) {
  const std::string type = options_.profile == Profile::manager        ? "Nessus Manager"
                           : options_.profile == Profile::professional ? "Nessus Professional"
                                                                       : "Nessus Essentials";
  json properties{{"nessus_type", type},
                  {"server_version", "10.10.1"},
                  {"nessus_ui_version", "10.10.1"},
                  {"nessus_ui_build", "20010"},
                  {"server_build", "20010"}};
  if (!authenticate(call)) {
    const bool scan_api = options_.profile == Profile::manager;
    const bool home = options_.profile == Profile::essentials;
    properties.update({{"platform", "LINUX"},
                       {"server_uuid", "5b6c7d8e-0000-4000-8000-nessussim0001"},
                       {"loaded_plugin_set", "202511060226"},
                       {"plugin_set", "202511060226"},
                       {"scanner_boottime", 1762530000},
                       {"idle_timeout", std::to_string(epoch(options_.session_idle_timeout / 60))},
                       {"used_ip_count", 1},
                       {"features", {{"api", true}, {"scan_api", scan_api}}},
                       {"license",
                        {{"type", home                                   ? "home"
                                  : options_.profile == Profile::manager ? "manager"
                                                                         : "pro"},
                         {"name", type},
                         {"restricted", home},
                         {"ips", home ? json(16) : json(nullptr)},
                         {"mode", 3},
                         {"agents", 0},
                         {"scanners", 0},
                         {"features",
                          {{"api", true},
                           {"scan_api", scan_api},
                           {"policies", true},
                           {"report", true},
                           {"users", !home},
                           {"folders", true},
                           {"local_scanner", true}}}}}});
  }
  return ok(properties);
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

Reply Simulator::regenerate_keys(Call&) {
  options_.access_key = random_hex(64);
  options_.secret_key = random_hex(64);
  return ok({{"accessKey", options_.access_key}, {"secretKey", options_.secret_key}});
}

Reply Simulator::session_info(Call& call) {
  return ok({{"id", 2},
             {"username", options_.username},
             {"email", ""},
             {"name", options_.username},
             {"type", "local"},
             {"permissions", 128},
             {"lastlogin", epoch(call.now)},
             {"container_id", 0},
             {"groups", nullptr}});
}

Reply Simulator::list_folders(Call&) {
  ++stats_.folder_reads;
  return ok({{"folders", folders_json()}});
}

Reply Simulator::list_templates(Call& call) {
  if (!known_editor(call.segments)) {
    return not_found();
  }
  ++stats_.template_reads;
  json list = json::array();
  for (const auto& t : scan_templates) {
    list.push_back({{"uuid", t.uuid},
                    {"name", t.name},
                    {"title", t.title},
                    {"desc", t.title},
                    {"cloud_only", false},
                    {"subscription_only", false},
                    {"is_agent", nullptr},
                    {"unsupported", false},
                    {"manager_only", false},
                    {"more_info", ""}});
  }
  return ok({{"templates", list}});
}

Reply Simulator::template_editor(Call& call) {
  const auto& uuid = call.segments[3];
  const auto found =
      std::find_if(scan_templates.begin(), scan_templates.end(), [&](const ScanTemplate& t) { return t.uuid == uuid; });
  if (!known_editor(call.segments) || found == scan_templates.end()) {
    return not_found();
  }
  json document = editor_document();
  document.update({{"uuid", found->uuid}, {"name", found->name}, {"title", found->title}});
  return ok(document);
}

Reply Simulator::scan_editor(Call& call) {
  const auto id = parse_id(call.segments[2]);
  const Scan* scan = id ? find_scan(*id) : nullptr;
  if (!known_editor(call.segments) || scan == nullptr) {
    return not_found();
  }
  json document = editor_document();
  document.update({{"uuid", scan->template_uuid}, {"name", "advanced"}, {"title", "Advanced Scan"}});
  document["settings"]["basic"]["inputs"][0]["default"] = scan->name;
  document["settings"]["basic"]["inputs"][1]["default"] = scan->targets;
  return ok(document);
}

}  // namespace sw::sim
