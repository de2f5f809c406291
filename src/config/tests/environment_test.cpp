// Tests of the environment variables: defaults, every variable, bad values, describe().
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "config/environment.hpp"
#include "core/errors.hpp"
#include "support/temp_dir.hpp"

namespace sw::config {
namespace {

Environment load(const std::map<std::string, std::string>& variables) { return load_environment(&variables); }

// The message of the bad_input error for NAME=value.
std::string error_of(const std::string& name, const std::string& value) {
  try {
    load({{name, value}});
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    return error.what();
  }
  ADD_FAILURE() << "no error for " << name << "=" << value;
  return {};
}

TEST(Environment, DefaultsMatchTheDesign) {
  const Environment environment = load({});
  EXPECT_EQ(environment.redis_url, "redis://redis:6379");
  EXPECT_EQ(environment.data_dir, "/app/data/tasks");
  EXPECT_EQ(environment.scanner_config, "/app/config/scanners.yaml");
  EXPECT_EQ(environment.log_level, "INFO");
  EXPECT_EQ(environment.log_format, "json");
  EXPECT_TRUE(environment.worker_pools.empty());
  EXPECT_TRUE(environment.housekeeping_enabled);
  EXPECT_DOUBLE_EQ(environment.housekeeping_interval.count(), 3600.0);
  EXPECT_DOUBLE_EQ(environment.completed_ttl.count(), 7 * 86400.0);
  EXPECT_DOUBLE_EQ(environment.failed_ttl.count(), 30 * 86400.0);
  EXPECT_TRUE(environment.stale_scan_cleanup_enabled);
  EXPECT_DOUBLE_EQ(environment.stale_scan_age.count(), 86400.0);
  EXPECT_TRUE(environment.stale_scan_delete_from_nessus);
  EXPECT_TRUE(environment.nessus_scan_cleanup_enabled);
  EXPECT_DOUBLE_EQ(environment.nessus_scan_retention.count(), 86400.0);
  EXPECT_DOUBLE_EQ(environment.poll_interval.count(), 30.0);
  EXPECT_DOUBLE_EQ(environment.scanner_health_interval.count(), 30.0);
  EXPECT_DOUBLE_EQ(environment.scan_timeout.count(), 86400.0);
  EXPECT_DOUBLE_EQ(environment.shutdown_grace.count(), 60.0);
  EXPECT_DOUBLE_EQ(environment.export_timeout.count(), 300.0);
  EXPECT_EQ(environment.metrics_addr, "127.0.0.1:9109");
  EXPECT_FALSE(environment.metrics_max_connections.has_value());
  EXPECT_DOUBLE_EQ(environment.heartbeat_ttl.count(), 30.0);
  EXPECT_EQ(environment.max_deliveries, 3);
  EXPECT_EQ(environment.max_task_bytes, 1u << 20);
  EXPECT_EQ(environment.auth_min_success_percent, std::nullopt);
  EXPECT_TRUE(environment.worker_id.ends_with("-" + std::to_string(getpid())));
}

TEST(Environment, ReadsEveryVariable) {
  const Environment environment = load({
      {"REDIS_URL", "redis://:pw@cache:6380/2"},
      {"DATA_DIR", "/data"},
      {"SCANNER_CONFIG", "/etc/scanners.yaml"},
      {"LOG_LEVEL", "debug"},
      {"LOG_FORMAT", "TEXT"},
      {"WORKER_POOLS", " nessus , nessus_dmz,,"},
      {"HOUSEKEEPING_ENABLED", "no"},
      {"HOUSEKEEPING_INTERVAL_HOURS", "0.5"},
      {"COMPLETED_TTL_DAYS", "1.5"},
      {"FAILED_TTL_DAYS", "0"},
      {"STALE_SCAN_CLEANUP_ENABLED", "0"},
      {"STALE_SCAN_HOURS", "2"},
      {"STALE_SCAN_DELETE_FROM_NESSUS", "false"},
      {"NESSUS_SCAN_CLEANUP_ENABLED", "FALSE"},
      {"NESSUS_SCAN_RETENTION_HOURS", "0.25"},
      {"POLL_INTERVAL_SECONDS", "0.05"},
      {"SCANNER_HEALTH_INTERVAL_SECONDS", "0.5"},
      {"SCAN_TIMEOUT_SECONDS", "10"},
      {"SHUTDOWN_GRACE_SECONDS", "0"},
      {"EXPORT_TIMEOUT_SECONDS", "2.5"},
      {"METRICS_ADDR", "0.0.0.0:0"},
      {"METRICS_MAX_CONNECTIONS", "32"},
      {"WORKER_ID", "worker-7"},
      {"HEARTBEAT_TTL_SECONDS", "0.5"},
      {"MAX_DELIVERIES", "5"},
      {"MAX_TASK_BYTES", "65536"},
      {"AUTH_MIN_SUCCESS_PERCENT", "90"},
  });
  EXPECT_EQ(environment.redis_url, "redis://:pw@cache:6380/2");
  EXPECT_EQ(environment.data_dir, "/data");
  EXPECT_EQ(environment.scanner_config, "/etc/scanners.yaml");
  EXPECT_EQ(environment.log_level, "DEBUG");
  EXPECT_EQ(environment.log_format, "text");
  EXPECT_EQ(environment.worker_pools, (std::vector<std::string>{"nessus", "nessus_dmz"}));
  EXPECT_FALSE(environment.housekeeping_enabled);
  EXPECT_DOUBLE_EQ(environment.housekeeping_interval.count(), 1800.0);
  EXPECT_DOUBLE_EQ(environment.completed_ttl.count(), 1.5 * 86400.0);
  EXPECT_DOUBLE_EQ(environment.failed_ttl.count(), 0.0);
  EXPECT_FALSE(environment.stale_scan_cleanup_enabled);
  EXPECT_DOUBLE_EQ(environment.stale_scan_age.count(), 7200.0);
  EXPECT_FALSE(environment.stale_scan_delete_from_nessus);
  EXPECT_FALSE(environment.nessus_scan_cleanup_enabled);
  EXPECT_DOUBLE_EQ(environment.nessus_scan_retention.count(), 900.0);
  EXPECT_DOUBLE_EQ(environment.poll_interval.count(), 0.05);
  EXPECT_DOUBLE_EQ(environment.scanner_health_interval.count(), 0.5);
  EXPECT_DOUBLE_EQ(environment.scan_timeout.count(), 10.0);
  EXPECT_DOUBLE_EQ(environment.shutdown_grace.count(), 0.0);
  EXPECT_DOUBLE_EQ(environment.export_timeout.count(), 2.5);
  EXPECT_EQ(environment.metrics_addr, "0.0.0.0:0");
  EXPECT_EQ(environment.metrics_max_connections, 32u);
  EXPECT_EQ(environment.worker_id, "worker-7");
  EXPECT_DOUBLE_EQ(environment.heartbeat_ttl.count(), 0.5);
  EXPECT_EQ(environment.max_deliveries, 5);
  EXPECT_EQ(environment.max_task_bytes, 65536u);
  EXPECT_EQ(environment.auth_min_success_percent, 90);
}

TEST(Environment, EmptyMetricsAddrDisablesAndBlankValuesMeanDefault) {
  const Environment environment = load({{"METRICS_ADDR", ""}, {"POLL_INTERVAL_SECONDS", " "}, {"WORKER_POOLS", "all"}});
  EXPECT_EQ(environment.metrics_addr, "");
  EXPECT_DOUBLE_EQ(environment.poll_interval.count(), 30.0);
  EXPECT_DOUBLE_EQ(environment.scanner_health_interval.count(), 30.0);
  EXPECT_TRUE(environment.worker_pools.empty());
}

TEST(Environment, BadValuesNameTheVariable) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"HOUSEKEEPING_INTERVAL_HOURS", "abc"},
      {"HOUSEKEEPING_INTERVAL_HOURS", "0"},
      {"COMPLETED_TTL_DAYS", "-1"},
      {"FAILED_TTL_DAYS", "ten"},
      {"STALE_SCAN_HOURS", "1h"},
      {"NESSUS_SCAN_RETENTION_HOURS", "-0.5"},
      {"POLL_INTERVAL_SECONDS", "0"},
      {"SCAN_TIMEOUT_SECONDS", "inf"},
      {"SHUTDOWN_GRACE_SECONDS", "-3"},
      {"EXPORT_TIMEOUT_SECONDS", "nan"},
      {"HEARTBEAT_TTL_SECONDS", "x"},
      {"MAX_DELIVERIES", "0"},
      {"MAX_DELIVERIES", "2.5"},
      {"HOUSEKEEPING_ENABLED", "maybe"},
      {"STALE_SCAN_CLEANUP_ENABLED", "2"},
      {"STALE_SCAN_DELETE_FROM_NESSUS", "yes please"},
      {"NESSUS_SCAN_CLEANUP_ENABLED", "t"},
      {"LOG_LEVEL", "verbose"},
      {"LOG_FORMAT", "xml"},
      {"METRICS_ADDR", "9109"},
      {"METRICS_ADDR", "host:port"},
      {"REDIS_URL", "http://redis:6379"},
      {"MAX_TASK_BYTES", "100"},
      {"MAX_TASK_BYTES", "1MB"},
      {"AUTH_MIN_SUCCESS_PERCENT", "0"},
      {"AUTH_MIN_SUCCESS_PERCENT", "101"},
      {"AUTH_MIN_SUCCESS_PERCENT", "90%"},
      {"AUTH_MIN_SUCCESS_PERCENT", "92.5"},
      {"METRICS_MAX_CONNECTIONS", "0"},
      {"METRICS_MAX_CONNECTIONS", "many"},
      {"SCANNER_HEALTH_INTERVAL_SECONDS", "0"},
  };
  for (const auto& [name, value] : bad) {
    const std::string message = error_of(name, value);
    EXPECT_NE(message.find(name), std::string::npos) << message;
    EXPECT_NE(message.find("'" + value + "'"), std::string::npos) << message;
  }
}

TEST(Environment, ABadRedisUrlDoesNotShowItsPassword) {
  const std::string message = error_of("REDIS_URL", "http://:hunter2@redis:6379");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_NE(message.find("REDIS_URL"), std::string::npos) << message;
}

TEST(Environment, DescribeMasksTheRedisPassword) {
  Environment environment;
  environment.redis_url = "redis://:hunter2@redis:6379/0";
  auto description = nlohmann::json::parse(describe(environment));
  EXPECT_EQ(description["redis_url"], "redis://:********@redis:6379/0");
  EXPECT_EQ(description["poll_interval_seconds"], 30.0);
  EXPECT_EQ(description["max_deliveries"], 3);

  environment.redis_url = "redis://user:hunter2@redis:6379";
  description = nlohmann::json::parse(describe(environment));
  EXPECT_EQ(description["redis_url"], "redis://user:********@redis:6379");

  environment.redis_url = "redis://redis:6379";
  description = nlohmann::json::parse(describe(environment));
  EXPECT_EQ(description["redis_url"], "redis://redis:6379");
  EXPECT_EQ(describe(environment).find("hunter2"), std::string::npos);
}

TEST(Environment, ReadsTheProductionRedisVariables) {
  testing::TempDir dir;
  const std::string pem = (dir.path() / "file.pem").string();
  std::ofstream(pem) << "pem\n";
  const Environment environment = load({{"REDIS_URL", "rediss://worker:pw@cache:6380"},
                                        {"REDIS_CA_FILE", pem},
                                        {"REDIS_CLIENT_CERT", pem},
                                        {"REDIS_CLIENT_KEY", pem},
                                        {"REDIS_SENTINELS", "10.0.0.1:26379, sentinel-b:26380,[::1]:26381"},
                                        {"REDIS_SENTINEL_MASTER", "mymaster"}});
  EXPECT_EQ(environment.redis_ca_file, pem);
  EXPECT_EQ(environment.redis_client_cert, pem);
  EXPECT_EQ(environment.redis_client_key, pem);
  const std::vector<HostPort> sentinels{{"10.0.0.1", 26379}, {"sentinel-b", 26380}, {"::1", 26381}};
  EXPECT_EQ(environment.redis_sentinels, sentinels);
  EXPECT_EQ(environment.redis_sentinel_master, "mymaster");
  const auto description = nlohmann::json::parse(describe(environment));
  EXPECT_EQ(description["redis_sentinels"][1], "sentinel-b:26380");
  EXPECT_EQ(description["redis_ca_file"], pem);
  EXPECT_TRUE(load({{"REDIS_URL", "unix:///run/redis.sock"}}).redis_sentinels.empty());
}

TEST(Environment, RefusesInconsistentRedisVariables) {
  testing::TempDir dir;
  const std::string pem = (dir.path() / "file.pem").string();
  std::ofstream(pem) << "pem\n";
  const std::string missing = (dir.path() / "missing.pem").string();
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"REDIS_URL", "redis://cache:6379"}, {"REDIS_CA_FILE", pem}}, "rediss://"},
      {{{"REDIS_URL", "rediss://cache:6379"}, {"REDIS_CA_FILE", missing}}, "REDIS_CA_FILE"},
      {{{"REDIS_URL", "rediss://cache:6379"}, {"REDIS_CLIENT_CERT", pem}}, "REDIS_CLIENT_KEY"},
      {{{"REDIS_SENTINELS", "10.0.0.1:26379"}}, "REDIS_SENTINEL_MASTER"},
      {{{"REDIS_SENTINEL_MASTER", "mymaster"}}, "REDIS_SENTINELS"},
      {{{"REDIS_SENTINELS", "10.0.0.1"}, {"REDIS_SENTINEL_MASTER", "m"}}, "REDIS_SENTINELS"},
      {{{"REDIS_SENTINELS", "a:1,,b:2"}, {"REDIS_SENTINEL_MASTER", "m"}}, "REDIS_SENTINELS"},
      {{{"REDIS_SENTINELS", "::1:26379"}, {"REDIS_SENTINEL_MASTER", "m"}}, "REDIS_SENTINELS"},
      {{{"REDIS_SENTINELS", "a:0"}, {"REDIS_SENTINEL_MASTER", "m"}}, "REDIS_SENTINELS"},
      {{{"REDIS_URL", "unix:///run/redis.sock"}, {"REDIS_SENTINELS", "a:1"}, {"REDIS_SENTINEL_MASTER", "m"}},
       "unix://"},
  };
  for (const auto& [variables, expected] : cases) {
    try {
      load(variables);
      ADD_FAILURE() << "accepted a case about " << expected;
    } catch (const core::Error& error) {
      EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    }
  }
}

TEST(Environment, DescribeMasksEveryFormOfRedisPassword) {
  Environment environment;
  for (const auto& [url, masked] : std::vector<std::pair<std::string, std::string>>{
           {"redis://hunter2@redis:6379", "redis://********@redis:6379"},
           {"rediss://user:hunter2@redis:6379", "rediss://user:********@redis:6379"},
           {"redis://:hunter2/rest@redis:6379", "redis://:********@redis:6379"},
           {"unix:///run/redis.sock?db=1&password=hunter2", "unix:///run/redis.sock?db=1&password=********"},
       }) {
    environment.redis_url = url;
    EXPECT_EQ(nlohmann::json::parse(describe(environment))["redis_url"], masked);
  }
}

}  // namespace
}  // namespace sw::config
