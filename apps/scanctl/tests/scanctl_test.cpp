// Runs the scanctl binary: validate's JSON and exit codes, results' JSON-NL for a file
// and for a task id under --data-dir / $DATA_DIR.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "exportgen/export_writer.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace {

using sw::exportgen::HostAuth;
using namespace std::chrono_literals;

struct CommandRun {
  int exit_code = -1;
  std::string out;
};

CommandRun scanctl(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv{SCANCTL_PROGRAM};
  argv.insert(argv.end(), args.begin(), args.end());
  sw::testing::ChildProcess child(std::move(argv), std::move(env), "/dev/null");
  CommandRun run;
  const auto code = child.wait(30s);
  EXPECT_TRUE(code.has_value());
  run.exit_code = code.value_or(-1);
  run.out = child.drain_stdout();
  return run;
}

class ScanctlTest : public ::testing::Test {
 protected:
  std::filesystem::path export_file(const std::filesystem::path& file, HostAuth auth) {
    sw::exportgen::ExportSpec spec;
    spec.plugin_set_size = 10;
    spec.hosts.push_back({"10.0.0.1", "10.0.0.1", auth, 12});
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << sw::exportgen::write_export(spec);
    return file;
  }
  sw::testing::TempDir dir_;
};

TEST_F(ScanctlTest, ValidateExitCodes) {
  const auto good = export_file(dir_.path() / "good.nessus", HostAuth::success);
  CommandRun run = scanctl({"validate", good.string(), "--scan-type", "trusted_privileged"});
  EXPECT_EQ(run.exit_code, 0);
  const auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json.at("authentication_status"), "success");
  EXPECT_EQ(json.at("validation_stats").at("hosts_scanned"), 1);

  const auto failed = export_file(dir_.path() / "failed.nessus", HostAuth::failure);
  run = scanctl({"validate", failed.string(), "--scan-type", "authenticated"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(run.out).at("error_reason"), "auth_failed");

  run = scanctl({"validate", (dir_.path() / "absent.nessus").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(run.out).at("error_reason"), "file_not_found");
}

TEST_F(ScanctlTest, ResultsForAFile) {
  const auto file = export_file(dir_.path() / "scan.nessus", HostAuth::not_attempted);
  CommandRun run =
      scanctl({"results", file.string(), "--profile", "minimal", "--filter", "severity=>=3", "--page-size", "10"});
  ASSERT_EQ(run.exit_code, 0);
  std::istringstream lines(run.out);
  std::string line;
  std::getline(lines, line);
  const auto schema = nlohmann::json::parse(line);
  EXPECT_EQ(schema.at("profile"), "minimal");
  EXPECT_EQ(schema.at("filters_applied").at("severity"), ">=3");
  int vulnerabilities = 0;
  while (std::getline(lines, line)) {
    const auto record = nlohmann::json::parse(line);
    if (record.at("type") != "vulnerability") continue;
    ++vulnerabilities;
    EXPECT_GE(std::stoi(record.at("severity").get<std::string>()), 3);
  }
  EXPECT_EQ(vulnerabilities, schema.at("total_vulnerabilities").get<int>());
  EXPECT_GE(vulnerabilities, 1);
}

TEST_F(ScanctlTest, ResultsForATaskId) {
  export_file(dir_.path() / "ne_scan_1" / "scan_native.nessus", HostAuth::success);
  CommandRun run = scanctl(
      {"results", "ne_scan_1", "--data-dir", dir_.path().string(), "--fields", "host,plugin_id", "--page", "0"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("\"profile\":\"custom\""), std::string::npos);
  run = scanctl({"results", "ne_scan_1"}, {{"DATA_DIR", dir_.path().string()}});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("\"type\":\"pagination\""), std::string::npos);
  EXPECT_EQ(scanctl({"results", "ne_scan_2", "--data-dir", dir_.path().string()}).exit_code, 2);
  EXPECT_EQ(scanctl({"results", "..", "--data-dir", dir_.path().string()}).exit_code, 2);
  EXPECT_EQ(scanctl({"results", "ne_scan_1", "--data-dir", dir_.path().string(), "--profile", "nope"}).exit_code, 2);
}

}  // namespace
