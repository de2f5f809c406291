// TaskRun, branch by branch, against the in-memory seams (FakeLedger for Redis, FakeScanner
// for Nessus, FakeClock) and a task store in a temporary folder: each test runs a task's
// whole life in milliseconds and checks what it left in task.json and the ledger.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/task_message.hpp"
#include "core/testing/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "worker/task_runner.hpp"
#include "worker/testing/fake_ledger.hpp"
#include "worker/testing/fake_scanner.hpp"

namespace sw::worker {
namespace {

namespace asio = boost::asio;
using core::TaskStatus;
using namespace std::chrono_literals;

config::ScannersConfig one_scanner_pool() {
  config::ScannerConfig scanner;
  scanner.pool = "nessus";
  scanner.instance_id = "scanner1";
  scanner.name = "Scanner 1";
  scanner.url = "https://nessus.invalid:8834";
  scanner.username = "u";
  scanner.password = "p";
  scanner.max_concurrent_scans = 2;
  config::ScannersConfig config;
  config.pools["nessus"] = config::PoolConfig{"nessus", {scanner}};
  return config;
}

WorkerSettings fast_settings() {
  config::Environment env;
  env.worker_id = "this-worker";
  env.scan_timeout = config::Seconds(3600);
  WorkerSettings settings = make_settings(env);
  settings.poll_interval = 1ms;
  settings.lease_retry = 1ms;
  settings.transient_budget = 60s;
  return settings;
}

std::string message(const std::string& task_id, const std::string& extra = "") {
  return R"({"task_id":")" + task_id + R"(","trace_id":"t-1","scan_type":"untrusted","scanner_pool":"nessus",)" +
         extra + R"("payload":{"targets":"192.0.2.20","name":"Weekly"}})";
}

class TaskRunTest : public ::testing::Test {
 protected:
  TaskRunTest()
      : settings(fast_settings()),
        lanes(queue::RedisOptions{}, queue::QueueSettings{"this-worker"}, 1),
        store(dir.path()),
        scanner(std::make_shared<testing::FakeScanner>()),
        scanners(one_scanner_pool(), [this](const config::ScannerConfig&) { return scanner; }),
        listings(io.get_executor(), 1ms),
        services{io.get_executor(), lanes, ledger, store,         scanners, listings,
                 metrics,           clock, cpu,    export_writes, settings, running_task_ids} {}

  // Runs the task from `raw` to its end; `during` runs on the event loop once the run has started.
  TaskEnd run(const std::string& raw, std::function<void(ActiveTask&)> during = {}) {
    task = std::make_unique<ActiveTask>(io.get_executor(), QueueEntry{"nessus", raw});
    std::optional<TaskEnd> end;
    std::exception_ptr error;
    asio::co_spawn(io, run_task(services, *task), [&](std::exception_ptr e, TaskEnd result) {
      error = e;
      end = result;
    });
    if (during) during(*task);
    io.run_for(20s);
    io.restart();
    if (error) std::rethrow_exception(error);
    EXPECT_TRUE(end) << "the task run did not end";
    return end.value_or(TaskEnd::dropped);
  }

  core::Task task_file(const std::string& task_id) const {
    const auto found = store.read(task_id);
    EXPECT_TRUE(found) << "no task.json for " << task_id;
    return found.value_or(core::Task{});
  }

  asio::io_context io;
  asio::thread_pool cpu{1};
  asio::thread_pool export_writes{1};
  sw::testing::TempDir dir;
  WorkerSettings settings;
  RedisLanes lanes;  // unused by a task run (the ledger is its Redis); never connects
  testing::FakeLedger ledger;
  store::TaskStore store;
  std::shared_ptr<testing::FakeScanner> scanner;
  ScannerRegistry scanners;
  ScanListings listings;
  telemetry::Metrics metrics;
  core::testing::FakeClock clock;
  std::set<std::string> running_task_ids;
  Services services;
  std::unique_ptr<ActiveTask> task;
};

TEST_F(TaskRunTest, CompletesOnOneScanAndOneLaunch) {
  EXPECT_EQ(run(message("t1")), TaskEnd::finished);
  const core::Task t = task_file("t1");
  EXPECT_EQ(t.status, TaskStatus::completed);
  EXPECT_EQ(t.nessus_scan_id, 101);
  EXPECT_EQ(t.scanner_instance_id, "scanner1");
  EXPECT_EQ(scanner->creates, 1);
  EXPECT_EQ(scanner->launches, 1);
  EXPECT_EQ(ledger.last_departure().how, "acknowledged");
  EXPECT_FALSE(ledger.holds_lease("t1"));
  EXPECT_FALSE(ledger.claims.contains("t1"));
  EXPECT_TRUE(std::filesystem::exists(store.export_path("t1")));
  EXPECT_EQ(ledger.finished, (std::map<std::string, int>{{"nessus/completed", 1}}));
}

TEST_F(TaskRunTest, MalformedEntryGoesToTheDeadLettersWithItsReason) {
  EXPECT_EQ(run(R"({"task_id":"t2","scan_type":"untrusted"})"), TaskEnd::finished);
  const auto departure = ledger.last_departure();
  EXPECT_EQ(departure.how, "dead_lettered");
  EXPECT_NE(departure.error.find("malformed task"), std::string::npos);
  EXPECT_EQ(scanner->creates, 0);
}

TEST_F(TaskRunTest, OversizedEntryIsNotParsed) {
  settings.env.max_task_bytes = 64;
  EXPECT_EQ(run(message("t3")), TaskEnd::finished);
  EXPECT_EQ(ledger.last_departure().how, "dead_lettered_oversized");
  EXPECT_NE(ledger.last_departure().error.find("MAX_TASK_BYTES=64"), std::string::npos);
}

TEST_F(TaskRunTest, RepeatedDeliveryOfATaskHeldElsewhereIsDropped) {
  ledger.held_elsewhere.insert("t4");
  EXPECT_EQ(run(message("t4")), TaskEnd::dropped);
  EXPECT_EQ(ledger.last_departure().how, "discarded");
  EXPECT_FALSE(store.read("t4"));
}

TEST_F(TaskRunTest, CreateCrashIsRecoveredByNameWithoutASecondScan) {
  // A previous owner created the scan, then died before recording its id.
  core::Task previous = core::task_from_message(core::parse_task_message(message("t5"), "nessus"), clock.now());
  previous.status = TaskStatus::running;
  store.write(previous);
  scanner->scans[101].name = "Weekly [t5]";
  EXPECT_EQ(run(message("t5")), TaskEnd::finished);
  EXPECT_EQ(scanner->creates, 0);
  EXPECT_EQ(task_file("t5").nessus_scan_id, 101);
  EXPECT_EQ(task_file("t5").status, TaskStatus::completed);
}

TEST_F(TaskRunTest, TransientCreateFailuresAreRetried) {
  scanner->create_failures = 2;
  settings.transient_budget = 60s;
  EXPECT_EQ(run(message("t6")), TaskEnd::finished);
  EXPECT_EQ(task_file("t6").status, TaskStatus::completed);
  EXPECT_EQ(scanner->creates, 1);
}

TEST_F(TaskRunTest, ReattachAdoptsTheRunningRunInsteadOfLaunching) {
  scanner->scans[101] = testing::FakeScanner::Scan{"Weekly [t7]", "running", "run-x", 0};
  queue::ScanRecord record = queue::ScanRecord::of_scan("t7", "scanner1", 101);
  ledger.records["t7"] = record;
  EXPECT_EQ(run(message("t7")), TaskEnd::finished);
  EXPECT_EQ(scanner->creates, 0);
  EXPECT_EQ(scanner->launches, 0);
  EXPECT_EQ(task_file("t7").status, TaskStatus::completed);
}

TEST_F(TaskRunTest, FailedExportsAreAskedForAgain) {
  scanner->export_failures = 2;
  EXPECT_EQ(run(message("t8")), TaskEnd::finished);
  EXPECT_EQ(task_file("t8").status, TaskStatus::completed);
  EXPECT_EQ(scanner->exports, 1);
}

TEST_F(TaskRunTest, ExportsFailingEveryTimeFailTheTaskSayingSo) {
  scanner->export_failures = 10;
  EXPECT_EQ(run(message("t9")), TaskEnd::finished);
  const core::Task t = task_file("t9");
  EXPECT_EQ(t.status, TaskStatus::failed);
  EXPECT_NE(t.error_message.value_or("").find("the export failed on every attempt"), std::string::npos);
  EXPECT_EQ(ledger.last_departure().how, "dead_lettered");
}

TEST_F(TaskRunTest, ScanTimeoutStopsTheScan) {
  scanner->run_statuses = {"running"};
  scanner->on_run_state = [this](std::int64_t) { clock.advance(std::chrono::hours(2)); };
  EXPECT_EQ(run(message("t10")), TaskEnd::finished);
  const core::Task t = task_file("t10");
  EXPECT_EQ(t.status, TaskStatus::timeout);
  EXPECT_NE(t.error_message.value_or("").find("SCAN_TIMEOUT_SECONDS"), std::string::npos);
  EXPECT_EQ(scanner->stops, 1);
  EXPECT_EQ(ledger.last_departure().how, "dead_lettered");
  EXPECT_EQ(ledger.finished, (std::map<std::string, int>{{"nessus/timeout", 1}}));
}

TEST_F(TaskRunTest, ScanCancelledInNessusFailsWithoutRelaunch) {
  scanner->run_statuses = {"running", "canceled"};
  EXPECT_EQ(run(message("t11")), TaskEnd::finished);
  const core::Task t = task_file("t11");
  EXPECT_EQ(t.status, TaskStatus::failed);
  EXPECT_NE(t.error_message.value_or("").find("stopped in Nessus (status canceled"), std::string::npos);
  EXPECT_EQ(scanner->launches, 1);
}

TEST_F(TaskRunTest, HandBackKeepsTheScanAndTheLease) {
  scanner->run_statuses = {"running"};
  scanner->on_run_state = [this](std::int64_t) { request_handback(*task); };
  EXPECT_EQ(run(message("t12")), TaskEnd::handed_back);
  EXPECT_EQ(ledger.last_departure().how, "handed_back");
  EXPECT_TRUE(ledger.holds_lease("t12"));
  EXPECT_EQ(scanner->stops, 0);
  EXPECT_EQ(task_file("t12").status, TaskStatus::running);
  EXPECT_TRUE(ledger.records.at("t12").run_uuid);  // the next owner re-attaches
}

// A hand-back during an export abandons it at once (a trickling download must not hold up
// shutdown): nothing is left at the export path and the next owner re-attaches and exports.
TEST_F(TaskRunTest, HandBackDuringAnExportAbandonsIt) {
  scanner->export_stalls = true;
  scanner->on_export = [this] { request_handback(*task); };
  EXPECT_EQ(run(message("t20")), TaskEnd::handed_back);
  EXPECT_EQ(scanner->exports, 1);
  EXPECT_EQ(ledger.last_departure().how, "handed_back");
  EXPECT_EQ(task_file("t20").status, TaskStatus::running);
  EXPECT_TRUE(ledger.records.at("t20").run_uuid);
  for (const auto& entry : std::filesystem::directory_iterator(store.export_path("t20").parent_path())) {
    EXPECT_EQ(entry.path().filename().string().find("scan_native"), std::string::npos) << entry.path();
  }
}

// A cancel during an export abandons it too; the task fails "cancelled by request".
TEST_F(TaskRunTest, CancelDuringAnExportAbandonsIt) {
  scanner->export_stalls = true;
  scanner->on_export = [this] {
    ledger.cancel_requests.insert("t21");
    request_cancel(*task);
  };
  EXPECT_EQ(run(message("t21")), TaskEnd::finished);
  const core::Task t = task_file("t21");
  EXPECT_EQ(t.status, TaskStatus::failed);
  EXPECT_EQ(t.error_message, "cancelled by request");
  EXPECT_FALSE(std::filesystem::exists(store.export_path("t21")));
}

TEST_F(TaskRunTest, CancelStopsTheScanAndFailsWithoutADeadLetter) {
  scanner->run_statuses = {"running"};
  scanner->on_run_state = [this](std::int64_t) {  // as the worker's sweep of sw:cancel-requests does
    ledger.cancel_requests.insert("t13");
    request_cancel(*task);
  };
  EXPECT_EQ(run(message("t13")), TaskEnd::finished);
  const core::Task t = task_file("t13");
  EXPECT_EQ(t.status, TaskStatus::failed);
  EXPECT_EQ(t.error_message, "cancelled by request");
  EXPECT_EQ(scanner->stops, 1);
  EXPECT_EQ(ledger.last_departure().how, "acknowledged");
  EXPECT_FALSE(ledger.cancel_requests.contains("t13"));
}

TEST_F(TaskRunTest, CancelRequestedBeforeTheStartCreatesNoScan) {
  ledger.cancel_requests.insert("t14");
  EXPECT_EQ(run(message("t14")), TaskEnd::finished);
  EXPECT_EQ(task_file("t14").status, TaskStatus::failed);
  EXPECT_EQ(scanner->creates, 0);
  EXPECT_FALSE(ledger.holds_lease("t14"));
}

TEST_F(TaskRunTest, TaskTakenOverByAnotherWorkerWritesNothingMore) {
  scanner->on_run_state = [this](std::int64_t) { ledger.held_elsewhere.insert("t15"); };
  EXPECT_EQ(run(message("t15")), TaskEnd::dropped);
  EXPECT_EQ(task_file("t15").status, TaskStatus::running);
  EXPECT_TRUE(ledger.departures.empty());
}

TEST_F(TaskRunTest, PinnedToAFullScannerIsDeferred) {
  ledger.full_scanners.insert("scanner1");
  EXPECT_EQ(run(message("t16", R"("scanner_instance_id":"scanner1",)")), TaskEnd::deferred);
  EXPECT_EQ(ledger.last_departure().how, "deferred");
  EXPECT_EQ(scanner->creates, 0);
  EXPECT_EQ(task_file("t16").status, TaskStatus::queued);  // queued by LPUSH alone: written for the wait
}

// A task queued by LPUSH alone gets its task.json at its first change: `queued` while it
// waits for a scanner, and straight `running` when one has room at once.
TEST_F(TaskRunTest, TaskFileOfATaskQueuedWithoutOneIsWrittenAtItsFirstChange) {
  ledger.full_scanners.insert("scanner1");
  std::optional<TaskStatus> while_waiting;
  asio::steady_timer check(io, 50ms);
  check.async_wait([&](boost::system::error_code) {
    if (const auto found = store.read("t19")) while_waiting = found->status;
    ledger.full_scanners.clear();
  });
  EXPECT_EQ(run(message("t19")), TaskEnd::finished);
  EXPECT_EQ(while_waiting, TaskStatus::queued);
  EXPECT_EQ(task_file("t19").status, TaskStatus::completed);

  std::optional<TaskStatus> at_first_look;
  scanner->on_run_state = [&](std::int64_t) {
    if (!at_first_look) at_first_look = task_file("t20").status;
  };
  EXPECT_EQ(run(message("t20")), TaskEnd::finished);
  EXPECT_EQ(at_first_look, TaskStatus::running);
  EXPECT_EQ(task_file("t20").scanner_instance_id, "scanner1");
  EXPECT_EQ(task_file("t20").nessus_scan_id, 102);
}

TEST_F(TaskRunTest, UnknownPinnedScannerFailsTheTask) {
  EXPECT_EQ(run(message("t17", R"("scanner_instance_id":"nope",)")), TaskEnd::finished);
  EXPECT_NE(task_file("t17").error_message.value_or("").find("scanner 'nope' is not configured"), std::string::npos);
}

TEST_F(TaskRunTest, RedisFailureEndsTheRunToBeRetried) {
  ledger.redis_down = true;
  try {
    run(message("t18"));
    FAIL() << "expected a redis error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::redis);
  }
  ledger.redis_down = false;
  EXPECT_EQ(run(message("t18")), TaskEnd::finished);  // the retry runs it from its records
  EXPECT_EQ(task_file("t18").status, TaskStatus::completed);
}

TEST_F(TaskRunTest, RedactedCredentialsOfARetriedDeadLetterFailTheTask) {
  const std::string raw =
      R"({"task_id":"t19","trace_id":"t","scan_type":"authenticated","scanner_pool":"nessus","payload":{"targets":"192.0.2.20","name":"n","credentials":{"type":"ssh","username":"u","password":"********"}}})";
  EXPECT_EQ(run(raw), TaskEnd::finished);
  EXPECT_NE(task_file("t19").error_message.value_or("").find("credentials were redacted"), std::string::npos);
  EXPECT_EQ(scanner->creates, 0);
}

}  // namespace
}  // namespace sw::worker
