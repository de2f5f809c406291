// The Nessus REST API simulator's state and request handling (docs/simulator.md): sessions,
// API keys, the X-API-Token gate, folders, templates, scans and their runs, exports, faults,
// scenarios and the /__sim inspection and control endpoints. By default it answers as real
// servers do (docs/nessus-api.md); faults switch on the other observed behaviours. handle()
// is synchronous and decides what to send; SimServer carries the decision out on a
// connection (delays, streams, cut-offs). Requests go through a route table (simulator.cpp)
// to handlers in session.cpp, scans.cpp, exports.cpp and admin.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "exportgen/export_writer.hpp"
#include "http/server.hpp"
#include "sim/options.hpp"
#include "sim/run.hpp"

namespace sw::sim {

// What to do with a request.
struct Reply {
  enum class Kind {
    respond,          // send `response`
    stream_download,  // send `response`'s head, then the export of `download` streamed
    head_then_close,  // send `response`'s status line and headers, then close (no body)
    reset,            // close the connection without an answer
  };
  Kind kind = Kind::respond;
  http::Response response;
  exportgen::ExportSpec download;
  std::size_t download_bytes_per_second = 0;  // stream_download paced to this rate; 0: full speed
  std::chrono::milliseconds delay{0};         // wait this long before acting (slow_ms)
  double outage_seconds = 0;                  // after answering, refuse connections this long
};

struct SshCredential {
  std::string username;
  std::string elevate_privileges_with = "Nothing";
};

struct Scan {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::string targets;
  std::string template_uuid;
  std::string creation_uuid;  // "template-<uuid>" until the first launch
  std::int64_t folder_id = 0;
  std::optional<SshCredential> ssh;
  double created_at = 0;
  double modified_at = 0;
  std::vector<Run> runs;  // history, oldest first
};

struct ExportJob {
  std::int64_t file_id = 0;
  std::string token;
  std::int64_t scan_id = 0;
  std::int64_t history_id = 0;
  double created_at = 0;
  bool fails = false;  // the status poll answers 500 {"status":"error"} and the file id is gone
};

class Simulator {
 public:
  explicit Simulator(SimOptions options);

  // Handles one request at time `now` (epoch seconds).
  Reply handle(const http::Request& request, double now);

  const SimOptions& options() const { return options_; }
  nlohmann::json stats(double now) const;

  // Nessus API requests being answered at once (the server calls these around each one);
  // the stats report the peak, which shows how many requests a client sends in parallel.
  void request_began();
  void request_ended();

 private:
  struct Session {
    std::string username;
    double last_used = 0;
  };
  struct Stats {
    std::int64_t scans_created = 0;
    std::int64_t launches_total = 0;
    std::map<std::string, std::int64_t> launches_by_name;
    std::map<std::int64_t, std::int64_t> launches_by_scan;
    std::int64_t peak_running = 0;
    std::int64_t deletes = 0;
    std::int64_t stops = 0;
    std::int64_t logins = 0;
    std::int64_t failed_logins = 0;
    std::int64_t api_token_fetches = 0;  // GET /nessus6.js
    std::int64_t template_reads = 0;     // GET /editor/scan/templates
    std::int64_t folder_reads = 0;       // GET /folders
    std::int64_t refused_writes = 0;     // gated calls without the right X-API-Token (412 or closed)
    std::int64_t token_rotations = 0;
    std::int64_t requests = 0;
    std::int64_t peak_requests_in_flight = 0;
  };
  std::int64_t requests_in_flight_ = 0;

  struct Call;  // one request being handled (sim/requests.hpp)
  using Handler = Reply (Simulator::*)(Call&);
  enum class Access {
    open,                // no authentication
    open_while_loading,  // no authentication, answered while the server is loading too
    login,               // a session or the API keys
    gated,               // a login and, on professional/essentials, the X-API-Token
  };
  // One endpoint: method, path pattern ("/scans/{scan}/launch": {scan} is a scan by id,
  // 404 when there is none; {*} is any segment), access, handler. A path that some route
  // fits with another method is 405; a path no route fits is 404.
  struct Route {
    boost::beast::http::verb method;
    std::string_view pattern;
    Access access;
    Handler handler;
  };
  static const std::vector<Route>& nessus_routes();  // simulator.cpp
  static const std::vector<Route>& admin_routes();   // /__sim/..., simulator.cpp

  Reply handle_sim(Call& call);
  Reply handle_nessus(Call& call);

  // session.cpp: sessions, the server, folders and templates; authentication and the gate.
  std::optional<Reply> authenticate(Call& call);
  std::optional<Reply> check_gate(const Call& call);
  Reply api_token_script(Call& call);  // GET /nessus6.js
  Reply server_status(Call& call);
  Reply server_properties(Call& call);
  Reply login(Call& call);
  Reply logout(Call& call);
  Reply session_info(Call& call);
  Reply regenerate_keys(Call& call);
  Reply list_folders(Call& call);
  Reply list_templates(Call& call);
  Reply template_editor(Call& call);
  Reply scan_editor(Call& call);

  // scans.cpp: the scans and their runs.
  Reply list_scans(Call& call);
  Reply create_scan(Call& call);
  Reply configure_scan(Call& call);
  Reply move_scan(Call& call);
  Reply launch_scan(Call& call);
  Reply control_scan(Call& call);  // POST /scans/{id}/stop|pause|resume|kill
  Reply run_transition(Call& call, Scan& scan, const std::string& action);
  Reply scan_details(Call& call);
  Reply delete_scan(Call& call);
  Reply bulk_delete(Call& call);

  // exports.cpp: exports by scan and file id, or by token.
  Reply start_export(Call& call);
  Reply export_status(Call& call);
  Reply export_download(Call& call);
  Reply token_status(Call& call);
  Reply token_download(Call& call);
  Reply job_status(const Call& call, std::int64_t file_id);
  const ExportJob* job_of_scan(const Call& call) const;
  Reply download(const Call& call, const ExportJob& job) const;

  // admin.cpp: /__sim inspection and control.
  Reply show_stats(Call& call);
  Reply reset_stats(Call& call);
  Reply faults(Call& call);
  Reply add_scenario(Call& call);
  Reply rotate_token(Call& call);
  Reply unlock(Call& call);
  Reply outage(Call& call);
  // A person in the web UI pauses, resumes, stops or kills the scan's run (/__sim/scans/{id}/{action}).
  Reply ui_control(Call& call);

  Scan* find_scan(std::int64_t id);
  bool scan_active(const Scan& scan, double now) const;
  std::int64_t running_now(double now) const;
  // Drops scans whose run has ended from active_scans_ and returns how many remain.
  std::int64_t prune_active(double now);
  std::string status_for_list(const Scan& scan, double now) const;
  nlohmann::json folders_json() const;
  std::int64_t main_folder_id() const;
  std::int64_t trash_folder_id() const;
  std::string random_hex(std::size_t length);
  std::string random_scan_uuid();
  bool chance(double share);

  SimOptions options_;
  ScenarioRules rules_;
  std::mt19937_64 random_;
  std::map<std::string, Session> sessions_;
  int failed_login_streak_ = 0;
  std::map<std::int64_t, Scan> scans_;
  std::set<std::int64_t> active_scans_;  // launched or resumed and maybe not ended yet
  std::int64_t next_scan_id_ = 5;
  std::int64_t next_history_id_ = 1000;
  std::map<std::int64_t, ExportJob> exports_;  // by file id
  std::map<std::string, std::int64_t> export_tokens_;
  Stats stats_;
};

}  // namespace sw::sim
