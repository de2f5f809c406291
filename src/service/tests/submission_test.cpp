// service::Submitter, cancel_task and retry_dead_letters against a real redis-server and a
// temporary DATA_DIR: the message and task.json as the Python MCP server wrote them,
// idempotent repeats and conflicts, cancelling a queued task.
#include "service/submission.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "service/cancellation.hpp"
#include "service/dead_letters.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace sw::service {
namespace {

class SubmissionTest : public ::testing::Test {
 protected:
  SubmissionTest()
      : options_{redis_.url()},
        queue_(options_, queue::QueueSettings{"test-producer", {}, 3}),
        keys_(options_, std::chrono::seconds(48 * 3600)),
        store_(dir_.path()),
        submitter_(store_, queue_, &keys_) {}

  ScanRequest authenticated() const {
    ScanRequest request;
    request.scan_type = "authenticated";
    request.targets = "10.0.0.0/30";
    request.name = "servers";
    request.credentials = {{"type", "ssh"},
                           {"username", "u"},
                           {"password", "hunter2"},
                           {"auth_method", "password"},
                           {"elevate_privileges_with", "Nothing"}};
    return request;
  }

  testing::RedisServer redis_;
  testing::TempDir dir_;
  queue::RedisOptions options_;
  queue::TaskQueue queue_;
  queue::IdempotencyKeys keys_;
  store::TaskStore store_;
  Submitter submitter_;
};

TEST_F(SubmissionTest, WritesTaskJsonMaskedAndPushesTheMessage) {
  const Submission submission = submitter_.submit(authenticated());
  EXPECT_EQ(submission.status, "queued");
  EXPECT_EQ(submission.queue_position, 1);
  const auto task = store_.read(submission.task_id);
  ASSERT_TRUE(task);
  EXPECT_EQ(task->payload["credentials"]["password"], "********");
  const auto stats = queue_.stats("nessus", 1);
  ASSERT_EQ(stats.next.size(), 1u);
  const auto message = nlohmann::json::parse(stats.next[0]);
  EXPECT_EQ(message["task_id"], submission.task_id);
  EXPECT_EQ(message["payload"]["credentials"]["password"], "hunter2");
}

TEST_F(SubmissionTest, IdempotencyKeyRepeatsAndConflicts) {
  const Submission first = submitter_.submit(authenticated(), "key-1");
  const Submission repeat = submitter_.submit(authenticated(), "key-1");
  EXPECT_TRUE(repeat.existing);
  EXPECT_EQ(repeat.task_id, first.task_id);
  ScanRequest other = authenticated();
  other.targets = "10.0.1.0/30";
  try {
    submitter_.submit(other, "key-1");
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::conflict);
    EXPECT_NE(std::string(e.what()).find(first.task_id), std::string::npos);
  }
  EXPECT_EQ(queue_.stats("nessus", 0).depth, 1u);
}

TEST_F(SubmissionTest, RefusesWhatTheWorkerWouldRefuse) {
  ScanRequest request = authenticated();
  request.credentials = nullptr;
  EXPECT_THROW(submitter_.submit(request), core::Error);
  EXPECT_EQ(queue_.stats("nessus", 0).depth, 0u);
  EXPECT_TRUE(store_.list().empty());
}

TEST_F(SubmissionTest, CancelTakesAQueuedTaskOffItsQueue) {
  const Submission submission = submitter_.submit(authenticated());
  const Cancellation cancellation = cancel_task(store_, queue_, submission.task_id);
  EXPECT_EQ(cancellation.outcome, CancelOutcome::removed_from_queue);
  EXPECT_EQ(cancellation.status, "failed");
  EXPECT_EQ(queue_.stats("nessus", 0).depth, 0u);
  EXPECT_EQ(store_.read(submission.task_id)->error_message, cancelled_reason);
  EXPECT_THROW(cancel_task(store_, queue_, submission.task_id), core::Error);
}

TEST_F(SubmissionTest, RetryOfAnUnknownLetterIsNotFound) {
  try {
    retry_dead_letters(queue_, store_, "nessus", std::string("nope"));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::not_found);
  }
}

}  // namespace
}  // namespace sw::service
