// scanctl queue and dlq against entries in the Python worker's format (passwords included,
// which scanctl must never print): list, show, retry one and all, purge by age and all,
// with exit codes and both output modes.
#include <chrono>

#include "core/time.hpp"
#include "scanctl_fixture.hpp"

namespace sw::scanctl_test {
namespace {

using namespace std::chrono_literals;

constexpr const char* python_password = "Pyth0n-Era-Secret";

class QueueCommandsTest : public ScanctlFixture {
 protected:
  // A DLQ member as the Python worker wrote it (credentials in clear), failed `age` ago.
  void add_python_dead_letter(const std::string& pool, const std::string& task_id, std::chrono::hours age) {
    const auto failed = std::chrono::system_clock::now() - age;
    const nlohmann::json entry{{"task_id", task_id},
                               {"trace_id", "t-" + task_id},
                               {"scan_type", "authenticated"},
                               {"scanner_pool", pool},
                               {"payload",
                                {{"targets", "10.0.0.1"},
                                 {"name", task_id},
                                 {"credentials", {{"type", "ssh"}, {"username", "u"}, {"password", python_password}}}}},
                               {"error", "Scanner unreachable"},
                               {"failed_at", core::format_iso(failed)}};
    redis().command({"ZADD", pool + ":queue:dead", std::to_string(core::to_unix_seconds(failed)), entry.dump()});
  }
};

TEST_F(QueueCommandsTest, QueueShowsDepthDeadLettersInFlightAndNextTasks) {
  for (const char* targets : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
    ASSERT_EQ(scanctl({"submit", "--targets", targets}).exit_code, 0);
  }
  add_python_dead_letter("nessus", "dead_1", 1h);
  queue::TaskQueue worker = task_queue("worker-a");
  const auto taken = worker.fetch("nessus", 0ms);
  ASSERT_TRUE(taken);

  CommandRun run = scanctl({"queue", "nessus", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = run.json();
  EXPECT_EQ(json.at("pool"), "nessus");
  EXPECT_EQ(json.at("queue_depth"), 2);
  EXPECT_EQ(json.at("dlq_size"), 1);
  EXPECT_EQ(json.at("in_flight").at("worker-a"), 1);
  ASSERT_EQ(json.at("next_tasks").size(), 2u);
  EXPECT_EQ(json.at("next_tasks")[0].at("targets"), "10.0.0.2");

  run = scanctl({"queue", "--json"});
  ASSERT_EQ(run.exit_code, 0);
  json = run.json();
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0].at("pool"), "nessus");
  EXPECT_EQ(json[1].at("pool"), "nessus_dmz");
  EXPECT_EQ(json[1].at("queue_depth"), 0);

  run = scanctl({"queue"});
  ASSERT_EQ(run.exit_code, 0);
  for (const char* part :
       {"Pool nessus", "depth 2", "dead letters 1", "worker-a", "NEXT TASK", "10.0.0.3", "Pool nessus_dmz"}) {
    EXPECT_NE(run.out.find(part), std::string::npos) << part << " in\n" << run.out;
  }
  const std::string closed = "redis://127.0.0.1:" + std::to_string(testing::free_port());
  EXPECT_EQ(scanctl({"queue", "nessus", "--redis-url", closed}).exit_code, 2);
}

TEST_F(QueueCommandsTest, DeadLetterListShowNeverPrintSecrets) {
  add_python_dead_letter("nessus", "old", 240h);
  add_python_dead_letter("nessus", "new", 1h);
  add_python_dead_letter("nessus_dmz", "dmz", 2h);

  CommandRun run = scanctl({"dlq", "list", "nessus", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto json = run.json();
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0].at("task_id"), "new");
  EXPECT_EQ(json[0].at("error"), "Scanner unreachable");
  EXPECT_EQ(json[0].at("entry").at("payload").at("credentials").at("password"), "********");
  EXPECT_EQ(run.out.find(python_password), std::string::npos);

  EXPECT_EQ(scanctl({"dlq", "list", "nessus", "--offset", "1", "--limit", "1", "--json"}).json().at(0).at("task_id"),
            "old");
  EXPECT_EQ(scanctl({"dlq", "list", "--json"}).json().size(), 3u);
  run = scanctl({"dlq", "list"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("FAILED AT"), std::string::npos);
  EXPECT_NE(run.out.find("dmz"), std::string::npos);
  EXPECT_EQ(run.out.find(python_password), std::string::npos);

  run = scanctl({"dlq", "show", "nessus", "old", "--json"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.json().at("task_id"), "old");
  EXPECT_EQ(run.out.find(python_password), std::string::npos);
  run = scanctl({"dlq", "show", "nessus", "old"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Scanner unreachable"), std::string::npos);
  EXPECT_EQ(run.out.find(python_password), std::string::npos);
  EXPECT_EQ(scanctl({"dlq", "show", "nessus", "absent"}).exit_code, 1);
  EXPECT_EQ(scanctl({"dlq", "show", "nessus"}).exit_code, 2);
}

TEST_F(QueueCommandsTest, DeadLetterRetryAndPurge) {
  add_python_dead_letter("nessus", "a", 240h);
  add_python_dead_letter("nessus", "b", 100h);
  add_python_dead_letter("nessus", "c", 1h);
  add_python_dead_letter("nessus", "d", 2h);

  CommandRun run = scanctl({"dlq", "retry", "nessus", "c", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json().at("retried"), 1);
  const auto retried = redis().command({"LINDEX", "nessus:queue", "0"}).as_string();
  const auto message = nlohmann::json::parse(retried);
  EXPECT_EQ(message.at("task_id"), "c");
  EXPECT_FALSE(message.contains("error"));
  EXPECT_FALSE(message.contains("failed_at"));
  EXPECT_EQ(scanctl({"dlq", "retry", "nessus", "c"}).exit_code, 1);
  EXPECT_EQ(scanctl({"dlq", "retry", "nessus"}).exit_code, 2);
  EXPECT_EQ(scanctl({"dlq", "retry", "nessus", "d", "--all"}).exit_code, 2);

  run = scanctl({"dlq", "purge", "nessus", "--older-than", "7d", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json().at("purged"), 1);
  EXPECT_FALSE(task_queue().dlq_show("nessus", "a"));
  EXPECT_TRUE(task_queue().dlq_show("nessus", "b"));
  run = scanctl({"dlq", "purge", "nessus", "--older-than", "3h"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("purged 1"), std::string::npos) << run.out;
  EXPECT_EQ(scanctl({"dlq", "purge", "nessus", "--older-than", "soon"}).exit_code, 2);
  EXPECT_EQ(scanctl({"dlq", "purge", "nessus"}).exit_code, 2);

  run = scanctl({"dlq", "retry", "nessus", "--all"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("retried 1"), std::string::npos) << run.out;
  EXPECT_EQ(redis().command({"LLEN", "nessus:queue"}).as_integer(), 2);

  add_python_dead_letter("nessus", "e", 1h);
  run = scanctl({"dlq", "purge", "nessus", "--all", "--yes", "--json"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.json().at("purged"), 1);
  EXPECT_EQ(redis().command({"ZCARD", "nessus:queue:dead"}).as_integer(), 0);
}

// A task whose task.json has ended would only be dropped by a worker: its dead letter stays,
// and scanctl says why; a task that never ended (a poison delivery) goes back.
TEST_F(QueueCommandsTest, DeadLettersOfEndedTasksStay) {
  add_python_dead_letter("nessus", "ended", 2h);
  add_python_dead_letter("nessus", "poisoned", 1h);
  write_task("ended", core::TaskStatus::failed, "nessus", "10.0.0.1", std::chrono::system_clock::now() - 3h);
  write_task("poisoned", core::TaskStatus::running, "nessus", "10.0.0.1", std::chrono::system_clock::now() - 3h);

  CommandRun run = scanctl({"dlq", "retry", "nessus", "ended"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("task ended (failed) has already ended"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("submit the scan again as a new task"), std::string::npos) << run.err;
  EXPECT_TRUE(task_queue().dlq_show("nessus", "ended"));

  run = scanctl({"dlq", "retry", "nessus", "--all", "--yes", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json().at("retried"), 1);
  EXPECT_EQ(run.json().at("left_ended"), nlohmann::json::array({"ended (failed)"}));
  EXPECT_TRUE(task_queue().dlq_show("nessus", "ended"));
  EXPECT_FALSE(task_queue().dlq_show("nessus", "poisoned"));
  const auto message = nlohmann::json::parse(redis().command({"LINDEX", "nessus:queue", "0"}).as_string());
  EXPECT_EQ(message.at("task_id"), "poisoned");
}

}  // namespace
}  // namespace sw::scanctl_test
