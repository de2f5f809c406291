// The chaos fixture: a durable redis-server, nessus-sim scanners, scanner-worker processes
// that the tests kill and restart, a task producer, and the figures every chaos test
// checks and prints as one line (tasks, kills, lost, duplicate launches, peak per scanner).
// CHAOS_TASKS sets the task count of the kill test (the others scale from it).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "durable_redis.hpp"
#include "queue/task_queue.hpp"
#include "store/task_store.hpp"
#include "support/nessus_sim.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sw::chaos {

struct ChaosFigures {
  int tasks = 0;
  int kills = 0;
  int lost = 0;  // not terminal when the run ended
  int completed = 0;
  int failed = 0;  // failed or timeout
  int failed_without_reason = 0;
  std::map<std::string, std::string> failures;  // task id -> error_message of failed tasks
  int duplicate_launches = 0;                   // launches beyond the first, over all tasks
  int dead_letters = 0;                         // DLQ entries of all pools
  int active_leases = 0;                        // capacity leases still held after the run
  std::map<std::string, int> peak_running;      // per scanner instance
  std::map<std::string, int> limits;
};

// Number from the environment (CHAOS_TASKS, CHAOS_SEED) or the default.
int env_int(const char* name, int fallback);

// How a worker process is started beyond the fixture's defaults.
struct WorkerLaunch {
  std::map<std::string, std::string> env;  // added to (or replacing) the fixture's variables
  int max_open_files = 0;                  // RLIMIT_NOFILE of the worker (through prlimit); 0: inherited
};

class ChaosTest : public ::testing::Test {
 protected:
  ChaosTest();
  ~ChaosTest() override;

  // Starts a simulator for one scanner of `pool` (quick pending and export phases unless
  // `args` says otherwise) and rewrites scanners.yaml.
  testing::NessusSim& add_scanner(const std::string& instance_id, int limit, std::vector<std::string> args,
                                  const std::string& pool = "nessus");
  testing::NessusSim& sim(const std::string& instance_id);

  void start_worker(const std::string& worker_id, const WorkerLaunch& launch = {});
  // kill -9 and reap; counted in the figures.
  void kill_worker(const std::string& worker_id);
  std::vector<std::string> live_workers() const;
  bool worker_running(const std::string& worker_id);
  std::string worker_log(const std::string& worker_id) const;
  // kill -9 of redis-server, `down` without it, then a restart with its data; the
  // producer's connection is opened again (the workers must find their way back alone).
  void restart_redis(std::chrono::milliseconds down);

  // Queues an untrusted scan of `target` and remembers its id.
  std::string submit(const std::string& target, const std::string& pool = "nessus");
  void push_raw(const std::string& raw, const std::string& pool = "nessus");
  std::optional<core::Task> task(const std::string& id) const;
  int terminal_count() const;

  // Polls until every submitted task is terminal or `timeout` passes, calling `tick`
  // between polls (fault injection). Returns whether all ended.
  bool run_until_terminal(
      std::chrono::seconds timeout, const std::function<void()>& tick = [] {});

  // Launch count of a task over all simulators (scan names end with "[task_id]").
  int launches_of(const std::string& task_id) const;
  // Waits (bounded) for leases to be released, then collects the figures.
  ChaosFigures figures();
  // Prints "CHAOS <test>: tasks=... kills=... lost=... duplicate_launches=... peak=..." and
  // checks the invariants: nothing lost, no duplicate launch, no scanner over its limit,
  // no lease left, every failure with a reason.
  void report_and_check(const ChaosFigures& figures);

  DurableRedis redis_;
  testing::TempDir dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path scanners_path_;
  std::mt19937 random_;
  std::unique_ptr<queue::TaskQueue> queue_;
  store::TaskStore store_;
  std::vector<std::string> task_ids_;
  int kills_ = 0;

 private:
  struct Scanner {
    std::string pool;
    std::string instance_id;
    int limit = 0;
    std::unique_ptr<testing::NessusSim> sim;
  };
  void write_scanners() const;

  std::vector<Scanner> scanners_;
  std::map<std::string, std::unique_ptr<testing::ChildProcess>> workers_;
};

}  // namespace sw::chaos
