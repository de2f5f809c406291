// End-to-end: what a careless producer or a damaged Redis can send a worker. The same task
// id queued twice runs once; malformed and oversized entries end in the DLQ (and fail a
// task file that is still queued); a damaged re-attach record fails its task once; a
// failure interrupted between task.json and the DLQ is completed by the next owner; a
// poison task the reaper dead-letters fails its task file too.
#include "core/task_message.hpp"
#include "queue/redis_connection.hpp"
#include "worker_fixture.hpp"

namespace sw::e2e {
namespace {

using std::chrono::seconds;

int launches_of(const nlohmann::json& stats, const std::string& task_id) {
  int total = 0;
  for (const auto& [name, count] : stats["launches_by_name"].items()) {
    if (name.find("[" + task_id + "]") != std::string::npos) total += count.get<int>();
  }
  return total;
}

std::string message_of(const std::string& task_id, const std::string& targets = "10.7.0.1") {
  return nlohmann::json{{"task_id", task_id},
                        {"trace_id", "trace-" + task_id},
                        {"scan_type", "untrusted"},
                        {"scanner_pool", "nessus"},
                        {"payload", {{"targets", targets}, {"name", "hardening"}}}}
      .dump();
}

class Hardening : public WorkerE2E {
 protected:
  void SetUp() override {
    sim_ = &start_sim({"--scan-seconds", "1"});
    write_scanners({{"nessus", "scanner1", 4, sim_}});
  }

  // The task file a producer writes before it queues the message.
  void write_queued_task(const std::string& task_id) {
    const auto message = core::parse_task_message(message_of(task_id), "nessus");
    store_.write(core::task_from_message(message, core::SystemClock().now()));
  }

  std::size_t dead_letters_of(const std::string& task_id) {
    std::size_t count = 0;
    for (const auto& letter : queue().dlq_list("nessus", 0, 100)) count += letter.task_id == task_id ? 1 : 0;
    return count;
  }

  bool queue_drained() {
    const auto stats = queue().stats("nessus", 0);
    std::size_t in_flight = 0;
    for (const auto& [worker, count] : stats.in_flight) in_flight += count;
    return stats.depth == 0 && in_flight == 0;
  }

  testing::NessusSim* sim_ = nullptr;
};

TEST_F(Hardening, TheSameTaskIdQueuedTwiceRunsOnceOnOneWorker) {
  start_worker("w1");
  const std::string message = message_of("dup_one");
  push_raw("nessus", message);
  push_raw("nessus", message);
  EXPECT_EQ(wait_terminal("dup_one").status, core::TaskStatus::completed);
  ASSERT_TRUE(testing::eventually([&] { return queue_drained(); }, seconds(20)));
  const auto stats = sim_->stats();
  EXPECT_EQ(launches_of(stats, "dup_one"), 1);
  EXPECT_EQ(stats["scans_created"], 1);
  EXPECT_EQ(dead_letters_of("dup_one"), 0u);
  EXPECT_EQ(task("dup_one")->status, core::TaskStatus::completed);
  EXPECT_NE(worker_log("w1").find("dropping this repeated delivery"), std::string::npos);
}

TEST_F(Hardening, TheSameTaskIdQueuedTwiceRunsOnceOverTwoWorkers) {
  start_worker("w1");
  start_worker("w2");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back("dup_pair_" + std::to_string(i));
    const std::string message = message_of(ids.back(), "10.7.1." + std::to_string(i + 1));
    push_raw("nessus", message);
    push_raw("nessus", message);
  }
  for (const auto& id : ids) EXPECT_EQ(wait_terminal(id).status, core::TaskStatus::completed);
  ASSERT_TRUE(testing::eventually([&] { return queue_drained(); }, seconds(20)));
  const auto stats = sim_->stats();
  for (const auto& id : ids) {
    EXPECT_EQ(launches_of(stats, id), 1) << id;
    EXPECT_EQ(dead_letters_of(id), 0u) << id;
  }
  EXPECT_EQ(stats["scans_created"], 4);
}

TEST_F(Hardening, AMalformedEntryOfAQueuedTaskFailsItsTaskFileToo) {
  start_worker("w1");
  write_queued_task("bad_type");
  push_raw("nessus", R"({"task_id":"bad_type","scan_type":"root_please","payload":{"targets":"10.7.2.1"}})");
  const core::Task ended = wait_terminal("bad_type");
  EXPECT_EQ(ended.status, core::TaskStatus::failed);
  ASSERT_TRUE(ended.error_message);
  EXPECT_NE(ended.error_message->find("malformed task"), std::string::npos) << *ended.error_message;
  ASSERT_TRUE(testing::eventually([&] { return dead_letters_of("bad_type") == 1; }, seconds(10)));
}

TEST_F(Hardening, OversizedAndHugeGarbageEntriesLeaveTheWorkerRunning) {
  start_worker("w1", {{"MAX_TASK_BYTES", "65536"}});
  write_queued_task("too_big");
  push_raw("nessus", std::string(65536, 'X'));
  push_raw("nessus", message_of("too_big", std::string(200000, '9')));
  push_raw("nessus", R"({"task_id":"deep","payload":)" + std::string(60000, '[') + std::string(60000, ']') + "}");
  const std::string good = submit("10.7.3.1");
  EXPECT_EQ(wait_terminal(good).status, core::TaskStatus::completed);
  ASSERT_TRUE(testing::eventually([&] { return queue().dlq_list("nessus", 0, 10).size() == 3; }, seconds(20)));
  const core::Task too_big = wait_terminal("too_big");
  EXPECT_EQ(too_big.status, core::TaskStatus::failed);
  EXPECT_NE(too_big.error_message.value_or("").find("MAX_TASK_BYTES=65536"), std::string::npos);
  bool kept_size = false;
  for (const auto& letter : queue().dlq_list("nessus", 0, 10)) {
    if (letter.task_id == "too_big") {
      kept_size = letter.entry.value("raw_bytes", 0u) > 200000u;
      EXPECT_LE(letter.entry["raw"].get<std::string>().size(), 1100u);  // the first KiB, redacted
    }
  }
  EXPECT_TRUE(kept_size);
  EXPECT_TRUE(workers_.at("w1")->running());
}

TEST_F(Hardening, ADamagedReattachRecordFailsItsTaskOnce) {
  start_worker("w1");
  write_queued_task("garbage_record");
  write_queued_task("foreign_record");
  queue().save_scan_record("foreign_record", {{"task_id", "someone_else"}, {"scanner", "scanner1"}, {"scan_id", 4}});
  queue::RedisConnection(queue::RedisOptions{.url = redis_.url()})
      .command({"SET", "sw:scan:garbage_record", "not json at all"});
  push_raw("nessus", message_of("garbage_record"));
  push_raw("nessus", message_of("foreign_record", "10.7.4.2"));
  for (const auto& [id, says] :
       {std::pair{"garbage_record", "not a JSON object"}, {"foreign_record", "another task"}}) {
    const core::Task ended = wait_terminal(id);
    EXPECT_EQ(ended.status, core::TaskStatus::failed);
    EXPECT_NE(ended.error_message.value_or("").find(says), std::string::npos) << ended.error_message.value_or("");
    ASSERT_TRUE(testing::eventually([&] { return dead_letters_of(id) == 1; }, seconds(10)));
    EXPECT_FALSE(queue().scan_record_text(id));
  }
  EXPECT_EQ(sim_->stats()["scans_created"], 0);
}

TEST_F(Hardening, APoisonTaskTheReaperDeadLettersFailsItsTaskFileToo) {
  // A worker that took the task and died: its heartbeat lapses with the task in flight.
  write_queued_task("poison_task");
  push_raw("nessus", message_of("poison_task"));
  queue::TaskQueue dead(queue::RedisOptions{redis_.url()},
                        queue::QueueSettings{"w-dead", std::chrono::milliseconds(300)});
  ASSERT_TRUE(dead.fetch("nessus", std::chrono::milliseconds(0)));
  // MAX_DELIVERIES=1: the reaper's first return of the task is one too many.
  start_worker("w1", {{"MAX_DELIVERIES", "1"}});
  const core::Task ended = wait_terminal("poison_task");
  EXPECT_EQ(ended.status, core::TaskStatus::failed);
  EXPECT_EQ(ended.error_message.value_or(""), "poison task: delivered 1 times");
  EXPECT_EQ(dead_letters_of("poison_task"), 1u);
  EXPECT_EQ(sim_->stats()["scans_created"], 0);
}

TEST_F(Hardening, AFailureInterruptedBeforeItsDeadLetterIsCompletedByTheNextOwner) {
  // The state a worker leaves when it dies between the final task.json and the DLQ entry.
  write_queued_task("interrupted");
  store_.update("interrupted", [](core::Task& task) {
    task.status = core::TaskStatus::failed;
    task.error_message = "scanner refused the scan";
  });
  queue().save_scan_record(
      "interrupted",
      {{"task_id", "interrupted"}, {"finishing", {{"error", "scanner refused the scan"}, {"reason", "client"}}}});
  push_raw("nessus", message_of("interrupted"));
  // A repeat of a task that finished cleanly (no record) is only dropped.
  write_queued_task("clean_end");
  store_.update("clean_end", [](core::Task& task) { task.status = core::TaskStatus::running; });
  store_.update("clean_end", [](core::Task& task) { task.status = core::TaskStatus::completed; });
  push_raw("nessus", message_of("clean_end"));
  start_worker("w1");
  ASSERT_TRUE(testing::eventually([&] { return dead_letters_of("interrupted") == 1 && queue_drained(); }, seconds(20)));
  const auto letter = queue().dlq_show("nessus", "interrupted");
  ASSERT_TRUE(letter);
  EXPECT_EQ(letter->error, "scanner refused the scan");
  EXPECT_FALSE(queue().scan_record_text("interrupted"));
  EXPECT_EQ(dead_letters_of("clean_end"), 0u);
  EXPECT_EQ(task("interrupted")->status, core::TaskStatus::failed);
}

}  // namespace
}  // namespace sw::e2e
