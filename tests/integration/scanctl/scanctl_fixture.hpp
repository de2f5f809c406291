// Shared fixture of the scanctl integration tests: a redis-server, a temporary DATA_DIR and
// scanners.yaml (pools nessus with two scanners and nessus_dmz with one), and running the
// real scanctl binary with that environment, capturing stdout, stderr and the exit code.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "queue/redis_connection.hpp"
#include "queue/task_queue.hpp"
#include "store/task_store.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace sw::scanctl_test {

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;

  nlohmann::json json() const;  // stdout parsed; fails the test when it is not JSON
};

class ScanctlFixture : public ::testing::Test {
 protected:
  ScanctlFixture();

  // scanctl with REDIS_URL, DATA_DIR and SCANNER_CONFIG of this fixture plus `env`.
  CommandRun scanctl(const std::vector<std::string>& args, std::map<std::string, std::string> env = {});

  queue::RedisOptions redis_options() const;
  queue::RedisConnection redis() const { return queue::RedisConnection(redis_options()); }
  queue::TaskQueue task_queue(const std::string& worker_id = "test-admin") const;
  store::TaskStore store() const { return store::TaskStore(data_dir()); }
  std::filesystem::path data_dir() const { return dir_.path() / "tasks"; }
  std::filesystem::path scanners_yaml() const { return dir_.path() / "scanners.yaml"; }
  // Every key and value in Redis as text (strings, lists, sorted sets, hashes, sets).
  std::string redis_dump();
  // A task.json written directly (for list and status tests).
  core::Task write_task(const std::string& task_id, core::TaskStatus status, const std::string& pool,
                        const std::string& targets, std::chrono::system_clock::time_point created_at);

  testing::TempDir dir_;
  testing::RedisServer redis_server_;
};

}  // namespace sw::scanctl_test
