// End-to-end: reload, metrics and health, housekeeping and Nessus cleanup.
#include <signal.h>

#include <fstream>

#include "http/testing/test_client.hpp"
#include "nessus/protocol.hpp"
#include "worker_fixture.hpp"

namespace sw::e2e {
namespace {

// Creates and launches a scan as a person would in the Nessus UI (no task marker in its name).
void create_manual_scan(const testing::NessusSim& sim, const std::string& name) {
  http::testing::TestClient client(static_cast<std::uint16_t>(sim.port()), sim.tls());
  const auto login = client.request("POST", "/session", R"({"username":"nessus","password":"nessus"})",
                                    {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string session = nlohmann::json::parse(login.body)["token"];
  const std::string js = client.get("/nessus6.js").body;
  const auto api_token = nessus::extract_api_token(js);
  ASSERT_TRUE(api_token);
  const std::map<std::string, std::string> headers = {
      {"Content-Type", "application/json"}, {"X-Cookie", "token=" + session}, {"X-API-Token", *api_token}};
  const nlohmann::json body = {{"uuid", "ad629e16-03b6-8c1d-cef6-ef8c9dd3c658d24bd260ef5f9e66"},
                               {"settings", {{"name", name}, {"text_targets", "10.7.0.1"}, {"launch_now", false}}}};
  const auto created = client.request("POST", "/scans", body.dump(), headers);
  ASSERT_EQ(created.status, 200) << created.body;
  const auto id = nlohmann::json::parse(created.body)["scan"]["id"].get<long long>();
  ASSERT_EQ(client.request("POST", "/scans/" + std::to_string(id) + "/launch", "{}", headers).status, 200);
}

std::string get_metrics(const std::string& port) {
  http::testing::TestClient client(static_cast<std::uint16_t>(std::stoi(port)));
  return client.get("/metrics").body;
}

TEST_F(WorkerE2E, BadScannersFileOnSighupChangesNothing) {
  auto& sim = start_sim({"--scan-seconds", "0.3"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  auto& worker = start_worker("w1");
  EXPECT_EQ(wait_terminal(submit("10.4.0.1")).status, core::TaskStatus::completed);
  std::ofstream(scanners_path_) << "nessus:\n  - instance_id: scanner1\n    bogus_key: 1\n";
  worker.signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return worker_log("w1").find("reload failed") != std::string::npos; },
                                  std::chrono::seconds(10)));
  EXPECT_EQ(wait_terminal(submit("10.4.0.2")).status, core::TaskStatus::completed);
  EXPECT_TRUE(worker.running());
}

TEST_F(WorkerE2E, MetricsAndHealthEndpoints) {
  auto& sim = start_sim({"--scan-seconds", "0.3"});
  write_scanners({{"nessus", "scanner1", 3, &sim}});
  start_worker("w1", {{"STALE_SCAN_CLEANUP_ENABLED", "false"}});
  EXPECT_EQ(wait_terminal(submit("10.5.0.1")).status, core::TaskStatus::completed);
  EXPECT_EQ(wait_terminal(submit("authfail.example", "nessus", "bad")).status, core::TaskStatus::failed);
  const std::string port = metrics_port("w1");
  std::string text;
  ASSERT_TRUE(testing::eventually(
      [&] {
        text = get_metrics(port);
        return text.find("nessus_scanner_active_scans{pool=\"nessus\",scanner_instance=\"scanner1\"} 0") !=
               std::string::npos;
      },
      std::chrono::seconds(10)));
  EXPECT_NE(text.find("nessus_pool_queue_depth{pool=\"nessus\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("nessus_pool_dlq_depth{pool=\"nessus\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nessus_validation_results_total{pool=\"nessus\",result=\"valid\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nessus_auth_failures_total{pool=\"nessus\",scan_type=\"authenticated\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nessus_scanner_capacity{pool=\"nessus\",scanner_instance=\"scanner1\"} 3"), std::string::npos);
  EXPECT_NE(text.find("nessus_api_requests_total"), std::string::npos);
  const auto metrics_file = dir_.path() / "metrics.txt";
  std::ofstream(metrics_file) << text;
  testing::ChildProcess promtool(
      {"/bin/sh", "-c", "promtool check metrics < " + metrics_file.string() + " && echo PROMTOOL-OK"});
  EXPECT_TRUE(promtool.wait_for_line("PROMTOOL-OK", std::chrono::seconds(20))) << promtool.drain_stdout();

  http::testing::TestClient client(static_cast<std::uint16_t>(std::stoi(port)));
  EXPECT_EQ(client.get("/healthz").status, 200);
  EXPECT_EQ(client.get("/readyz").status, 200);
  EXPECT_EQ(client.get("/nope").status, 404);
  EXPECT_EQ(client.request("POST", "/metrics").status, 405);
}

TEST_F(WorkerE2E, ReadyzIs503WhenRedisIsDown) {
  auto& sim = start_sim();
  write_scanners({{"nessus", "scanner1", 1, &sim}});
  start_worker("w1");
  const std::string port = metrics_port("w1");
  auto readyz = [&] {
    http::testing::TestClient client(static_cast<std::uint16_t>(std::stoi(port)));
    return client.get("/readyz").status;
  };
  ASSERT_TRUE(testing::eventually([&] { return readyz() == 200; }, std::chrono::seconds(10)));
  redis_.stop();
  EXPECT_TRUE(testing::eventually([&] { return readyz() == 503; }, std::chrono::seconds(10)));
  redis_.start();
  EXPECT_TRUE(testing::eventually([&] { return readyz() == 200; }, std::chrono::seconds(15)));
}

TEST_F(WorkerE2E, HousekeepingAndNessusCleanupDeleteOnlyWhatTheyShould) {
  auto& sim = start_sim({"--scan-seconds", "0.2"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  // An old finished task and an old running one, written as the Python worker would.
  auto make_old = [&](const std::string& id, core::TaskStatus status) {
    core::Task t;
    t.task_id = id;
    t.trace_id = "x";
    t.scan_type = "untrusted";
    t.status = status;
    t.scanner_pool = "nessus";
    t.payload = {{"targets", "10.9.9.9"}};
    t.created_at = *core::parse_iso("2020-01-01T00:00:00");
    if (core::is_terminal(status)) t.completed_at = t.created_at;
    store_.write(t);
  };
  make_old("old_completed", core::TaskStatus::completed);
  make_old("old_failed", core::TaskStatus::failed);
  make_old("old_queued", core::TaskStatus::queued);
  // First worker: finishes a scan, housekeeping off.
  auto& first = start_worker("w1", {{"HOUSEKEEPING_ENABLED", "false"},
                                    {"NESSUS_SCAN_CLEANUP_ENABLED", "false"},
                                    {"STALE_SCAN_CLEANUP_ENABLED", "false"}});
  const std::string ours = submit("10.6.0.1");
  EXPECT_EQ(wait_terminal(ours).status, core::TaskStatus::completed);
  first.stop();
  // A scan a person created in the Nessus UI (no task marker) must survive.
  create_manual_scan(sim, "Manual scan by Alice");
  ASSERT_TRUE(testing::eventually(
      [&] {
        const auto stats = sim.stats();
        for (const auto& scan : stats["scans"]) {
          if (scan["name"] == "Manual scan by Alice" && scan["status"] == "completed") return true;
        }
        return false;
      },
      std::chrono::seconds(10)));
  start_worker("w2", {{"HOUSEKEEPING_INTERVAL_HOURS", "0.0003"},
                      {"COMPLETED_TTL_DAYS", "30"},
                      {"FAILED_TTL_DAYS", "30"},
                      {"NESSUS_SCAN_RETENTION_HOURS", "0"},
                      {"STALE_SCAN_CLEANUP_ENABLED", "false"}});
  EXPECT_TRUE(
      testing::eventually([&] { return !task("old_completed") && !task("old_failed"); }, std::chrono::seconds(15)));
  EXPECT_TRUE(task("old_queued").has_value());
  EXPECT_TRUE(task(ours).has_value());  // younger than its TTL
  EXPECT_TRUE(testing::eventually([&] { return sim.stats()["deletes"].get<int>() == 1; }, std::chrono::seconds(15)));
  bool manual_kept = false;
  const auto final_stats = sim.stats();
  for (const auto& scan : final_stats["scans"]) manual_kept |= scan["name"] == "Manual scan by Alice";
  EXPECT_TRUE(manual_kept);
}

TEST_F(WorkerE2E, OperatorsSeeEachScannersHealthAndTheFinishedCounts) {
  auto& up = start_sim({"--scan-seconds", "0.2"});
  auto& down = start_sim({"--scan-seconds", "0.2"});
  write_scanners({{"nessus", "scanner1", 2, &up}, {"nessus", "scanner2", 2, &down}});
  ASSERT_EQ(down.post("/__sim/outage", {{"seconds", 600}}), 200);
  start_worker("w1", {{"SCANNER_HEALTH_INTERVAL_SECONDS", "0.2"}});
  ASSERT_TRUE(testing::eventually(
      [&] {
        const auto one = queue().scanner_health("nessus", "scanner1");
        const auto two = queue().scanner_health("nessus", "scanner2");
        return one && one->reachable && two && !two->reachable;
      },
      std::chrono::seconds(15)));
  const auto healthy = *queue().scanner_health("nessus", "scanner1");
  EXPECT_EQ(healthy.status, "ready");
  EXPECT_EQ(healthy.checked_by, "w1");
  EXPECT_FALSE(queue().scanner_health("nessus", "scanner2")->error.empty());

  const std::string id = submit("10.0.0.5", "nessus", "", "scanner1");
  EXPECT_EQ(wait_terminal(id).status, core::TaskStatus::completed);
  long long completed = 0;
  for (const auto& hour : queue().finished_by_hour("nessus", core::SystemClock().now(), 24)) {
    completed += hour.by_outcome.contains("completed") ? hour.by_outcome.at("completed") : 0;
  }
  EXPECT_EQ(completed, 1);
}

TEST_F(WorkerE2E, StaleRunningTasksTimeOutButNotThoseALiveWorkerRuns) {
  auto& sim = start_sim({"--scan-seconds", "0.2"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  const auto write_stale_task = [&](const std::string& task_id) {
    core::Task t;
    t.task_id = task_id;
    t.trace_id = "x";
    t.scan_type = "untrusted";
    t.status = core::TaskStatus::running;
    t.scanner_pool = "nessus";
    t.payload = {{"targets", "10.9.9.8"}};
    t.created_at = *core::parse_iso("2020-01-01T00:00:00");
    t.started_at = t.created_at;
    store_.write(t);
  };
  write_stale_task("stale_one");
  // A long scan that another live worker runs: its claim names that worker.
  write_stale_task("stale_held");
  queue::TaskQueue other(queue::RedisOptions{redis_.url()}, queue::QueueSettings{"w-other"});
  other.heartbeat({});
  ASSERT_TRUE(other.claim_task("stale_held", std::chrono::hours(1)).ours());

  start_worker("w1", {{"HOUSEKEEPING_INTERVAL_HOURS", "0.0003"}, {"STALE_SCAN_HOURS", "1"}});
  EXPECT_TRUE(testing::eventually([&] { return task("stale_one")->status == core::TaskStatus::timeout; },
                                  std::chrono::seconds(15)));
  // stale_two enters the job's next pass: once it is timed out, the pass that saw
  // stale_held beside stale_one is over.
  write_stale_task("stale_two");
  EXPECT_TRUE(testing::eventually([&] { return task("stale_two")->status == core::TaskStatus::timeout; },
                                  std::chrono::seconds(15)));
  EXPECT_EQ(task("stale_held")->status, core::TaskStatus::running);
}

}  // namespace
}  // namespace sw::e2e
