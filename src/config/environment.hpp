// The environment variables of docs/contracts.md#environment-variables (the table: README.md), typed, with their
// defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sw::config {

using Seconds = std::chrono::duration<double>;

struct HostPort {
  std::string host;  // a name or an IP address (IPv6 without brackets)
  int port = 0;
  bool operator==(const HostPort&) const = default;
};

struct Environment {
  std::string redis_url = "redis://redis:6379";
  // rediss:// only (docs/redis.md): a PEM CA bundle instead of the system's, and a client
  // certificate with its key (both or neither).
  std::filesystem::path redis_ca_file;
  std::filesystem::path redis_client_cert;
  std::filesystem::path redis_client_key;
  // Sentinel: the master named redis_sentinel_master is asked of these sentinels; the host
  // and port of REDIS_URL are then not used (its credentials, database and scheme are).
  std::vector<HostPort> redis_sentinels;  // REDIS_SENTINELS=host:port,...
  std::string redis_sentinel_master;      // REDIS_SENTINEL_MASTER
  std::filesystem::path data_dir = "/app/data/tasks";
  std::filesystem::path scanner_config = "/app/config/scanners.yaml";
  std::string log_level = "INFO";
  std::string log_format = "json";
  std::vector<std::string> worker_pools;  // empty = all configured pools
  bool housekeeping_enabled = true;
  Seconds housekeeping_interval{3600.0};  // HOUSEKEEPING_INTERVAL_HOURS
  Seconds completed_ttl{7 * 86400.0};     // COMPLETED_TTL_DAYS
  Seconds failed_ttl{30 * 86400.0};       // FAILED_TTL_DAYS (failed and timeout)
  bool stale_scan_cleanup_enabled = true;
  Seconds stale_scan_age{24 * 3600.0};  // STALE_SCAN_HOURS
  bool stale_scan_delete_from_nessus = true;
  bool nessus_scan_cleanup_enabled = true;
  Seconds nessus_scan_retention{24 * 3600.0};  // NESSUS_SCAN_RETENTION_HOURS
  Seconds poll_interval{30.0};
  // SCANNER_HEALTH_INTERVAL_SECONDS: how often each scanner's GET /server/status is checked
  // and the answer kept in Redis for operators (dashboards never poll scanners themselves).
  Seconds scanner_health_interval{30.0};
  Seconds scan_timeout{86400.0};
  Seconds shutdown_grace{60.0};
  Seconds export_timeout{300.0};
  std::string metrics_addr = "127.0.0.1:9109";  // empty disables
  // METRICS_MAX_CONNECTIONS: open connections to the metrics endpoint at most; unset = a
  // quarter of RLIMIT_NOFILE, at most 256 (http::default_max_connections).
  std::optional<std::size_t> metrics_max_connections;
  std::string worker_id;  // default hostname-pid
  Seconds heartbeat_ttl{30.0};
  int max_deliveries = 3;
  std::size_t max_task_bytes = 1 << 20;  // MAX_TASK_BYTES: bigger queue entries are dead-lettered unparsed
  // AUTH_MIN_SUCCESS_PERCENT (1-100): share of target hosts an authenticated scan must log
  // in to; unset = at least one (docs/authentication.md).
  std::optional<int> auth_min_success_percent;
};

// Reads every variable from `variables` (the process environment when null). A bad
// value ("abc" for an interval, a negative TTL) throws core::Error(bad_input) naming the
// variable and the value.
Environment load_environment(const std::map<std::string, std::string>* variables = nullptr);

// The configuration as JSON for the start-up log (secrets masked: the Redis password).
std::string describe(const Environment& environment);

// host:port or [ipv6]:port of a listener, port 0-65535 (0: any free port). Throws
// core::Error(bad_input) naming `variable` and the value.
std::pair<std::string, std::uint16_t> parse_listen_address(const std::string& address,
                                                           const std::string& variable = "METRICS_ADDR");

}  // namespace sw::config
