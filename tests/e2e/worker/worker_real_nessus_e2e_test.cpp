// End-to-end: the worker against nessus-sim answering as real Nessus servers do
// (docs/nessus-api.md): a first export that fails the real way, a scan stopped or paused by
// a person in the UI, an Essentials scanner that closes the connection on scan control
// after a token rotation and one that refuses scan control even after the token was fetched
// anew, the Nessus cleanup next to a never-launched scan, and a SIGTERM during a download
// that trickles.
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "nessus/scanner_client.hpp"
#include "worker_fixture.hpp"

namespace sw::e2e {
namespace {

using namespace std::chrono_literals;

// The simulator's view of the scan of a task (its name carries the task id), or null.
nlohmann::json sim_scan_of(testing::NessusSim& sim, const std::string& task_id) {
  const nlohmann::json stats = sim.stats();  // named: a range-for over a temporary's member dangles
  for (const auto& scan : stats["scans"]) {
    if (scan["name"].get<std::string>().find("[" + task_id + "]") != std::string::npos) return scan;
  }
  return nullptr;
}

// Waits until the task's scan reports `status` in the simulator; returns its id (0 on timeout).
std::int64_t wait_sim_status(testing::NessusSim& sim, const std::string& task_id, const std::string& status) {
  std::int64_t id = 0;
  testing::eventually(
      [&] {
        const auto scan = sim_scan_of(sim, task_id);
        if (scan.is_null() || scan["status"] != status) return false;
        id = scan["id"].get<std::int64_t>();
        return true;
      },
      60s, 50ms);
  return id;
}

TEST_F(WorkerE2E, FirstExportFailingTheRealWayCompletesOnTheSecond) {
  auto& sim = start_sim({"--scan-seconds", "0.5", "--export-failures", "1"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  start_worker("w1");
  const auto id = submit("10.0.0.21");
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::completed) << task.error_message.value_or("");
  EXPECT_EQ(sim.stats()["launches_total"], 1);
  EXPECT_NE(worker_log("w1").find("a new export is needed"), std::string::npos);
}

TEST_F(WorkerE2E, ExportsFailingEveryTimeFailTheTaskSayingSo) {
  auto& sim = start_sim({"--scan-seconds", "0.5", "--export-error"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  start_worker("w1");
  const auto task = wait_terminal(submit("10.0.0.22"));
  EXPECT_EQ(task.status, core::TaskStatus::failed);
  ASSERT_TRUE(task.error_message);
  EXPECT_NE(task.error_message->find("the export failed on every attempt"), std::string::npos) << *task.error_message;
}

TEST_F(WorkerE2E, ScanCancelledInTheUiFailsAndIsNotRelaunched) {
  auto& sim = start_sim({"--scan-seconds", "60"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  start_worker("w1");
  const auto id = submit("ui-cancel.example");
  const auto scan_id = wait_sim_status(sim, id, "running");
  ASSERT_GT(scan_id, 0) << sim.stats().dump();
  ASSERT_EQ(sim.post("/__sim/scans/" + std::to_string(scan_id) + "/stop", nlohmann::json::object()), 200);
  const auto task = wait_terminal(id);
  EXPECT_EQ(task.status, core::TaskStatus::failed);
  ASSERT_TRUE(task.error_message);
  EXPECT_NE(task.error_message->find("stopped in Nessus (status canceled"), std::string::npos) << *task.error_message;
  std::optional<queue::DeadLetter> dead;
  ASSERT_TRUE(testing::eventually([&] { return (dead = queue().dlq_show("nessus", id)).has_value(); }, 10s));
  EXPECT_EQ(sim.stats()["launches_total"], 1);
}

TEST_F(WorkerE2E, ScanPausedInTheUiStaysRunningThenCompletes) {
  auto& sim = start_sim({"--scan-seconds", "3"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  start_worker("w1");
  const auto id = submit("ui-pause.example");
  const auto scan_id = wait_sim_status(sim, id, "running");
  ASSERT_GT(scan_id, 0) << sim.stats().dump();
  ASSERT_EQ(sim.post("/__sim/scans/" + std::to_string(scan_id) + "/pause", nlohmann::json::object()), 200);
  // The pause shows in the task's live record (what `scanctl status` prints); the task runs on.
  ASSERT_TRUE(testing::eventually(
      [&] {
        const auto record = queue().scan_record(id);
        return record && record->value("status", "") == "paused";
      },
      30s, 50ms));
  EXPECT_EQ(task(id)->status, core::TaskStatus::running);
  ASSERT_EQ(sim.post("/__sim/scans/" + std::to_string(scan_id) + "/resume", nlohmann::json::object()), 200);
  const auto finished = wait_terminal(id);
  EXPECT_EQ(finished.status, core::TaskStatus::completed) << finished.error_message.value_or("");
  EXPECT_EQ(sim.stats()["launches_total"], 1);
}

TEST_F(WorkerE2E, EssentialsClosingTheConnectionAfterATokenRotationCompletes) {
  auto& sim = start_sim({"--scan-seconds", "0.5", "--profile", "essentials", "--close-on-refused-write"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  start_worker("w1");
  const auto first = wait_terminal(submit("10.0.0.23"));
  EXPECT_EQ(first.status, core::TaskStatus::completed) << first.error_message.value_or("");
  ASSERT_EQ(sim.post("/__sim/rotate-token", nlohmann::json::object()), 200);
  const auto second = wait_terminal(submit("10.0.0.24"));
  EXPECT_EQ(second.status, core::TaskStatus::completed) << second.error_message.value_or("");
  const auto stats = sim.stats();
  EXPECT_GE(stats["refused_writes"].get<int>(), 1);
  EXPECT_GE(stats["api_token_fetches"].get<int>(), 2);
  EXPECT_EQ(stats["scans_created"], 2);
  EXPECT_EQ(stats["launches_total"], 2);
}

// The files of the task's export in its folder: the export itself or a temporary file of it.
int export_files_of(const std::filesystem::path& export_path) {
  int count = 0;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(export_path.parent_path(), ignored)) {
    count += entry.path().filename().string().find(export_path.filename().string()) != std::string::npos ? 1 : 0;
  }
  return count;
}

// A SIGTERM while the export trickles (about 11 MB at 256 KB/s: some 40 s) hands the task
// back once the shutdown grace has passed, without waiting for the download, and leaves no
// part of it; the next worker (the scanner at full speed again) re-attaches, exports again
// and completes the task on the one launch.
TEST_F(WorkerE2E, SigtermDuringASlowDownloadHandsTheTaskBackAtOnce) {
  auto& sim = start_sim({"--scan-seconds", "0.5", "--hosts-per-target", "1000", "--slow-download", "262144"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  auto& first = start_worker("w1", {{"EXPORT_TIMEOUT_SECONDS", "600"}});
  const auto id = submit("10.0.0.26");
  const auto export_path = store_.export_path(id);
  ASSERT_TRUE(testing::eventually([&] { return export_files_of(export_path) > 0; }, 60s, 50ms))
      << "the download never reached the disk";
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(20s), 0) << "the worker waited for the download";
  EXPECT_NE(worker_log("w1").find("export abandoned"), std::string::npos);
  EXPECT_EQ(task(id)->status, core::TaskStatus::running);
  EXPECT_EQ(queue().stats("nessus", 1).depth, 1u);
  EXPECT_EQ(export_files_of(export_path), 0);

  ASSERT_EQ(sim.post("/__sim/faults", {{"slow_download_bytes_per_second", 0}}), 200);
  start_worker("w2");
  const auto finished = wait_terminal(id);
  EXPECT_EQ(finished.status, core::TaskStatus::completed) << finished.error_message.value_or("");
  const auto stats = sim.stats();
  EXPECT_EQ(stats["launches_total"], 1);
  EXPECT_EQ(stats["scans_created"], 1);
}

// Refused by closing again after the token was fetched anew: the task fails at once with
// the hint to set api_token, not to check that the scanner is up, and no scan is created.
TEST_F(WorkerE2E, ScanControlRefusedTwiceFailsTheTaskWithTheApiTokenHint) {
  auto& sim = start_sim({"--profile", "essentials", "--close-on-refused-write", "--refuse-scan-control"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  start_worker("w1");
  const auto task = wait_terminal(submit("10.0.0.27"));
  EXPECT_EQ(task.status, core::TaskStatus::failed);
  const std::string error = task.error_message.value_or("");
  EXPECT_NE(error.find("scan control through the API is refused"), std::string::npos) << error;
  EXPECT_NE(error.find("set api_token"), std::string::npos) << error;
  EXPECT_EQ(error.find("check that it is up"), std::string::npos) << error;
  const auto stats = sim.stats();
  EXPECT_EQ(stats["scans_created"], 0);
  EXPECT_EQ(stats["refused_writes"], 2);
}

// A scan created but not launched yet (dates 0, status empty) belongs to a running task:
// the cleanup leaves it; the same kind of scan of a finished task goes.
TEST_F(WorkerE2E, NessusCleanupLeavesANeverLaunchedScanOfARunningTask) {
  auto& sim = start_sim({"--scan-seconds", "0.5"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  config::ScannerConfig scanner;
  scanner.pool = "nessus";
  scanner.instance_id = "scanner1";
  scanner.url = sim.url();
  scanner.username = "nessus";
  scanner.password = "nessus";
  boost::asio::io_context io;
  nessus::ScannerClient client(io.get_executor(), scanner);
  const auto create = [&](const std::string& name) {
    nessus::NewScan scan;
    scan.name = name;
    scan.targets = "10.0.0.25";
    auto created = boost::asio::co_spawn(io, client.create_scan(scan), boost::asio::use_future);
    io.restart();
    io.run();
    return created.get();
  };
  const auto running_scan = create("e2e running [e2e_cleanup_running]");
  const auto finished_scan = create("e2e finished [e2e_cleanup_finished]");
  const auto now = std::chrono::system_clock::now();
  core::Task running;
  running.task_id = "e2e_cleanup_running";
  running.scan_type = "untrusted";
  running.scanner_pool = "nessus";
  running.status = core::TaskStatus::running;
  running.created_at = now;
  running.started_at = now;
  running.scanner_instance_id = "scanner1";
  running.nessus_scan_id = running_scan;
  running.payload = {{"targets", "10.0.0.25"}};
  store_.write(running);
  core::Task finished = running;
  finished.task_id = "e2e_cleanup_finished";
  finished.status = core::TaskStatus::failed;
  finished.completed_at = now;
  finished.nessus_scan_id = finished_scan;
  store_.write(finished);

  start_worker("w1", {{"NESSUS_SCAN_RETENTION_HOURS", "0"}, {"HOUSEKEEPING_INTERVAL_HOURS", "0.0002"}});
  // Both scans are in the listing the cleanup reads; the finished one going shows it ran.
  ASSERT_TRUE(testing::eventually([&] { return sim.stats()["deletes"].get<int>() >= 1; }, 30s, 50ms));
  EXPECT_TRUE(sim_scan_of(sim, "e2e_cleanup_finished").is_null());
  const auto kept = sim_scan_of(sim, "e2e_cleanup_running");
  ASSERT_FALSE(kept.is_null());
  EXPECT_EQ(kept["status"], "empty");
}

}  // namespace
}  // namespace sw::e2e

namespace sw::e2e {
namespace {

// A producer's cancel request (sw:cancel-requests) for a running task: the worker holding it
// stops the scan in Nessus, fails the task "cancelled by request" without a dead letter, and
// removes the request.
TEST_F(WorkerE2E, CancelRequestStopsTheRunningScan) {
  auto& sim = start_sim({"--scan-seconds", "60"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  start_worker("w1", {{"POLL_INTERVAL_SECONDS", "0.2"}});
  const auto id = submit("cancel-me.example");
  const auto scan_id = wait_sim_status(sim, id, "running");
  ASSERT_GT(scan_id, 0) << sim.stats().dump();
  queue().request_cancel(id);
  const auto task = wait_terminal(id, 60s);
  EXPECT_EQ(task.status, core::TaskStatus::failed);
  EXPECT_EQ(task.error_message.value_or(""), "cancelled by request");
  EXPECT_FALSE(queue().dlq_show("nessus", id));
  // The request is forgotten just after task.json is final.
  EXPECT_TRUE(testing::eventually([&] { return queue().cancel_requests().empty(); }, 10s));
  EXPECT_EQ(sim.stats()["launches_total"], 1);
  EXPECT_GE(sim.stats()["stops"].get<int>(), 1) << sim.stats().dump();
}

}  // namespace
}  // namespace sw::e2e
