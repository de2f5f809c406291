// scanctl status (queued, running with live progress, failed with per-host authentication
// and a hint, --watch until terminal, not found) and list (newest first, filters incl. the
// CIDR-aware target filter, limit) in both output modes.
#include <chrono>

#include "scanctl_fixture.hpp"
#include "support/process.hpp"

namespace sw::scanctl_test {
namespace {

using namespace std::chrono_literals;
using core::TaskStatus;

class TaskCommandsTest : public ScanctlFixture {
 protected:
  const std::chrono::system_clock::time_point base_ = std::chrono::system_clock::now() - 1h;
};

nlohmann::json failed_auth_stats() {
  return {
      {"file_size_bytes", 4096},
      {"hosts_scanned", 2},
      {"total_plugins", 30},
      {"auth_plugins_found", 2},
      {"credentialed_status_raw", "no"},
      {"severity_counts", {{"critical", 1}, {"high", 2}, {"medium", 3}, {"low", 4}, {"info", 20}}},
      {"total_vulnerabilities", 10},
      {"hosts_auth",
       {{{"host", "10.0.0.1"},
         {"status", "failed"},
         {"evidence", "plugin 104410 (credentials refused)"},
         {"credentialed_checks", "no"}},
        {{"host", "10.0.0.2"}, {"status", "failed"}, {"evidence", "plugin 21745"}, {"credentialed_checks", nullptr}}}}};
}

TEST_F(TaskCommandsTest, StatusOfQueuedRunningAndFailedTasks) {
  write_task("ne_scan_q", TaskStatus::queued, "nessus", "10.0.0.1", base_);
  CommandRun run = scanctl({"status", "ne_scan_q", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json().at("status"), "queued");
  EXPECT_TRUE(run.json().at("live").is_null());
  EXPECT_TRUE(run.json().at("hint").is_null());
  run = scanctl({"status", "ne_scan_q"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("queued"), std::string::npos);
  EXPECT_EQ(run.out.find("\033["), std::string::npos) << "no colours without a terminal";

  auto running = write_task("ne_scan_r", TaskStatus::running, "nessus", "10.0.0.0/30", base_);
  store().update("ne_scan_r", [](core::Task& task) { task.nessus_scan_id = 42; });
  task_queue().save_scan_record(
      "ne_scan_r",
      {{"scanner", "scanner1"}, {"scan_id", 42}, {"run_uuid", "u-1"}, {"status", "running"}, {"progress", 37.5}});
  run = scanctl({"status", "ne_scan_r", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json().at("live").at("progress"), 37.5);
  EXPECT_EQ(run.json().at("nessus_scan_id"), 42);
  EXPECT_GT(run.json().at("duration_seconds").get<double>(), 3000.0);
  run = scanctl({"status", "ne_scan_r"});
  EXPECT_NE(run.out.find("37.5%"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("[###"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("42"), std::string::npos);
  EXPECT_NE(run.out.find("scanner1"), std::string::npos);

  write_task("ne_scan_f", TaskStatus::failed, "nessus", "10.0.0.1-2", base_);
  store().update("ne_scan_f", [](core::Task& task) {
    task.validation_stats = failed_auth_stats();
    task.authentication_status = "failed";
    task.error_message = "authentication failed on every host: 10.0.0.1, 10.0.0.2";
    task.validation_warnings = {"a warning"};
  });
  run = scanctl({"status", "ne_scan_f", "--json"});
  ASSERT_EQ(run.exit_code, 0);
  const auto json = run.json();
  EXPECT_EQ(json.at("authentication_status"), "failed");
  EXPECT_EQ(json.at("validation_stats").at("hosts_auth").size(), 2u);
  EXPECT_NE(json.at("hint").get<std::string>().find("credentials"), std::string::npos);
  EXPECT_DOUBLE_EQ(json.at("duration_seconds").get<double>(), 64.0);
  run = scanctl({"status", "ne_scan_f"});
  for (const char* part : {"critical 1", "high 2", "Authentication", "10.0.0.2", "plugin 104410", "a warning",
                           "What to do", "sudo", "1m 04s"}) {
    EXPECT_NE(run.out.find(part), std::string::npos) << part << " in\n" << run.out;
  }

  write_task("ne_scan_t", TaskStatus::timeout, "nessus", "10.0.0.1", base_);
  EXPECT_NE(scanctl({"status", "ne_scan_t", "--json"}).json().at("hint").get<std::string>().find("SCAN_TIMEOUT"),
            std::string::npos);

  EXPECT_EQ(scanctl({"status", "ne_scan_absent"}).exit_code, 1);
  EXPECT_EQ(scanctl({"status", ".."}).exit_code, 1);
}

TEST_F(TaskCommandsTest, StatusWatchFollowsTheTaskToItsEnd) {
  write_task("ne_scan_w", TaskStatus::running, "nessus", "10.0.0.1", base_);
  task_queue().save_scan_record("ne_scan_w", {{"scanner", "scanner1"}, {"scan_id", 7}, {"progress", 10.0}});
  testing::ChildProcess watcher(
      {testing::program_path("scanctl"), "status", "ne_scan_w", "--watch", "--interval", "0.05", "--json"},
      {{"REDIS_URL", redis_server_.url()}, {"DATA_DIR", data_dir().string()}}, "/dev/null");
  ASSERT_TRUE(watcher.wait_for_line("\"progress\":10.0", 20s));
  task_queue().save_scan_record("ne_scan_w", {{"scanner", "scanner1"}, {"scan_id", 7}, {"progress", 80.0}});
  ASSERT_TRUE(watcher.wait_for_line("\"progress\":80.0", 20s));
  EXPECT_TRUE(watcher.running());
  store().update("ne_scan_w", [](core::Task& task) {
    task.status = TaskStatus::completed;
    task.completed_at = std::chrono::system_clock::now();
  });
  ASSERT_TRUE(watcher.wait_for_line("\"status\":\"completed\"", 20s));
  EXPECT_EQ(watcher.wait(20s), 0);
}

TEST_F(TaskCommandsTest, ListNewestFirstWithFilters) {
  write_task("ne_scan_1", TaskStatus::completed, "nessus", "10.0.0.0/24", base_);
  write_task("ne_scan_2", TaskStatus::failed, "nessus_dmz", "192.168.1.10, web.example", base_ + 1min);
  write_task("ne_scan_3", TaskStatus::queued, "nessus", "10.0.1.0/24", base_ + 2min);
  write_task("ne_scan_4", TaskStatus::running, "nessus", "10.0.0.5-10.0.0.9", base_ + 3min);

  const auto ids = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"list", "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    const CommandRun run = scanctl(argv);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::string> result;
    for (const auto& task : run.json()) result.push_back(task.at("task_id"));
    return result;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids({}), (Ids{"ne_scan_4", "ne_scan_3", "ne_scan_2", "ne_scan_1"}));
  EXPECT_EQ(ids({"--status", "failed"}), (Ids{"ne_scan_2"}));
  EXPECT_EQ(ids({"--pool", "nessus"}), (Ids{"ne_scan_4", "ne_scan_3", "ne_scan_1"}));
  EXPECT_EQ(ids({"--target", "10.0.0.7"}), (Ids{"ne_scan_4", "ne_scan_1"}));
  EXPECT_EQ(ids({"--target", "10.0.0.0/16"}), (Ids{"ne_scan_4", "ne_scan_3", "ne_scan_1"}));
  EXPECT_EQ(ids({"--target", "WEB.example"}), (Ids{"ne_scan_2"}));
  EXPECT_EQ(ids({"--limit", "2"}), (Ids{"ne_scan_4", "ne_scan_3"}));

  const CommandRun human = scanctl({"list", "--pool", "nessus_dmz"});
  ASSERT_EQ(human.exit_code, 0);
  EXPECT_EQ(human.out.find("TASK ID"), 0u) << human.out;
  EXPECT_NE(human.out.find("ne_scan_2"), std::string::npos);
  EXPECT_NE(human.out.find("web.example"), std::string::npos);
  EXPECT_EQ(human.out.find("ne_scan_1"), std::string::npos);
  EXPECT_EQ(scanctl({"list", "--status", "lost"}).exit_code, 1);
  EXPECT_EQ(scanctl({"list", "--target", "10.0.0.300"}).exit_code, 1);
  EXPECT_EQ(scanctl({"list", "--limit", "x"}).exit_code, 2);
}

}  // namespace
}  // namespace sw::scanctl_test
