// scanctl validate and results on realistic exports (exportgen): the authentication
// verdict (the scanner's own host proves nothing, AUTH_MIN_SUCCESS_PERCENT), the exit
// codes both commands share, the typed path of a missing file, and scanctl status showing
// the failed hosts that the worker's validation recorded.
#include <gtest/gtest.h>

#include <fstream>

#include "exportgen/export_writer.hpp"
#include "results/validator.hpp"
#include "scanctl_fixture.hpp"

namespace sw::scanctl_test {
namespace {

using exportgen::HostAuth;
using namespace std::chrono_literals;

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

class ExportCommandsTest : public ScanctlFixture {
 protected:
  // An export of the scanner's own host (10.0.0.1) and `remote` hosts with the outcome `auth`.
  std::filesystem::path scanner_and_remote(const std::string& name, int remote, HostAuth auth, int succeeded = 0) {
    exportgen::ExportSpec spec;
    spec.plugin_set_size = 20;
    spec.hosts.push_back({"10.0.0.1", "10.0.0.1", HostAuth::scanner_local, 3});
    for (int n = 0; n < remote; ++n) {
      const std::string ip = "10.0.1." + std::to_string(n + 1);
      spec.hosts.push_back({ip, ip, n < succeeded ? HostAuth::success : auth, 3});
    }
    const auto file = dir_.path() / name;
    std::ofstream(file) << exportgen::write_export(spec);
    return file;
  }
};

// The case: every remote host said "Credentialed checks : no", only the scanner
// itself said yes. An authenticated scan fails, and says why.
TEST_F(ExportCommandsTest, ValidateFailsWhenOnlyTheScannerHostAuthenticated) {
  const auto file = scanner_and_remote("scanner_only.nessus", 25, HostAuth::not_attempted);
  const CommandRun run = scanctl({"validate", file.string(), "--scan-type", "authenticated"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const nlohmann::json json = run.json();
  EXPECT_EQ(json.at("valid"), false);
  EXPECT_EQ(json.at("error_reason"), "auth_failed");
  EXPECT_EQ(json.at("authentication_status"), "failed");
  const std::string message = json.at("error_message");
  EXPECT_TRUE(has(message, "authentication failed on every target host")) << message;
  EXPECT_TRUE(
      has(message, "10.0.0.1 (not_applicable: scanner's own host: local checks, the scan's credentials not used"))
      << message;
  const nlohmann::json& stats = json.at("validation_stats");
  EXPECT_EQ(stats.at("auth_failed_hosts_count"), 25);
  EXPECT_EQ(stats.at("auth_failed_hosts").size(), 20u);
  EXPECT_EQ(stats.at("hosts_auth").at(0).at("status"), "not_applicable");

  // The same export scanned untrusted is fine.
  EXPECT_EQ(scanctl({"validate", file.string(), "--scan-type", "untrusted"}).exit_code, 0);
}

TEST_F(ExportCommandsTest, ThresholdFromTheEnvironmentOrTheOption) {
  const auto file = scanner_and_remote("partial.nessus", 4, HostAuth::failure, 3);  // 3 of 4 logged in
  CommandRun run = scanctl({"validate", file.string(), "--scan-type", "authenticated"});
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.json().at("authentication_status"), "partial");

  run = scanctl({"validate", file.string(), "--scan-type", "authenticated"}, {{"AUTH_MIN_SUCCESS_PERCENT", "90"}});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_TRUE(has(run.json().at("error_message").get<std::string>(),
                  "authentication succeeded on 3 of 4 target hosts (75 %), less than AUTH_MIN_SUCCESS_PERCENT=90"))
      << run.out;

  run = scanctl({"validate", file.string(), "--scan-type", "authenticated", "--auth-min-success-percent", "75"},
                {{"AUTH_MIN_SUCCESS_PERCENT", "90"}});
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.json().at("validation_stats").at("auth_min_success_percent"), 75);

  run = scanctl({"validate", file.string(), "--scan-type", "authenticated"}, {{"AUTH_MIN_SUCCESS_PERCENT", "0"}});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(has(run.err, "AUTH_MIN_SUCCESS_PERCENT")) << run.err;
  EXPECT_EQ(scanctl({"validate", file.string(), "--auth-min-success-percent", "101"}).exit_code, 2);
}

TEST_F(ExportCommandsTest, SameExitCodeForTheSameFailure) {
  const auto good = scanner_and_remote("good.nessus", 1, HostAuth::success);
  std::string text;
  {
    std::ifstream in(good);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto malformed = dir_.path() / "malformed.nessus";
  std::ofstream(malformed) << text.substr(0, text.size() / 2);
  EXPECT_EQ(scanctl({"validate", malformed.string()}).exit_code, 1);
  EXPECT_EQ(scanctl({"results", malformed.string()}).exit_code, 1);

  const auto missing = dir_.path() / "no_such_export.nessus";
  EXPECT_EQ(scanctl({"validate", missing.string()}).exit_code, 2);
  const CommandRun results = scanctl({"results", missing.string()});
  EXPECT_EQ(results.exit_code, 2);
  EXPECT_TRUE(has(results.err, "export file not found: " + missing.string())) << results.err;
  const CommandRun relative = scanctl({"results", "no_such_export.nessus"});
  EXPECT_EQ(relative.exit_code, 2);
  EXPECT_TRUE(has(relative.err, "export file not found: no_such_export.nessus")) << relative.err;

  EXPECT_EQ(scanctl({"validate", good.string(), "--scan-type", "bogus"}).exit_code, 2);
  EXPECT_EQ(scanctl({"results", good.string(), "--profile", "bogus"}).exit_code, 2);
  const CommandRun bad_filter = scanctl({"results", good.string(), "--filter", "severity=>=high"});
  EXPECT_EQ(bad_filter.exit_code, 2);
  EXPECT_TRUE(has(bad_filter.err, "must be followed by a number")) << bad_filter.err;

  const CommandRun help = scanctl({"results", "--help"});
  EXPECT_TRUE(has(help.out, "Exit codes (validate and results alike)")) << help.out;
  EXPECT_TRUE(has(help.out, "total_vulnerabilities")) << help.out;
  EXPECT_TRUE(has(scanctl({"validate", "--help"}).out, "Exit codes (validate and results alike)"));
}

// What the worker records (validation_stats of validate_export) shows in scanctl status.
TEST_F(ExportCommandsTest, StatusListsTheFailedHosts) {
  const auto file = scanner_and_remote("failed.nessus", 23, HostAuth::failure);
  const results::ValidationResult validation = results::validate_export(file, core::ScanType::authenticated);
  ASSERT_FALSE(validation.valid);
  write_task("ne_scan_auth", core::TaskStatus::failed, "nessus", "10.0.0.1", std::chrono::system_clock::now() - 5min);
  store().update("ne_scan_auth", [&](core::Task& task) {
    task.scan_type = "authenticated";
    task.error_message = validation.error_message;
    task.validation_stats = validation.stats_json();
    task.validation_warnings = validation.warnings;
    task.authentication_status = std::string(results::to_string(validation.authentication_status));
  });
  CommandRun run = scanctl({"status", "ne_scan_auth"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(has(run.out, "failed hosts")) << run.out;
  EXPECT_TRUE(has(run.out, "23 of 23 target hosts: 10.0.1.1, 10.0.1.2")) << run.out;
  EXPECT_TRUE(has(run.out, "and 3 more")) << run.out;
  run = scanctl({"status", "ne_scan_auth", "--json"});
  const nlohmann::json json = run.json();
  const nlohmann::json& stats = json.at("validation_stats");
  EXPECT_EQ(stats.at("auth_failed_hosts_count"), 23);
  EXPECT_EQ(stats.at("auth_failed_hosts").size(), 20u);
}

}  // namespace
}  // namespace sw::scanctl_test
