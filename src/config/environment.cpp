// The environment variables of docs/contracts.md#environment-variables (the table: README.md): reading, checking and
// describing them.
#include "config/environment.hpp"

#include <unistd.h>

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/values.hpp"
#include "config/variables.hpp"
#include "core/errors.hpp"
#include "core/redact.hpp"
#include "telemetry/log.hpp"

namespace sw::config {

namespace {

[[noreturn]] void bad_variable(const std::string& name, const std::string& value, const std::string& expected) {
  throw core::Error(core::ErrorKind::bad_input,
                    "environment variable " + name + "='" + value + "' is invalid: expected " + expected);
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Whether a duration may be zero (a TTL of zero expires at once; an interval of zero spins).
enum class ZeroAllowed { no, yes };

class EnvironmentReader {
 public:
  explicit EnvironmentReader(const std::map<std::string, std::string>* variables) : variables_(variables) {}

  // The trimmed value, nullopt when unset or blank.
  std::optional<std::string> value(const std::string& name) const {
    const auto raw = lookup_variable(variables_, name);
    if (!raw) {
      return std::nullopt;
    }
    std::string trimmed = trim(*raw);
    return trimmed.empty() ? std::nullopt : std::optional<std::string>(std::move(trimmed));
  }

  void read_string(const std::string& name, std::string& target) const {
    if (const auto v = value(name)) {
      target = *v;
    }
  }

  void read_bool(const std::string& name, bool& target) const {
    if (const auto v = value(name)) {
      const auto parsed = parse_bool(*v);
      if (!parsed) {
        bad_variable(name, *v, "true, false, yes, no, 1 or 0");
      }
      target = *parsed;
    }
  }

  // A whole number in [minimum, maximum].
  template <typename Integer>
  void read_integer(const std::string& name, long long minimum, long long maximum, Integer& target) const {
    if (const auto v = value(name)) {
      const auto parsed = parse_integer(*v);
      if (!parsed || *parsed < minimum || *parsed > maximum) {
        bad_variable(name, *v, "a whole number from " + std::to_string(minimum) + " to " + std::to_string(maximum));
      }
      target = static_cast<Integer>(*parsed);
    }
  }

  // A whole number in [minimum, maximum], or nothing when unset.
  template <typename Integer>
  void read_optional_integer(const std::string& name, long long minimum, long long maximum,
                             std::optional<Integer>& target) const {
    if (!value(name)) return;
    Integer number{};
    read_integer(name, minimum, maximum, number);
    target = number;
  }

  // A duration given in `unit_seconds` units; fractions allowed.
  void read_duration(const std::string& name, double unit_seconds, ZeroAllowed zero, Seconds& target) const {
    if (const auto v = value(name)) {
      const auto parsed = parse_number(*v);
      if (!parsed || *parsed < 0 || (zero == ZeroAllowed::no && *parsed == 0)) {
        bad_variable(name, *v, zero == ZeroAllowed::no ? "a number greater than 0" : "a number of at least 0");
      }
      target = Seconds(*parsed * unit_seconds);
    }
  }

 private:
  const std::map<std::string, std::string>* variables_;
};

std::vector<std::string> split_pools(const std::string& text) {
  std::vector<std::string> pools;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string pool = trim(text.substr(start, comma - start));
    if (!pool.empty()) {
      pools.push_back(std::move(pool));
    }
    start = comma + 1;
  }
  if (pools.size() == 1 && (pools[0] == "all" || pools[0] == "*")) {
    pools.clear();
  }
  return pools;
}

std::string default_worker_id() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') {
    return "worker-" + std::to_string(getpid());
  }
  return std::string(host.data()) + "-" + std::to_string(getpid());
}

// "host:port" with a port of 1-65535 (or 0 for any).
bool is_host_and_port(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return false;
  }
  const auto port = parse_integer(address.substr(colon + 1));
  return port && *port >= 0 && *port <= 65535;
}

// redis://user:password@host -> redis://user:********@host; redis://password@host (a
// password alone) -> redis://********@host. The user-info ends at the last '@', as in
// queue::parse_redis_url. A password given as ?password=... is masked too.
std::string masked_redis_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return url;
  }
  std::string masked = url;
  const auto at = masked.rfind('@');
  if (at != std::string::npos && at > scheme_end) {
    const auto colon = masked.find(':', scheme_end + 3);
    const auto secret_start = colon != std::string::npos && colon < at ? colon + 1 : scheme_end + 3;
    masked = masked.substr(0, secret_start) + std::string(core::kRedacted) + masked.substr(at);
  }
  const auto password = masked.find("password=");
  if (password != std::string::npos) {
    const auto end = masked.find('&', password);
    masked = masked.substr(0, password + 9) + std::string(core::kRedacted) +
             (end == std::string::npos ? std::string() : masked.substr(end));
  }
  return masked;
}

// host:port or [ipv6]:port, port 1-65535.
std::optional<HostPort> parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return std::nullopt;
  }
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return std::nullopt;
    }
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return std::nullopt;  // an IPv6 address needs brackets
  }
  const auto port = parse_integer(text.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535) {
    return std::nullopt;
  }
  return HostPort{host, static_cast<int>(*port)};
}

std::vector<HostPort> parse_sentinels(const std::string& text) {
  std::vector<HostPort> sentinels;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = trim(text.substr(start, comma - start));
    const auto address = parse_host_port(item);
    if (!address) {
      bad_variable("REDIS_SENTINELS", text, "host:port[,host:port...] (IPv6 as [address]:port)");
    }
    sentinels.push_back(*address);
    start = comma + 1;
  }
  return sentinels;
}

void require_readable_file(const EnvironmentReader& reader, const std::string& name, std::filesystem::path& target) {
  if (const auto v = reader.value(name)) {
    if (!std::ifstream(*v).good()) {
      bad_variable(name, *v, "a readable PEM file");
    }
    target = *v;
  }
}

void read_redis_variables(const EnvironmentReader& reader, Environment& environment) {
  reader.read_string("REDIS_URL", environment.redis_url);
  const std::string& url = environment.redis_url;
  const bool tls = url.starts_with("rediss://");
  if (!url.starts_with("redis://") && !tls && !url.starts_with("unix://")) {
    bad_variable("REDIS_URL", masked_redis_url(url),
                 "redis://[[user]:password@]host[:port][/db], rediss://... or unix:///path");
  }
  require_readable_file(reader, "REDIS_CA_FILE", environment.redis_ca_file);
  require_readable_file(reader, "REDIS_CLIENT_CERT", environment.redis_client_cert);
  require_readable_file(reader, "REDIS_CLIENT_KEY", environment.redis_client_key);
  if (environment.redis_client_cert.empty() != environment.redis_client_key.empty()) {
    throw core::Error(core::ErrorKind::bad_input,
                      "REDIS_CLIENT_CERT and REDIS_CLIENT_KEY go together: set both or neither");
  }
  const bool tls_files = !environment.redis_ca_file.empty() || !environment.redis_client_cert.empty();
  if (tls_files && !tls) {
    throw core::Error(core::ErrorKind::bad_input,
                      "REDIS_CA_FILE, REDIS_CLIENT_CERT and REDIS_CLIENT_KEY need a rediss:// REDIS_URL (TLS)");
  }
  if (const auto v = reader.value("REDIS_SENTINELS")) {
    environment.redis_sentinels = parse_sentinels(*v);
  }
  reader.read_string("REDIS_SENTINEL_MASTER", environment.redis_sentinel_master);
  if (environment.redis_sentinels.empty() != environment.redis_sentinel_master.empty()) {
    throw core::Error(core::ErrorKind::bad_input,
                      "REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together: set both or neither");
  }
  if (!environment.redis_sentinels.empty() && url.starts_with("unix://")) {
    throw core::Error(core::ErrorKind::bad_input,
                      "REDIS_SENTINELS needs a redis:// or rediss:// REDIS_URL, not unix://");
  }
}

}  // namespace

Environment load_environment(const std::map<std::string, std::string>* variables) {
  const EnvironmentReader reader(variables);
  Environment environment;

  read_redis_variables(reader, environment);
  if (const auto v = reader.value("DATA_DIR")) {
    environment.data_dir = *v;
  }
  if (const auto v = reader.value("SCANNER_CONFIG")) {
    environment.scanner_config = *v;
  }

  reader.read_string("LOG_LEVEL", environment.log_level);
  const auto level = telemetry::parse_log_level(environment.log_level);
  if (!level) {
    bad_variable("LOG_LEVEL", environment.log_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL");
  }
  environment.log_level = std::string(telemetry::to_string(*level));
  reader.read_string("LOG_FORMAT", environment.log_format);
  const auto format = telemetry::parse_log_format(environment.log_format);
  if (!format) {
    bad_variable("LOG_FORMAT", environment.log_format, "json or text");
  }
  environment.log_format = *format == telemetry::LogFormat::json ? "json" : "text";

  if (const auto v = reader.value("WORKER_POOLS")) {
    environment.worker_pools = split_pools(*v);
  }

  constexpr double kHour = 3600.0;
  constexpr double kDay = 86400.0;
  reader.read_bool("HOUSEKEEPING_ENABLED", environment.housekeeping_enabled);
  reader.read_duration("HOUSEKEEPING_INTERVAL_HOURS", kHour, ZeroAllowed::no, environment.housekeeping_interval);
  reader.read_duration("COMPLETED_TTL_DAYS", kDay, ZeroAllowed::yes, environment.completed_ttl);
  reader.read_duration("FAILED_TTL_DAYS", kDay, ZeroAllowed::yes, environment.failed_ttl);
  reader.read_bool("STALE_SCAN_CLEANUP_ENABLED", environment.stale_scan_cleanup_enabled);
  reader.read_duration("STALE_SCAN_HOURS", kHour, ZeroAllowed::no, environment.stale_scan_age);
  reader.read_bool("STALE_SCAN_DELETE_FROM_NESSUS", environment.stale_scan_delete_from_nessus);
  reader.read_bool("NESSUS_SCAN_CLEANUP_ENABLED", environment.nessus_scan_cleanup_enabled);
  reader.read_duration("NESSUS_SCAN_RETENTION_HOURS", kHour, ZeroAllowed::yes, environment.nessus_scan_retention);
  reader.read_duration("POLL_INTERVAL_SECONDS", 1.0, ZeroAllowed::no, environment.poll_interval);
  reader.read_duration("SCANNER_HEALTH_INTERVAL_SECONDS", 1.0, ZeroAllowed::no, environment.scanner_health_interval);
  reader.read_duration("SCAN_TIMEOUT_SECONDS", 1.0, ZeroAllowed::no, environment.scan_timeout);
  reader.read_duration("SHUTDOWN_GRACE_SECONDS", 1.0, ZeroAllowed::yes, environment.shutdown_grace);
  reader.read_duration("EXPORT_TIMEOUT_SECONDS", 1.0, ZeroAllowed::no, environment.export_timeout);
  reader.read_duration("HEARTBEAT_TTL_SECONDS", 1.0, ZeroAllowed::no, environment.heartbeat_ttl);

  // METRICS_ADDR set but empty disables the endpoint (unlike the others, where empty means default).
  if (const auto raw = lookup_variable(variables, "METRICS_ADDR")) {
    environment.metrics_addr = trim(*raw);
    if (!environment.metrics_addr.empty() && !is_host_and_port(environment.metrics_addr)) {
      bad_variable("METRICS_ADDR", environment.metrics_addr, "host:port, or empty to disable");
    }
  }

  if (reader.value("METRICS_MAX_CONNECTIONS")) {
    std::size_t max_connections = 0;
    reader.read_integer("METRICS_MAX_CONNECTIONS", 1, 1000000, max_connections);
    environment.metrics_max_connections = max_connections;
  }

  environment.worker_id = reader.value("WORKER_ID").value_or(default_worker_id());

  reader.read_integer("MAX_DELIVERIES", 1, 1000000, environment.max_deliveries);
  reader.read_integer("MAX_TASK_BYTES", 1024, 1LL << 30, environment.max_task_bytes);
  reader.read_optional_integer("AUTH_MIN_SUCCESS_PERCENT", 1, 100, environment.auth_min_success_percent);
  return environment;
}

std::string describe(const Environment& environment) {
  nlohmann::json pools = nlohmann::json::array();
  for (const auto& pool : environment.worker_pools) {
    pools.push_back(pool);
  }
  nlohmann::json sentinels = nlohmann::json::array();
  for (const auto& sentinel : environment.redis_sentinels) {
    sentinels.push_back(sentinel.host + ":" + std::to_string(sentinel.port));
  }
  const nlohmann::json description = {
      {"redis_url", masked_redis_url(environment.redis_url)},
      {"redis_ca_file", environment.redis_ca_file.string()},
      {"redis_client_cert", environment.redis_client_cert.string()},
      {"redis_client_key", environment.redis_client_key.string()},
      {"redis_sentinels", sentinels},
      {"redis_sentinel_master", environment.redis_sentinel_master},
      {"data_dir", environment.data_dir.string()},
      {"scanner_config", environment.scanner_config.string()},
      {"log_level", environment.log_level},
      {"log_format", environment.log_format},
      {"worker_pools", pools},
      {"housekeeping_enabled", environment.housekeeping_enabled},
      {"housekeeping_interval_seconds", environment.housekeeping_interval.count()},
      {"completed_ttl_seconds", environment.completed_ttl.count()},
      {"failed_ttl_seconds", environment.failed_ttl.count()},
      {"stale_scan_cleanup_enabled", environment.stale_scan_cleanup_enabled},
      {"stale_scan_age_seconds", environment.stale_scan_age.count()},
      {"stale_scan_delete_from_nessus", environment.stale_scan_delete_from_nessus},
      {"nessus_scan_cleanup_enabled", environment.nessus_scan_cleanup_enabled},
      {"nessus_scan_retention_seconds", environment.nessus_scan_retention.count()},
      {"poll_interval_seconds", environment.poll_interval.count()},
      {"scanner_health_interval_seconds", environment.scanner_health_interval.count()},
      {"scan_timeout_seconds", environment.scan_timeout.count()},
      {"shutdown_grace_seconds", environment.shutdown_grace.count()},
      {"export_timeout_seconds", environment.export_timeout.count()},
      {"metrics_addr", environment.metrics_addr},
      // null: derived from RLIMIT_NOFILE (the worker logs the value in use)
      {"metrics_max_connections",
       environment.metrics_max_connections ? nlohmann::json(*environment.metrics_max_connections) : nlohmann::json()},
      {"worker_id", environment.worker_id},
      {"heartbeat_ttl_seconds", environment.heartbeat_ttl.count()},
      {"max_deliveries", environment.max_deliveries},
      {"max_task_bytes", environment.max_task_bytes},
      {"auth_min_success_percent", environment.auth_min_success_percent
                                       ? nlohmann::json(*environment.auth_min_success_percent)
                                       : nlohmann::json(nullptr)},
  };
  return description.dump();
}

std::pair<std::string, std::uint16_t> parse_listen_address(const std::string& address, const std::string& variable) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    throw core::Error(core::ErrorKind::bad_input, variable + " '" + address + "' must be host:port");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    throw core::Error(core::ErrorKind::bad_input, variable + " '" + address + "' has a bad port");
  }
  return {host, static_cast<std::uint16_t>(port)};
}

}  // namespace sw::config
