// The e2e fixture: a redis-server, nessus-sim scanners, a scanners.yaml, a DATA_DIR and
// scanner-worker processes with short intervals; helpers to queue tasks and wait for them.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "queue/task_queue.hpp"
#include "store/task_store.hpp"
#include "support/nessus_sim.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace sw::e2e {

struct ScannerSpec {
  std::string pool = "nessus";
  std::string instance_id;
  int max_concurrent_scans = 2;
  testing::NessusSim* sim = nullptr;
};

class WorkerE2E : public ::testing::Test {
 protected:
  WorkerE2E();

  // Starts a simulator (owned by the fixture).
  testing::NessusSim& start_sim(std::vector<std::string> args = {"--scan-seconds", "1"});
  void write_scanners(const std::vector<ScannerSpec>& scanners);

  // Starts a worker; `env` overrides the fixture's defaults. Returns its index.
  testing::ChildProcess& start_worker(const std::string& worker_id, std::map<std::string, std::string> env = {});
  std::string worker_log(const std::string& worker_id) const;

  // Queues a task and returns its id. `credentials_password` empty = untrusted scan.
  std::string submit(const std::string& targets, const std::string& pool = "nessus", const std::string& password = {},
                     std::optional<std::string> scanner = std::nullopt);
  void push_raw(const std::string& pool, const std::string& raw);

  std::optional<core::Task> task(const std::string& id) const;
  // Waits until the task is terminal; fails the test on timeout.
  core::Task wait_terminal(const std::string& id, std::chrono::seconds timeout = std::chrono::seconds(90));

  queue::TaskQueue& queue() { return *queue_; }
  std::string metrics_port(const std::string& worker_id) const { return metrics_ports_.at(worker_id); }

  testing::RedisServer redis_;
  testing::TempDir dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path scanners_path_;
  std::vector<std::unique_ptr<testing::NessusSim>> sims_;
  std::map<std::string, std::unique_ptr<testing::ChildProcess>> workers_;
  std::map<std::string, std::string> metrics_ports_;
  std::unique_ptr<queue::TaskQueue> queue_;
  store::TaskStore store_;
  int submitted_ = 0;
};

}  // namespace sw::e2e
