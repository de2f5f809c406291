// Integration tests of TaskQueue against a real redis-server: reliable fetch, hand-back,
// malformed entries to the DLQ, poison tasks, DLQ admin on the Python worker's format,
// scan records, the worker registry, and reconnecting after a Redis restart.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/redact.hpp"
#include "core/task_message.hpp"
#include "queue/capacity_leases.hpp"
#include "queue/redis_connection.hpp"
#include "queue/task_queue.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace sw::queue {
namespace {

using namespace std::chrono_literals;

std::string task_json(const std::string& task_id) {
  return nlohmann::json{{"task_id", task_id},
                        {"trace_id", "trace-" + task_id},
                        {"scan_type", "untrusted"},
                        {"scanner_pool", "nessus"},
                        {"payload", {{"targets", "10.0.0.1"}, {"name", task_id}}}}
      .dump();
}

class TaskQueueTest : public ::testing::Test {
 protected:
  RedisOptions options() const { return RedisOptions{.url = redis_.url()}; }
  TaskQueue make_queue(const std::string& worker_id, std::chrono::milliseconds ttl = 30s) const {
    return TaskQueue(options(), QueueSettings{worker_id, ttl, 3});
  }

  testing::RedisServer redis_;
};

TEST_F(TaskQueueTest, FetchIsFifoAndKeepsTheTaskInFlightUntilAcknowledged) {
  TaskQueue queue = make_queue("w1");
  EXPECT_EQ(queue.enqueue("nessus", task_json("t1")), 1);
  EXPECT_EQ(queue.enqueue("nessus", task_json("t2")), 2);

  const auto first = queue.fetch("nessus", 100ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(nlohmann::json::parse(*first)["task_id"], "t1");
  EXPECT_EQ(queue.in_flight("nessus"), std::vector<std::string>{*first});

  const auto stats = queue.stats("nessus", 5);
  EXPECT_EQ(stats.depth, 1u);
  EXPECT_EQ(stats.in_flight.at("w1"), 1u);
  ASSERT_EQ(stats.next.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(stats.next[0])["task_id"], "t2");

  EXPECT_TRUE(queue.acknowledge("nessus", *first));
  EXPECT_FALSE(queue.acknowledge("nessus", *first));
  EXPECT_TRUE(queue.in_flight("nessus").empty());

  const auto second = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(second);
  EXPECT_EQ(nlohmann::json::parse(*second)["task_id"], "t2");
  EXPECT_FALSE(queue.fetch("nessus", 0ms));
  EXPECT_FALSE(queue.fetch("nessus", 50ms));  // blocks, then times out
}

// A pipeline runs every command in order in one round trip; an error reply of one throws
// (naming that command), and the others have run all the same.
TEST_F(TaskQueueTest, PipelineRunsEveryCommandAndReportsAnErrorReply) {
  RedisConnection redis(options());
  const auto replies = redis.pipeline({{"SET", "sw:p", "1"}, {"INCR", "sw:p"}, {"GET", "sw:p"}});
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[1].as_integer(), 2);
  EXPECT_EQ(replies[2].as_string(), "2");
  try {
    redis.pipeline({{"SET", "sw:text", "x"}, {"INCR", "sw:text"}, {"SET", "sw:after", "ran"}});
    ADD_FAILURE() << "no error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::server);
    EXPECT_NE(std::string(e.what()).find("INCR"), std::string::npos) << e.what();
  }
  EXPECT_EQ(redis.command({"GET", "sw:after"}).as_string(), "ran");
  EXPECT_EQ(redis.command({"PING"}).as_string(), "PONG");  // the connection is still in step
}

// A claimed task's cancel request and re-attach record come in one read.
TEST_F(TaskQueueTest, IntakeReadsTheCancelRequestAndTheRecord) {
  TaskQueue queue = make_queue("w1");
  auto intake = queue.intake("t1");
  EXPECT_FALSE(intake.cancel_requested);
  EXPECT_FALSE(intake.scan_record_text);

  queue.save_scan_record("t1", {{"scanner", "s1"}, {"scan_id", 7}});
  queue.request_cancel("t1");
  intake = queue.intake("t1");
  EXPECT_TRUE(intake.cancel_requested);
  ASSERT_TRUE(intake.scan_record_text);
  EXPECT_EQ(nlohmann::json::parse(*intake.scan_record_text)["scan_id"], 7);
  EXPECT_FALSE(queue.intake("t2").cancel_requested);
  EXPECT_THROW(queue.intake("../bad"), core::Error);
}

// fetch_many takes what waits, oldest first, never more than asked, into the same
// in-flight list as fetch; an empty queue gives nothing at once.
TEST_F(TaskQueueTest, FetchManyTakesUpToCountInQueueOrder) {
  TaskQueue queue = make_queue("w1");
  for (const char* id : {"t1", "t2", "t3"}) queue.enqueue("nessus", task_json(id));

  const auto first = queue.fetch_many("nessus", 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(first[0])["task_id"], "t1");
  EXPECT_EQ(nlohmann::json::parse(first[1])["task_id"], "t2");
  EXPECT_EQ(queue.in_flight("nessus").size(), 2u);
  EXPECT_EQ(queue.stats("nessus", 0).depth, 1u);

  const auto rest = queue.fetch_many("nessus", 64);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(rest[0])["task_id"], "t3");
  EXPECT_TRUE(queue.fetch_many("nessus", 64).empty());
  EXPECT_EQ(queue.in_flight("nessus").size(), 3u);
  for (const auto& raw : first) EXPECT_TRUE(queue.acknowledge("nessus", raw));
}

// A task whose worker died re-attaches to its running scan: while its own lease lives it is
// fetched even when the pool looks full; a task without one (or with an expired one) is not,
// and neither is a message without a task id.
TEST_F(TaskQueueTest, FetchLeasedTakesOnlyATaskWhoseOwnLeaseLives) {
  TaskQueue queue = make_queue("w1");
  CapacityLeases leases(options());
  const std::vector<ScannerSlot> slots{{"s1", 1}, {"s2", 1}};
  ASSERT_EQ(leases.acquire("nessus", slots, "running", 60s, "s2"), "s2");
  ASSERT_EQ(leases.acquire("nessus", slots, "lapsed", 100ms, "s1"), "s1");
  queue.enqueue("nessus", task_json("fresh"));
  EXPECT_FALSE(queue.fetch_leased("nessus", {"s1", "s2"}));  // no lease: it waits for room
  ASSERT_TRUE(queue.fetch("nessus", 0ms));

  queue.enqueue("nessus", task_json("running"));
  EXPECT_FALSE(queue.fetch_leased("nessus", {"s1"}));  // only the given scanners' leases count
  const auto moved = queue.fetch_leased("nessus", {"s1", "s2"});
  ASSERT_TRUE(moved);
  EXPECT_EQ(nlohmann::json::parse(*moved)["task_id"], "running");
  EXPECT_EQ(queue.in_flight("nessus").front(), *moved);
  EXPECT_FALSE(queue.fetch_leased("nessus", {"s1", "s2"}));  // the queue is empty

  ASSERT_TRUE(testing::eventually([&] { return leases.load("nessus", slots)[0].active == 0; }, 5s));
  queue.enqueue("nessus", task_json("lapsed"));
  EXPECT_FALSE(queue.fetch_leased("nessus", {"s1", "s2"}));
  ASSERT_TRUE(queue.fetch("nessus", 0ms));

  queue.enqueue("nessus", "not json");
  EXPECT_FALSE(queue.fetch_leased("nessus", {"s1", "s2"}));
  EXPECT_EQ(queue.stats("nessus", 1).depth, 1u);  // left where it was, for fetch and the DLQ
}

TEST_F(TaskQueueTest, FetchWakesUpWhenATaskArrives) {
  TaskQueue consumer = make_queue("w1");
  std::optional<std::string> fetched;
  std::thread waiting([&] { fetched = consumer.fetch("nessus", 10s); });
  TaskQueue producer = make_queue("producer");
  ASSERT_TRUE(testing::eventually([&] { return producer.stats("nessus", 0).in_flight.contains("w1"); }, 5s));
  producer.enqueue("nessus", task_json("late"));
  waiting.join();
  ASSERT_TRUE(fetched);
  EXPECT_EQ(nlohmann::json::parse(*fetched)["task_id"], "late");
}

TEST_F(TaskQueueTest, HandBackPutsTheReplacementFirstInLine) {
  TaskQueue queue = make_queue("w1");
  queue.enqueue("nessus", task_json("t1"));
  queue.enqueue("nessus", task_json("t2"));
  const auto raw = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(raw);
  auto replacement = nlohmann::json::parse(*raw);
  replacement["nessus_scan_id"] = 42;
  EXPECT_TRUE(queue.hand_back("nessus", *raw, replacement.dump()));
  EXPECT_FALSE(queue.hand_back("nessus", *raw, replacement.dump()));  // no duplicate
  EXPECT_TRUE(queue.in_flight("nessus").empty());
  const auto again = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(again);
  EXPECT_EQ(nlohmann::json::parse(*again)["nessus_scan_id"], 42);
  EXPECT_EQ(queue.stats("nessus", 0).depth, 1u);
}

TEST_F(TaskQueueTest, DeferredTaskWaitsBehindTheOthers) {
  TaskQueue queue = make_queue("w1");
  queue.enqueue("nessus", task_json("pinned"));
  queue.enqueue("nessus", task_json("other"));
  const auto pinned = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(pinned);
  EXPECT_TRUE(queue.defer("nessus", *pinned));
  EXPECT_FALSE(queue.defer("nessus", *pinned));
  const auto next = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(next);
  EXPECT_EQ(nlohmann::json::parse(*next)["task_id"], "other");
  const auto last = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, *pinned);
}

// The worker's flow for bad input: fetch, core::parse_task_message, dead_letter.
TEST_F(TaskQueueTest, MalformedEntriesEndInTheDeadLetterQueueWithRawTextAndReason) {
  TaskQueue queue = make_queue("w1");
  const std::vector<std::string> malformed = {
      R"(this is not json "password": "hunter2")",
      R"([{"task_id": "array"}])",
      R"({"scan_type": "untrusted", "payload": {"targets": "h"}})",
      R"({"task_id": "../../etc/x", "scan_type": "untrusted", "payload": {"targets": "h"}})",
  };
  for (const auto& raw : malformed) {
    queue.enqueue("nessus", raw);
  }
  while (const auto raw = queue.fetch("nessus", 0ms)) {
    try {
      core::parse_task_message(*raw, "nessus");
      ADD_FAILURE() << "accepted " << *raw;
    } catch (const core::Error& error) {
      ASSERT_EQ(error.kind(), core::ErrorKind::bad_input);
      EXPECT_TRUE(queue.dead_letter("nessus", *raw, error.what()));
    }
  }
  EXPECT_TRUE(queue.in_flight("nessus").empty());
  EXPECT_EQ(queue.stats("nessus", 0).depth, 0u);

  const auto letters = queue.dlq_list("nessus", 0, 10);
  ASSERT_EQ(letters.size(), 4u);
  std::map<std::string, std::string> reason_by_content;
  for (const auto& letter : letters) {
    EXPECT_FALSE(letter.error.empty());
    EXPECT_FALSE(letter.failed_at.empty());
    EXPECT_EQ(letter.entry["scanner_pool"], "nessus");
    EXPECT_EQ(letter.member.find("hunter2"), std::string::npos) << letter.member;
    const std::string content = letter.entry.contains("raw") ? letter.entry["raw"].get<std::string>()
                                                             : letter.entry.value("task_id", "(no task_id)");
    reason_by_content[content] = letter.error;
  }
  EXPECT_EQ(reason_by_content.at(R"([{"task_id": "array"}])"), "not a JSON object (got array)");
  EXPECT_EQ(reason_by_content.at("(no task_id)"), "missing task_id");
  EXPECT_NE(reason_by_content.at("../../etc/x").find("../../etc/x"), std::string::npos);
  const auto not_json = std::find_if(reason_by_content.begin(), reason_by_content.end(),
                                     [](const auto& item) { return item.first.starts_with("this is not json"); });
  ASSERT_NE(not_json, reason_by_content.end());
  EXPECT_EQ(not_json->second, "not valid JSON");
}

TEST_F(TaskQueueTest, PoisonTaskLandsInTheDeadLetterQueueAfterMaxDeliveries) {
  TaskQueue reaper = make_queue("reaper", 30s);
  reaper.heartbeat({});
  reaper.enqueue("nessus", task_json("poison"));
  for (int delivery = 1; delivery <= 3; ++delivery) {
    // A worker takes the task and dies (its heartbeat lapses without being refreshed).
    TaskQueue victim = make_queue("victim-" + std::to_string(delivery), 200ms);
    ASSERT_TRUE(victim.fetch("nessus", 1s));
    ReapReport report;
    ASSERT_TRUE(testing::eventually(
        [&] {
          report = reaper.reap_dead_workers({"nessus"});
          return !report.dead_workers.empty();
        },
        5s));
    EXPECT_EQ(report.forgotten_workers, report.dead_workers);
    if (delivery < 3) {
      EXPECT_EQ(report.requeued, 1u);
      EXPECT_EQ(reaper.stats("nessus", 0).depth, 1u);
    } else {
      ASSERT_EQ(report.dead_lettered.size(), 1u);
      EXPECT_EQ(report.dead_lettered[0].task_id, "poison");
      EXPECT_EQ(report.dead_lettered[0].reason, "poison task: delivered 3 times");
      EXPECT_EQ(reaper.stats("nessus", 0).depth, 0u);
    }
  }
  const auto letter = reaper.dlq_show("nessus", "poison");
  ASSERT_TRUE(letter);
  EXPECT_EQ(letter->deliveries, 3);
  EXPECT_EQ(letter->error, "poison task: delivered 3 times");
  EXPECT_TRUE(reaper.workers().size() == 1 && reaper.workers()[0].worker_id == "reaper");

  // Retried, it starts counting again.
  EXPECT_EQ(reaper.dlq_retry("nessus", "poison"), 1u);
  TaskQueue victim = make_queue("victim-again", 200ms);
  ASSERT_TRUE(victim.fetch("nessus", 1s));
  ASSERT_TRUE(testing::eventually([&] { return reaper.reap_dead_workers({"nessus"}).requeued == 1; }, 5s));
}

TEST_F(TaskQueueTest, AcknowledgedTasksForgetTheirDeliveryCount) {
  TaskQueue reaper = make_queue("reaper");
  reaper.heartbeat({});
  reaper.enqueue("nessus", task_json("flaky"));
  for (int round = 0; round < 2; ++round) {
    TaskQueue victim = make_queue("victim-" + std::to_string(round), 200ms);
    ASSERT_TRUE(victim.fetch("nessus", 1s));
    ASSERT_TRUE(testing::eventually([&] { return reaper.reap_dead_workers({"nessus"}).requeued == 1; }, 5s));
  }
  const auto raw = reaper.fetch("nessus", 0ms);
  ASSERT_TRUE(raw);
  reaper.acknowledge("nessus", *raw);
  // Enqueued again later, the same task id gets its full number of deliveries.
  reaper.enqueue("nessus", *raw);
  TaskQueue victim = make_queue("victim-late", 200ms);
  ASSERT_TRUE(victim.fetch("nessus", 1s));
  ASSERT_TRUE(testing::eventually([&] { return reaper.reap_dead_workers({"nessus"}).requeued == 1; }, 5s));
}

TEST_F(TaskQueueTest, LiveWorkersAreNotReapedAndCleanExitLeavesTheRegistry) {
  TaskQueue alive = make_queue("alive", 30s);
  alive.enqueue("nessus", task_json("t1"));
  ASSERT_TRUE(alive.fetch("nessus", 0ms));
  alive.heartbeat({{"version", "test"}});
  TaskQueue other = make_queue("other");
  const auto report = other.reap_dead_workers({"nessus"});
  EXPECT_TRUE(report.dead_workers.empty());
  EXPECT_EQ(alive.in_flight("nessus").size(), 1u);

  const auto workers = other.workers();
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].worker_id, "alive");
  EXPECT_TRUE(workers[0].alive);
  EXPECT_EQ(workers[0].info["version"], "test");
  EXPECT_EQ(workers[0].in_flight.at("nessus"), 1u);

  // Unregistering with a task still in flight: the next reaper recovers it at once.
  alive.unregister();
  const auto after = other.reap_dead_workers({"nessus"});
  EXPECT_EQ(after.requeued, 1u);
  EXPECT_TRUE(other.workers().empty());
}

TEST_F(TaskQueueTest, DeadLetterAdminOnPythonWorkerEntries) {
  RedisConnection redis(options());
  // Members exactly as the Python worker writes them (json.dumps of the task plus fields).
  const std::vector<std::pair<double, std::string>> python_entries = {
      {1764599422.5,
       R"({"task_id": "old", "trace_id": "a", "scan_type": "untrusted", "scanner_pool": "nessus", "payload": {"targets": "10.0.0.1"}, "error": "Scanner unreachable", "failed_at": "2025-12-01T14:30:22.500000"})"},
      {1764685822.5,
       R"({"task_id": "mid", "trace_id": "b", "scan_type": "untrusted", "scanner_pool": "nessus", "payload": {"targets": "10.0.0.2"}, "error": "Scan timed out", "failed_at": "2025-12-02T14:30:22.500000"})"},
      {1764772222.5,
       R"({"task_id": "new", "trace_id": "c", "scan_type": "untrusted", "scanner_pool": "nessus", "payload": {"targets": "10.0.0.3"}, "error": "Export failed", "failed_at": "2025-12-03T14:30:22.500000"})"},
  };
  for (const auto& [score, member] : python_entries) {
    redis.command({"ZADD", "nessus:queue:dead", std::to_string(score), member});
  }
  TaskQueue queue = make_queue("admin");
  const auto all = queue.dlq_list("nessus", 0, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].task_id, "new");
  EXPECT_EQ(all[2].task_id, "old");
  const auto page = queue.dlq_list("nessus", 1, 1);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].task_id, "mid");
  const auto shown = queue.dlq_show("nessus", "mid");
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->error, "Scan timed out");
  EXPECT_FALSE(queue.dlq_show("nessus", "absent"));

  EXPECT_EQ(queue.dlq_retry("nessus", std::string("mid")), 1u);
  EXPECT_EQ(queue.dlq_retry("nessus", std::string("mid")), 0u);
  const auto retried = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(retried);
  const auto message = nlohmann::json::parse(*retried);
  EXPECT_EQ(message["task_id"], "mid");
  EXPECT_FALSE(message.contains("error"));
  EXPECT_FALSE(message.contains("failed_at"));
  EXPECT_NO_THROW(core::parse_task_message(*retried, "nessus"));

  const auto cutoff = *core::parse_iso("2025-12-02T00:00:00");
  EXPECT_EQ(queue.dlq_purge("nessus", cutoff), 1u);  // "old"
  ASSERT_EQ(queue.dlq_list("nessus", 0, 10).size(), 1u);
  redis.command({"ZADD", "nessus:queue:dead", "2.0", R"({"task_id": "gone", "error": "x"})"});
  EXPECT_EQ(queue.dlq_delete("nessus", "gone"), 1u);
  EXPECT_EQ(queue.dlq_delete("nessus", "gone"), 0u);
  ASSERT_EQ(queue.dlq_list("nessus", 0, 10).size(), 1u);
  redis.command({"ZADD", "nessus:queue:dead", "1.0", R"({"raw": "garbage", "error": "not valid JSON"})"});
  EXPECT_EQ(queue.dlq_retry("nessus", std::nullopt), 1u);  // "new"; the raw entry stays
  EXPECT_EQ(queue.stats("nessus", 0).dead_letters, 1u);
  EXPECT_EQ(queue.dlq_purge("nessus", std::nullopt), 1u);
  EXPECT_EQ(queue.stats("nessus", 0).dead_letters, 0u);
}

TEST_F(TaskQueueTest, RemoveQueuedTakesOnlyThatTasksEntries) {
  TaskQueue queue = make_queue("w1");
  const std::string keep = R"({"task_id": "keep", "scan_type": "untrusted", "payload": {"targets": "10.0.0.1"}})";
  const std::string drop = R"({"task_id": "drop", "scan_type": "untrusted", "payload": {"targets": "10.0.0.2"}})";
  queue.enqueue("nessus", keep);
  queue.enqueue("nessus", drop);
  queue.enqueue("nessus", drop);  // a producer that sent it twice
  queue.enqueue("nessus", "not json");
  EXPECT_EQ(queue.remove_queued("nessus", "drop"), 2u);
  EXPECT_EQ(queue.remove_queued("nessus", "drop"), 0u);
  EXPECT_EQ(queue.stats("nessus", 0).depth, 2u);
  EXPECT_EQ(queue.fetch("nessus", 0ms), keep);
  EXPECT_THROW(queue.remove_queued("nessus", "../x"), core::Error);
}

TEST_F(TaskQueueTest, ScanRecords) {
  TaskQueue queue = make_queue("w1");
  EXPECT_FALSE(queue.scan_record("t1"));
  queue.save_scan_record("t1", {{"scanner_instance_id", "s1"}, {"nessus_scan_id", 17}});
  const auto record = queue.scan_record("t1");
  ASSERT_TRUE(record);
  EXPECT_EQ((*record)["nessus_scan_id"], 17);
  queue.forget_scan_record("t1");
  EXPECT_FALSE(queue.scan_record("t1"));
  EXPECT_THROW(queue.save_scan_record("../x", {}), core::Error);
}

TEST_F(TaskQueueTest, ATaskIdIsClaimedByOneLiveWorkerAtATime) {
  TaskQueue first = make_queue("w1");
  TaskQueue second = make_queue("w2");
  first.heartbeat({});
  second.heartbeat({});
  EXPECT_EQ(first.claim_task("dup1", 60s).result, TaskClaim::Result::claimed);
  const TaskClaim repeat = second.claim_task("dup1", 60s);
  EXPECT_EQ(repeat.result, TaskClaim::Result::held);
  EXPECT_EQ(repeat.holder, "w1");
  EXPECT_FALSE(repeat.ours());
  EXPECT_EQ(first.claim_task("dup1", 60s).result, TaskClaim::Result::mine);  // a restart with the same id
  second.release_claim("dup1");                                              // not its claim: no effect
  EXPECT_EQ(second.claim_task("dup1", 60s).result, TaskClaim::Result::held);
  first.release_claim("dup1");
  EXPECT_EQ(second.claim_task("dup1", 60s).result, TaskClaim::Result::claimed);
  EXPECT_THROW(first.claim_task("../x", 60s), core::Error);
}

TEST_F(TaskQueueTest, TheClaimOfADeadWorkerIsTakenOver) {
  TaskQueue dead = make_queue("dead");  // never sends a heartbeat
  TaskQueue live = make_queue("live");
  live.heartbeat({});
  EXPECT_EQ(dead.claim_task("t1", 60s).result, TaskClaim::Result::claimed);
  const TaskClaim claim = live.claim_task("t1", 60s);
  EXPECT_EQ(claim.result, TaskClaim::Result::taken_over);
  EXPECT_EQ(claim.holder, "dead");
  EXPECT_EQ(dead.claim_task("t1", 60s).result, TaskClaim::Result::held);
}

TEST_F(TaskQueueTest, FinishingHandingBackAndDeferringReleaseTheClaimAtomically) {
  TaskQueue queue = make_queue("w1");
  TaskQueue other = make_queue("w2");
  queue.heartbeat({});
  for (const char* step : {"acknowledge", "dead_letter", "hand_back", "defer"}) {
    SCOPED_TRACE(step);
    queue.enqueue("nessus", task_json("t1"));
    const auto raw = queue.fetch("nessus", 0ms);
    ASSERT_TRUE(raw);
    ASSERT_TRUE(queue.claim_task("t1", 60s).ours());
    queue.save_scan_record("t1", {{"task_id", "t1"}, {"scanner", "s1"}, {"scan_id", 3}});
    const std::string name = step;
    bool done = false;
    if (name == "acknowledge") {
      done = queue.acknowledge("nessus", *raw, "t1");
    } else if (name == "dead_letter") {
      done = queue.dead_letter("nessus", *raw, "failed", nlohmann::json::object(), "t1");
    } else if (name == "hand_back") {
      done = queue.hand_back("nessus", *raw, *raw, "t1");
    } else {
      done = queue.defer("nessus", *raw, "t1");
    }
    EXPECT_TRUE(done);
    EXPECT_EQ(other.claim_task("t1", 60s).result, TaskClaim::Result::claimed);
    other.release_claim("t1");
    const bool record_kept = name == "hand_back" || name == "defer";  // the next owner re-attaches
    EXPECT_EQ(queue.scan_record("t1").has_value(), record_kept);
    queue.forget_scan_record("t1");
    while (auto left = queue.fetch("nessus", 0ms)) queue.acknowledge("nessus", *left);
  }
}

TEST_F(TaskQueueTest, DiscardRemovesOneRepeatAndTouchesNothingElse) {
  TaskQueue queue = make_queue("w1");
  queue.heartbeat({});
  const std::string message = task_json("dup1");
  queue.enqueue("nessus", message);
  queue.enqueue("nessus", message);
  ASSERT_TRUE(queue.fetch("nessus", 0ms));
  ASSERT_TRUE(queue.fetch("nessus", 0ms));
  ASSERT_TRUE(queue.claim_task("dup1", 60s).ours());
  EXPECT_TRUE(queue.discard("nessus", message));
  EXPECT_EQ(queue.in_flight("nessus").size(), 1u);
  EXPECT_EQ(queue.claim_task("dup1", 60s).result, TaskClaim::Result::mine);
}

TEST_F(TaskQueueTest, TheReaperReleasesTheClaimsOfTheDeadWorker) {
  TaskQueue dead = make_queue("dead", 200ms);
  TaskQueue reaper = make_queue("reaper");
  TaskQueue third = make_queue("third");
  reaper.heartbeat({});
  third.heartbeat({});
  dead.enqueue("nessus", task_json("t1"));
  ASSERT_TRUE(dead.fetch("nessus", 0ms));
  ASSERT_TRUE(dead.claim_task("t1", 60s).ours());
  dead.heartbeat({});  // lapses after 200 ms, on the server's clock
  ASSERT_TRUE(testing::eventually([&] { return reaper.reap_dead_workers({"nessus"}).requeued == 1; }, 5s));
  EXPECT_EQ(third.claim_task("t1", 60s).result, TaskClaim::Result::claimed);
}

TEST_F(TaskQueueTest, AnOversizedEntryIsDeadLetteredWithItsFirstBytesAndSize) {
  TaskQueue queue = make_queue("w1");
  const std::string huge =
      R"({"task_id":"big","payload":{"password":"hunter2","targets":")" + std::string(3 << 20, 'x') + "\"}}";
  queue.enqueue("nessus", huge);
  const auto raw = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(raw);
  EXPECT_TRUE(queue.dead_letter_oversized("nessus", *raw, "task message too large", 1024));
  EXPECT_TRUE(queue.in_flight("nessus").empty());
  const auto letters = queue.dlq_list("nessus", 0, 10);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].entry["raw_bytes"], huge.size());
  EXPECT_EQ(letters[0].task_id, "big");
  EXPECT_EQ(letters[0].entry["raw"], core::redacted_excerpt(huge, 1024));  // the first KiB, masked
  EXPECT_EQ(letters[0].member.find("hunter2"), std::string::npos);
  EXPECT_EQ(letters[0].error, "task message too large");
}

// RedisServer::restart starts an empty server (no persistence): this checks that the same
// objects reconnect and keep working (scripts reloaded after NOSCRIPT), not that data
// survives; consumers_test.cpp restarts a persistent server for that.
TEST_F(TaskQueueTest, ReconnectsAfterRedisRestartAndReloadsScripts) {
  TaskQueue queue = make_queue("w1");
  queue.enqueue("nessus", task_json("before"));
  const auto before = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(before);
  ASSERT_TRUE(queue.acknowledge("nessus", *before));  // loads the script

  redis_.restart();

  std::optional<long long> depth;
  ASSERT_TRUE(testing::eventually(
      [&] {
        try {
          depth = queue.enqueue("nessus", task_json("after"));
          return true;
        } catch (const core::Error& error) {
          EXPECT_TRUE(error.kind() == core::ErrorKind::network || error.kind() == core::ErrorKind::timeout)
              << error.what();
          return false;
        }
      },
      10s));
  EXPECT_EQ(depth, 1);
  const auto after = queue.fetch("nessus", 0ms);
  ASSERT_TRUE(after);
  EXPECT_TRUE(queue.acknowledge("nessus", *after));  // EVALSHA -> NOSCRIPT -> SCRIPT LOAD
}

TEST_F(TaskQueueTest, UnreachableRedisIsANetworkError) {
  const int port = testing::free_port();
  TaskQueue queue(RedisOptions{.url = "redis://:pw@127.0.0.1:" + std::to_string(port),
                               .connect_timeout = 500ms,
                               .reconnect_initial_backoff = 1ms,
                               .reconnect_max_backoff = 2ms},
                  QueueSettings{"w1"});
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      queue.enqueue("nessus", "{}");
      FAIL();
    } catch (const core::Error& error) {
      EXPECT_EQ(error.kind(), core::ErrorKind::network);
      EXPECT_EQ(std::string(error.what()).find("pw"), std::string::npos) << error.what();
    }
  }
}

TEST_F(TaskQueueTest, WrongPasswordIsAnAuthError) {
  RedisConnection admin(options());
  admin.command({"CONFIG", "SET", "requirepass", "right"});
  TaskQueue queue(RedisOptions{.url = "redis://:wrong@127.0.0.1:" + std::to_string(redis_.port())},
                  QueueSettings{"w1"});
  try {
    queue.enqueue("nessus", "{}");
    FAIL();
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::auth);
  }
  TaskQueue good(RedisOptions{.url = "redis://:right@127.0.0.1:" + std::to_string(redis_.port()) + "/1"},
                 QueueSettings{"w1"});
  EXPECT_EQ(good.enqueue("nessus", "{}"), 1);
}

}  // namespace
}  // namespace sw::queue
