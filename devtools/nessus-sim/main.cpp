// nessus-sim: a Nessus REST API simulator (docs/simulator.md) on plain HTTP or HTTPS. Prints
// "listening on http(s)://ADDRESS:PORT" (after "tls fingerprint sha256 HEX" with TLS) once ready.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.hpp"
#include "http/tls_certificate.hpp"
#include "sim/sim_server.hpp"
#include "telemetry/log.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw sw::core::Error(sw::core::ErrorKind::bad_input, "cannot read " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string help_footer(const sw::sim::SimOptions& defaults) {
  return "\nDefaults: user '" + defaults.username + "' password '" + defaults.password +
         "'\n  API keys: X-ApiKeys: accessKey=" + defaults.access_key + "; secretKey=" + defaults.secret_key +
         "\n  X-API-Token (served in /nessus6.js): " + defaults.api_token +
         "\n\nScenarios, chosen per target host name (config \"scenarios\" and POST /__sim/scenario "
         "{\"match\":\"text\",\"scenario\":\"name\"} come first):\n"
         "  name contains 'abort'    -> the run ends aborted half-way\n"
         "  name contains 'never'    -> the run never finishes\n"
         "  name contains 'authfail' -> credentials fail on that host\n"
         "  name contains 'authpriv' -> credentials work, insufficient privilege\n"
         "  name contains 'nocreds'  -> no credentials used on that host\n"
         "  otherwise: completed; credentials succeed when the scan has SSH credentials\n"
         "  scenario names: complete abort never_finish auth_success auth_fail auth_insufficient_privilege no_creds\n"
         "Targets: comma/space/newline separated; an IPv4 or IPv6 CIDR expands to its hosts (cidr_cap, 256); IPv6 "
         "addresses (2001:db8::1) are addresses, not host names.\n\n"
         "Answers as real Nessus servers do by default: exporting a running scan is 409 \"Can not export running "
         "scans\"; a failed export's status poll is 500 {\"status\":\"error\"}, then 404 for its file id; an "
         "unknown or expired token is 401 \"Invalid Credentials\"; DELETE /session is 200 with an empty body; 404 "
         "texts have no trailing period; a never-launched scan lists dates 0, type null, status empty; listed dates "
         "follow the latest run; scanprogresstotal is 100.\n"
         "Cases (each a fault flag or control call):\n"
         "  failed export            --export-error (every export) or --export-failures N (the next N)\n"
         "  write refused by closing --close-on-refused-write (Nessus 10.8; with --profile essentials)\n"
         "  scan API refused         --refuse-scan-control (even with the right X-API-Token; refused again after\n"
         "                           the client fetched the token anew)\n"
         "  token rotation           POST /__sim/rotate-token (new X-API-Token in /nessus6.js)\n"
         "  export of a running scan always refused with 409\n"
         "  paused/stopped in the UI POST /__sim/scans/{id}/pause|resume|stop|kill\n"
         "  scan list shapes         always; --folder-layout nessus10 for folder ids 136/137\n"
         "  session replies          always; --logout-null-body for `null` on DELETE /session\n"
         "  one login at a time      GET /__sim/stats counts logins, api_token_fetches, template_reads,\n"
         "                           folder_reads, refused_writes\n"
         "  TLS certificate checks   --tls with --cert/--key (a CA of your own) and --bind (another host name)\n"
         "  slow answers             --slow-ms (all), --slow-endpoint 'GET /scans/{id}=500' (one endpoint)\n"
         "  slow download            --slow-download BYTES_PER_SECOND (export downloads trickle at that rate)\n\n"
         "Inspection and control (no auth): GET /__sim/stats, POST /__sim/reset-stats, GET|POST /__sim/faults "
         "(JSON of fault settings), POST /__sim/scenario, POST /__sim/outage {\"seconds\":S}, POST /__sim/unlock, "
         "POST /__sim/rotate-token, POST /__sim/scans/{id}/{pause|resume|stop|kill}.\n"
         "Config file (--config): JSON with the keys profile, username, password, access_key, secret_key, "
         "api_token, custom_scan_template, session_idle_timeout, max_login_attempts, folder_layout, "
         "pending_seconds, scan_seconds, transition_seconds, export_seconds, hosts_per_target, cidr_cap, "
         "plugin_set_size, findings_per_host, seed, faults {...}, scenarios [...]; flags override it.\n";
}

}  // namespace

int main(int argc, char** argv) {
  const sw::sim::SimOptions defaults;
  CLI::App app{"nessus-sim: a Nessus REST API simulator"};
  app.footer(help_footer(defaults));
  int port = 0;
  std::string bind = "127.0.0.1";
  std::size_t max_connections = sw::http::default_max_connections();
  bool tls = false;
  std::string cert_file;
  std::string key_file;
  std::string config_file;
  nlohmann::json flags = nlohmann::json::object();
  nlohmann::json fault_flags = nlohmann::json::object();
  std::string profile;
  double scan_seconds = 0, pending_seconds = 0, export_seconds = 0, transition_seconds = 0, idle_timeout = 0;
  int hosts_per_target = 1, max_login_attempts = 5, findings_per_host = 10;
  std::size_t plugin_set_size = 0;
  std::string folder_layout;
  std::vector<std::string> scenario_rules;
  std::vector<std::string> slow_endpoints;
  double error_rate = 0, reset_rate = 0, stale_status = 0;
  int slow_ms = 0, launch_code = 500, delete_code = 500;
  std::size_t slow_download = 0;
  bool drop_body = false, export_error = false, server_loading = false, force_401 = false;
  bool close_on_refused_write = false, refuse_scan_control = false, logout_null_body = false;
  int export_failures = 0;

  app.add_option("--port", port, "TCP port, 0 = any free port")->check(CLI::Range(0, 65535));
  app.add_option("--bind", bind, "Address to listen on")->capture_default_str();
  app.add_option("--max-connections", max_connections,
                 "Open connections at most; more are accepted and closed at once (default: a quarter of "
                 "RLIMIT_NOFILE, at most 256)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  app.add_flag("--tls", tls, "Serve HTTPS (self-signed certificate unless --cert/--key)");
  auto* cert_option =
      app.add_option("--cert", cert_file, "PEM certificate file (with --tls)")->check(CLI::ExistingFile);
  app.add_option("--key", key_file, "PEM private key file (with --tls)")->check(CLI::ExistingFile)->needs(cert_option);
  cert_option->needs(app.get_option("--key"));
  app.add_option("--config", config_file, "JSON config file")->check(CLI::ExistingFile);
  app.add_option("--profile", profile, "manager | professional | essentials (default manager)")
      ->check(CLI::IsMember({"manager", "professional", "essentials"}));
  app.add_option("--scan-seconds", scan_seconds, "Seconds a run spends running (default 10)");
  app.add_option("--pending-seconds", pending_seconds, "Seconds a run stays pending (default 2)");
  app.add_option("--export-seconds", export_seconds, "Seconds an export stays loading (default 1)");
  app.add_option("--transition-seconds", transition_seconds, "Seconds of stopping/pausing/resuming (default 1)");
  app.add_option("--session-idle-timeout", idle_timeout, "Session idle timeout in seconds (default 1800)");
  app.add_option("--max-login-attempts", max_login_attempts, "Failed logins before lockout, 0 = never (default 5)");
  app.add_option("--hosts-per-target", hosts_per_target, "Hosts each target entry stands for (default 1)");
  app.add_option("--plugin-set-size", plugin_set_size, "Plugin ids in the exports' plugin_set (default 2000)");
  app.add_option("--findings-per-host", findings_per_host, "Findings per host in exports (default 10)");
  app.add_option("--folder-layout", folder_layout, "nessus7 (Trash 2, My Scans 3) | nessus6 | nessus10 (136/137)")
      ->check(CLI::IsMember({"nessus7", "nessus6", "nessus10"}));
  app.add_option("--scenario", scenario_rules, "Scenario rule MATCH=SCENARIO (repeatable)");
  app.add_flag("--force-401-once", force_401, "Fault: the next authenticated call gets 401");
  app.add_flag("--drop-body-on-412", drop_body, "Fault: 412 sends headers only, then closes");
  app.add_option("--error-rate-5xx", error_rate, "Fault: share of Nessus calls answered 500")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--reset-rate", reset_rate, "Fault: share of Nessus calls closed unanswered")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--slow-ms", slow_ms, "Fault: latency added to Nessus calls");
  app.add_option("--slow-endpoint", slow_endpoints,
                 "Fault: latency of one endpoint, 'METHOD /path=MS' with ids as {id} (repeatable)");
  app.add_option("--slow-download", slow_download,
                 "Fault: export downloads trickle at BYTES_PER_SECOND (paced writes; 0 = full speed)")
      ->type_name("BYTES_PER_SECOND");
  app.add_flag("--export-error", export_error,
               "Fault: every export fails (status 500 {\"status\":\"error\"}, then 404)");
  app.add_option("--export-failures", export_failures, "Fault: the next N exports fail that way")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--close-on-refused-write", close_on_refused_write,
               "Fault: scan control without the X-API-Token closes the connection unanswered (10.8)");
  app.add_flag("--refuse-scan-control", refuse_scan_control,
               "Fault: every scan control call is refused, whatever its X-API-Token (412, or closed with "
               "--close-on-refused-write)");
  app.add_flag("--logout-null-body", logout_null_body, "DELETE /session answers `null` (default: empty body)");
  app.add_option("--stale-status-after-launch", stale_status, "Fault: seconds the previous status is still reported");
  app.add_option("--launch-running-code", launch_code, "Launch while active: 409 or 500")
      ->check(CLI::IsMember({409, 500}));
  app.add_option("--delete-running-code", delete_code, "Delete while active: 409 or 500")
      ->check(CLI::IsMember({409, 500}));
  app.add_flag("--server-loading", server_loading, "Fault: server is loading (503)");
  CLI11_PARSE(app, argc, argv);

  sw::telemetry::configure_logging(sw::telemetry::LogLevel::info, sw::telemetry::LogFormat::text);
  try {
    sw::sim::SimOptions options;
    if (!config_file.empty()) {
      const auto config = nlohmann::json::parse(read_file(config_file), nullptr, false);
      if (config.is_discarded()) {
        throw sw::core::Error(sw::core::ErrorKind::bad_input, config_file + " is not valid JSON");
      }
      sw::sim::apply_config(options, config);
    }
    const auto given = [&app](const char* name) { return app.count(name) > 0; };
    if (given("--profile")) flags["profile"] = profile;
    if (given("--scan-seconds")) flags["scan_seconds"] = scan_seconds;
    if (given("--pending-seconds")) flags["pending_seconds"] = pending_seconds;
    if (given("--export-seconds")) flags["export_seconds"] = export_seconds;
    if (given("--transition-seconds")) flags["transition_seconds"] = transition_seconds;
    if (given("--session-idle-timeout")) flags["session_idle_timeout"] = idle_timeout;
    if (given("--max-login-attempts")) flags["max_login_attempts"] = max_login_attempts;
    if (given("--hosts-per-target")) flags["hosts_per_target"] = hosts_per_target;
    if (given("--plugin-set-size")) flags["plugin_set_size"] = plugin_set_size;
    if (given("--findings-per-host")) flags["findings_per_host"] = findings_per_host;
    if (given("--folder-layout")) flags["folder_layout"] = folder_layout;
    for (const auto& rule : scenario_rules) {
      const auto equals = rule.find('=');
      flags["scenarios"].push_back({{"match", rule.substr(0, equals)},
                                    {"scenario", equals == std::string::npos ? "" : rule.substr(equals + 1)}});
    }
    if (given("--force-401-once")) fault_flags["force_401_once"] = force_401;
    if (given("--drop-body-on-412")) fault_flags["drop_body_on_412"] = drop_body;
    if (given("--error-rate-5xx")) fault_flags["error_rate_5xx"] = error_rate;
    if (given("--reset-rate")) fault_flags["reset_rate"] = reset_rate;
    if (given("--slow-ms")) fault_flags["slow_ms"] = slow_ms;
    for (const auto& slow : slow_endpoints) {
      const auto equals = slow.rfind('=');
      const auto milliseconds = equals == std::string::npos ? std::string() : slow.substr(equals + 1);
      fault_flags["slow_endpoints"][slow.substr(0, equals)] =
          milliseconds.empty() || milliseconds.find_first_not_of("0123456789") != std::string::npos
              ? nlohmann::json(milliseconds)
              : nlohmann::json(std::stoi(milliseconds));
    }
    if (given("--slow-download")) fault_flags["slow_download_bytes_per_second"] = slow_download;
    if (given("--export-error")) fault_flags["export_error"] = export_error;
    if (given("--export-failures")) fault_flags["export_failures"] = export_failures;
    if (given("--close-on-refused-write")) fault_flags["close_on_refused_write"] = close_on_refused_write;
    if (given("--refuse-scan-control")) fault_flags["refuse_scan_control"] = refuse_scan_control;
    if (given("--logout-null-body")) fault_flags["logout_null_body"] = logout_null_body;
    if (given("--stale-status-after-launch")) fault_flags["stale_status_after_launch"] = stale_status;
    if (given("--launch-running-code")) fault_flags["launch_running_code"] = launch_code;
    if (given("--delete-running-code")) fault_flags["delete_running_code"] = delete_code;
    if (given("--server-loading")) fault_flags["server_loading"] = server_loading;
    if (!fault_flags.empty()) flags["faults"] = fault_flags;
    sw::sim::apply_config(options, flags);

    sw::http::ServerOptions server_options;
    server_options.bind_address = bind;
    server_options.port = static_cast<std::uint16_t>(port);
    server_options.max_connections = max_connections;
    std::string fingerprint;
    if (tls) {
      sw::http::SelfSignedCertificate certificate;
      if (cert_file.empty()) {
        certificate = sw::http::generate_self_signed_certificate(bind);
      } else {
        certificate.cert_pem = read_file(cert_file);
        certificate.key_pem = read_file(key_file);
        certificate.sha256_fingerprint = sw::http::certificate_fingerprint_sha256(certificate.cert_pem);
      }
      server_options.tls = sw::http::make_server_tls_context(certificate.cert_pem, certificate.key_pem);
      fingerprint = certificate.sha256_fingerprint;
    }

    boost::asio::io_context io;
    sw::sim::SimServer server(io, server_options, options);
    server.start();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) {
        server.stop();
        io.stop();
      }
    });
    if (tls) {
      std::cout << "tls fingerprint sha256 " << fingerprint << "\n";
    }
    std::cout << "listening on " << (tls ? "https" : "http") << "://" << bind << ":" << server.port() << std::endl;
    sw::telemetry::log_info("nessus-sim ready", {{"port", server.port()},
                                                 {"profile", std::string(sw::sim::to_string(options.profile))},
                                                 {"max_connections", max_connections}});
    io.run();
    return 0;
  } catch (const sw::core::Error& e) {
    std::cerr << "nessus-sim: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nessus-sim: " << e.what() << "\n";
    return 1;
  }
}
