// Tests of simulator settings from JSON (config file and /__sim/faults).
#include "sim/options.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace sw::sim {
namespace {

TEST(SimOptions, AppliesAConfigFile) {
  SimOptions options;
  apply_config(options, nlohmann::json::parse(R"({
    "profile": "essentials", "username": "admin", "session_idle_timeout": 5,
    "folder_layout": "nessus6", "pending_seconds": 0.5, "scan_seconds": 3, "hosts_per_target": 2,
    "faults": {"drop_body_on_412": true, "delete_running_code": 409},
    "scenarios": [{"match": "dmz", "scenario": "abort"}]})"));
  EXPECT_EQ(options.profile, Profile::essentials);
  EXPECT_EQ(options.username, "admin");
  EXPECT_EQ(options.session_idle_timeout, 5);
  EXPECT_EQ(options.folder_layout, FolderLayout::nessus6);
  EXPECT_EQ(options.timing.pending_seconds, 0.5);
  EXPECT_EQ(options.timing.scan_seconds, 3);
  EXPECT_EQ(options.expansion.hosts_per_target, 2);
  EXPECT_TRUE(options.faults.drop_body_on_412);
  EXPECT_EQ(options.faults.delete_running_code, 409);
  ASSERT_EQ(options.scenario_rules.size(), 1U);
  EXPECT_EQ(options.scenario_rules[0].scenario, Scenario::abort);
}

TEST(SimOptions, RejectsUnknownKeysAndBadValuesByName) {
  SimOptions options;
  const auto message = [&](const char* text) {
    try {
      apply_config(options, nlohmann::json::parse(text));
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::bad_input);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(R"({"colour": 1})").find("colour"), std::string::npos);
  EXPECT_NE(message(R"({"profile": "home"})").find("profile"), std::string::npos);
  EXPECT_NE(message(R"({"faults": {"error_rate_5xx": 2}})").find("error_rate_5xx"), std::string::npos);
  EXPECT_NE(message(R"({"faults": {"launch_running_code": 404}})").find("launch_running_code"), std::string::npos);
  EXPECT_NE(message(R"({"faults": {"slow_download_bytes_per_second": -1}})").find("slow_download"), std::string::npos);
  EXPECT_NE(message(R"({"scan_seconds": "ten"})").find("scan_seconds"), std::string::npos);
  EXPECT_NE(message(R"({"scenarios": [{"match": "x", "scenario": "explode"}]})").find("explode"), std::string::npos);
}

TEST(SimOptions, FaultsRoundTripThroughJson) {
  SimOptions options;
  apply_faults(options, nlohmann::json::parse(
                            R"({"slow_ms": 25, "reset_rate": 0.5, "session_idle_timeout": 3,
                                "slow_download_bytes_per_second": 2048})"));
  const auto faults = faults_to_json(options);
  EXPECT_EQ(faults["slow_ms"], 25);
  EXPECT_EQ(faults["slow_download_bytes_per_second"], 2048);
  EXPECT_EQ(faults["reset_rate"], 0.5);
  EXPECT_EQ(faults["session_idle_timeout"], 3);
}

}  // namespace
}  // namespace sw::sim
