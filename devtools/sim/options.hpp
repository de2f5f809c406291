// Settings of the simulator: edition profile, accounts, timing, target expansion, scenario
// rules and faults. Set from the command line, a JSON config file (same names, see
// apply_config) and at run time (POST /__sim/faults, POST /__sim/scenario).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/hosts.hpp"
#include "sim/run.hpp"
#include "sim/scenario.hpp"

namespace sw::sim {

enum class Profile { manager, professional, essentials };
std::optional<Profile> parse_profile(std::string_view text);
std::string_view to_string(Profile profile);

// nessus7: Trash 2, My Scans 3; nessus6: My Scans 2, Trash 3; nessus10: Trash 136, My Scans 137
// (ids are arbitrary on real servers; both unread counts null).
enum class FolderLayout { nessus7, nessus6, nessus10 };

struct Faults {
  bool force_401_once = false;    // the next authenticated call gets 401 (its session ends)
  bool drop_body_on_412 = false;  // 412: status line and headers, then close
  double error_rate_5xx = 0;      // share (0..1) of Nessus calls answered 500
  int slow_ms = 0;                // latency added to Nessus calls
  // Latency added to one endpoint, by "METHOD /path" with numeric segments as {id}
  // ("GET /scans/{id}": 500), on top of slow_ms.
  std::map<std::string, int, std::less<>> slow_endpoints;
  // Export downloads trickle at this many bytes per second (paced writes); 0: full speed.
  std::size_t slow_download_bytes_per_second = 0;
  double reset_rate = 0;                 // share (0..1) of Nessus calls closed without an answer
  bool export_error = false;             // every export fails: status 500 {"status":"error"}, then 404
  int export_failures = 0;               // the next N exports fail that way
  bool close_on_refused_write = false;   // a gated write without the X-API-Token: connection closed, no answer (10.8)
  bool refuse_scan_control = false;      // every gated write is refused, whatever its X-API-Token (scan API off)
  bool logout_null_body = false;         // DELETE /session answers `null` instead of an empty body
  double stale_status_after_launch = 0;  // seconds the previous run's status is still reported
  int launch_running_code = 500;         // launch while active: 409 or 500
  int delete_running_code = 500;         // delete while active: 409 or 500
  bool server_loading = false;           // /server/status "loading" + 503 on every Nessus call
};

struct SimOptions {
  Profile profile = Profile::manager;
  std::string username = "nessus";
  std::string password = "nessus";
  std::string access_key = "6a2f1c0e9b8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29";
  std::string secret_key = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
  std::string api_token = "778F4A9C-D797-4817-B110-EC427B724486";
  std::string custom_scan_template = "ab4bacd2-05f6-425c-9d79-3ba3940ad1c24e51e1f403febe40";
  double session_idle_timeout = 1800;
  int max_login_attempts = 5;  // 0 disables the lockout
  FolderLayout folder_layout = FolderLayout::nessus7;
  RunTiming timing;
  double export_seconds = 1;
  TargetExpansion expansion;
  std::size_t plugin_set_size = 2000;
  int findings_per_host = 10;
  std::uint64_t seed = 1;
  Faults faults;
  std::vector<ScenarioRule> scenario_rules;  // in file order; later rules win
};

// Applies a JSON object of settings (the config file). Keys: profile, username, password,
// access_key, secret_key, api_token, custom_scan_template, session_idle_timeout,
// max_login_attempts, folder_layout ("nessus7"|"nessus6"), pending_seconds, scan_seconds,
// transition_seconds, export_seconds, hosts_per_target, cidr_cap, plugin_set_size,
// findings_per_host, seed, faults {...}, scenarios [{"match": "...", "scenario": "..."}].
// Throws core::Error(bad_input) naming the key on unknown keys or bad values.
void apply_config(SimOptions& options, const nlohmann::json& config);

// Applies a JSON object of fault settings (POST /__sim/faults); `session_idle_timeout` is
// accepted here too. Throws core::Error(bad_input) on unknown keys or bad values.
void apply_faults(SimOptions& options, const nlohmann::json& faults);

nlohmann::json faults_to_json(const SimOptions& options);

// A scenario rule from {"match": "...", "scenario": "..."}.
ScenarioRule parse_scenario_rule(const nlohmann::json& rule);

}  // namespace sw::sim
