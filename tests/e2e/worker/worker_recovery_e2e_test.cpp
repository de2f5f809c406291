// End-to-end: capacity across workers, kill -9 recovery, SIGTERM hand-over.
#include <signal.h>

#include "queue/redis_connection.hpp"
#include "worker_fixture.hpp"

namespace sw::e2e {
namespace {

int launches_of(const nlohmann::json& stats, const std::string& task_id) {
  int total = 0;
  for (const auto& [name, count] : stats["launches_by_name"].items()) {
    if (name.find("[" + task_id + "]") != std::string::npos) total += count.get<int>();
  }
  return total;
}

TEST_F(WorkerE2E, TwoWorkersShareTwoScannersWithinTheirLimits) {
  auto& sim1 = start_sim({"--scan-seconds", "0.6"});
  auto& sim2 = start_sim({"--scan-seconds", "0.6"});
  write_scanners({{"nessus", "scanner1", 1, &sim1}, {"nessus", "scanner2", 1, &sim2}});
  start_worker("w1");
  start_worker("w2");
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(submit("10.1.0." + std::to_string(i + 1)));
  for (const auto& id : ids) EXPECT_EQ(wait_terminal(id).status, core::TaskStatus::completed);
  EXPECT_LE(sim1.stats()["peak_running"].get<int>(), 1);
  EXPECT_LE(sim2.stats()["peak_running"].get<int>(), 1);
  EXPECT_EQ(sim1.stats()["launches_total"].get<int>() + sim2.stats()["launches_total"].get<int>(), 8);
}

TEST_F(WorkerE2E, KilledWorkerTasksAreReattachedWithoutSecondLaunch) {
  auto& sim = start_sim({"--scan-seconds", "4"});
  write_scanners({{"nessus", "scanner1", 4, &sim}});
  auto& first = start_worker("w1");
  const std::string a = submit("10.2.0.1");
  const std::string b = submit("10.2.0.2");
  ASSERT_TRUE(testing::eventually(
      [&] {
        auto ta = task(a), tb = task(b);
        return ta && tb && ta->nessus_scan_id && tb->nessus_scan_id && sim.stats()["launches_total"] == 2;
      },
      std::chrono::seconds(20)));
  first.signal(SIGKILL);
  first.wait(std::chrono::seconds(5));
  start_worker("w2");
  for (const auto& id : {a, b}) EXPECT_EQ(wait_terminal(id).status, core::TaskStatus::completed);
  const auto stats = sim.stats();
  EXPECT_EQ(launches_of(stats, a), 1);
  EXPECT_EQ(launches_of(stats, b), 1);
  EXPECT_EQ(stats["scans_created"], 2);
  EXPECT_NE(worker_log("w2").find("re-attaching"), std::string::npos);
}

// The dead worker's leases fill the scanner until they expire; they are the re-attaching
// tasks' own leases, so they must not keep those tasks in the queue. Here they are made to
// outlive the test: only a worker that takes leased tasks without new room finishes them.
TEST_F(WorkerE2E, TasksOfAKilledWorkerReattachWhileTheirOwnLeasesFillTheScanner) {
  auto& sim = start_sim({"--scan-seconds", "5"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  auto& first = start_worker("w1");
  const std::string a = submit("10.2.1.1");
  const std::string b = submit("10.2.1.2");
  ASSERT_TRUE(testing::eventually([&] { return sim.stats()["launches_total"] == 2; }, std::chrono::seconds(20)));
  first.signal(SIGKILL);
  first.wait(std::chrono::seconds(5));
  queue::RedisConnection redis(queue::RedisOptions{.url = redis_.url()});
  for (const auto& id : {a, b}) {
    const auto extended = redis.command({"ZADD", "sw:lease:nessus:scanner1", "XX", "CH", "99999999999999", id});
    ASSERT_EQ(extended.as_integer(), 1) << "no lease of " << id;
  }
  start_worker("w2");
  for (const auto& id : {a, b})
    EXPECT_EQ(wait_terminal(id, std::chrono::seconds(40)).status, core::TaskStatus::completed);
  const auto stats = sim.stats();
  EXPECT_EQ(launches_of(stats, a), 1);
  EXPECT_EQ(launches_of(stats, b), 1);
}

TEST_F(WorkerE2E, SigtermHandsRunningScansOverToTheNextWorker) {
  auto& sim = start_sim({"--scan-seconds", "4"});
  write_scanners({{"nessus", "scanner1", 2, &sim}});
  auto& first = start_worker("w1", {{"SHUTDOWN_GRACE_SECONDS", "0.2"}});
  const std::string id = submit("10.3.0.1");
  ASSERT_TRUE(testing::eventually([&] { return sim.stats()["launches_total"] == 1; }, std::chrono::seconds(20)));
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(std::chrono::seconds(15)), 0);
  EXPECT_EQ(task(id)->status, core::TaskStatus::running);
  EXPECT_EQ(queue().stats("nessus", 1).depth, 1u);
  start_worker("w2");
  EXPECT_EQ(wait_terminal(id).status, core::TaskStatus::completed);
  EXPECT_EQ(launches_of(sim.stats(), id), 1);
  EXPECT_EQ(sim.stats()["scans_created"], 1);
}

}  // namespace
}  // namespace sw::e2e
