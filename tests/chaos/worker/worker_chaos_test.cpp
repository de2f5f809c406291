// Chaos tests of the worker cluster (two workers, two scanners): kill -9 of workers at
// random moments, Redis killed and restarted, a scanner outage, scanner faults at a rate.
// Each ends with the invariants of ChaosTest::report_and_check and prints its figures.
#include "chaos_fixture.hpp"

namespace sw::chaos {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The CI run: 120 tasks through the kill test, 40 through the others (about a minute and
// a half for the label on two cores); scripts/chaos-long.sh sets CHAOS_TASKS=1000.
int kill_test_tasks() { return env_int("CHAOS_TASKS", 120); }
int other_test_tasks() { return std::max(20, kill_test_tasks() / 3); }

std::string target_for(std::size_t index) {
  return "10." + std::to_string(20 + index / 65536 % 200) + "." + std::to_string(index / 256 % 256) + "." +
         std::to_string(index % 256);
}

class WorkerChaos : public ChaosTest {
 protected:
  // Two scanners of `limit` scans each and two workers.
  void start_cluster(int limit, const std::vector<std::string>& sim_args) {
    add_scanner("scanner1", limit, sim_args);
    add_scanner("scanner2", limit, sim_args);
    start_worker("w1");
    start_worker("w2");
  }
  void submit_tasks(int count) {
    for (int i = 0; i < count; ++i) submit(target_for(task_ids_.size()));
  }
  seconds budget(int tasks) const { return seconds(90 + tasks); }
};

TEST_F(WorkerChaos, KillNineAtRandomMomentsLosesAndDuplicatesNothing) {
  const int tasks = kill_test_tasks();
  start_cluster(4, {"--scan-seconds", "1"});
  submit_tasks(tasks);
  std::uniform_int_distribution<int> pause_ms(200, 1500);
  std::uniform_int_distribution<int> coin(0, 1);
  int generation = 2;
  auto next_kill = std::chrono::steady_clock::now() + milliseconds(pause_ms(random_));
  const bool all_ended = run_until_terminal(budget(tasks), [&] {
    if (std::chrono::steady_clock::now() < next_kill) return;
    const auto alive = live_workers();
    const std::string victim = alive[static_cast<std::size_t>(coin(random_)) % alive.size()];
    kill_worker(victim);
    // Half the restarts come back under the same id (a restarted pod), half as a new
    // worker (the dead one is reaped).
    start_worker(coin(random_) == 0 ? victim : "w" + std::to_string(++generation));
    next_kill = std::chrono::steady_clock::now() + milliseconds(pause_ms(random_));
  });
  EXPECT_TRUE(all_ended);
  const auto f = figures();
  report_and_check(f);
  EXPECT_GT(f.kills, 0);
  EXPECT_EQ(f.completed, tasks);
}

TEST_F(WorkerChaos, RedisRestartedMidRunLosesAndDuplicatesNothing) {
  const int tasks = other_test_tasks();
  start_cluster(4, {"--scan-seconds", "1"});
  submit_tasks(tasks);
  ASSERT_TRUE(testing::eventually([&] { return terminal_count() >= tasks / 4; }, budget(tasks)));
  // Workers keep polling scans and retrying Redis during the outage.
  restart_redis(seconds(3));
  EXPECT_TRUE(run_until_terminal(budget(tasks)));
  for (const auto& id : live_workers()) EXPECT_TRUE(worker_running(id)) << id << " exited after the Redis restart";
  const auto f = figures();
  report_and_check(f);
  EXPECT_EQ(f.completed, tasks);
}

TEST_F(WorkerChaos, ScannerOutageThenBackFinishesEveryTaskOnce) {
  const int tasks = other_test_tasks();
  start_cluster(3, {"--scan-seconds", "1"});
  submit_tasks(tasks);
  ASSERT_TRUE(
      testing::eventually([&] { return sim("scanner1").stats()["launches_total"].get<int>() > 0; }, budget(tasks)));
  for (const char* id : {"scanner1", "scanner2"}) {
    EXPECT_EQ(sim(id).post("/__sim/outage", {{"seconds", 4}}), 200);
  }
  EXPECT_TRUE(run_until_terminal(budget(tasks)));
  const auto f = figures();
  report_and_check(f);
  EXPECT_EQ(f.completed, tasks);
}

TEST_F(WorkerChaos, ScannerFaultsEndEveryTaskWithoutDuplicatesOrLeakedLeases) {
  const int tasks = other_test_tasks();
  start_cluster(3, {"--scan-seconds", "1", "--profile", "essentials"});
  const nlohmann::json faults = {{"error_rate_5xx", 0.05},
                                 {"reset_rate", 0.03},
                                 {"slow_ms", 30},
                                 {"force_401_once", true},
                                 {"drop_body_on_412", true}};
  for (const char* id : {"scanner1", "scanner2"}) EXPECT_EQ(sim(id).post("/__sim/faults", faults), 200);
  submit_tasks(tasks);
  EXPECT_TRUE(run_until_terminal(budget(tasks)));
  const auto f = figures();
  report_and_check(f);
  // A failure under faults is allowed when it says why (checked above) and is in the DLQ.
  EXPECT_EQ(f.dead_letters, f.failed);
}

}  // namespace
}  // namespace sw::chaos
