// Tests of the "what to do" line of a failed or timed-out task.
#include <gtest/gtest.h>

#include "core/failure_hint.hpp"

namespace sw::core {
namespace {

Task task_with(TaskStatus status, std::string error = {}) {
  Task task;
  task.task_id = "t1";
  task.trace_id = "trace-1";
  task.scanner_pool = "nessus";
  task.status = status;
  if (!error.empty()) task.error_message = std::move(error);
  return task;
}

TEST(FailureHint, OnlyForFailedAndTimedOutTasks) {
  EXPECT_FALSE(failure_hint(task_with(TaskStatus::running)));
  EXPECT_FALSE(failure_hint(task_with(TaskStatus::completed)));
  EXPECT_NE(failure_hint(task_with(TaskStatus::timeout))->find("SCAN_TIMEOUT_SECONDS"), std::string::npos);
}

TEST(FailureHint, NamesWhatToDoForEachKindOfFailure) {
  Task refused = task_with(TaskStatus::failed, "authentication failed on every target host");
  EXPECT_NE(failure_hint(refused)->find("SSH credentials"), std::string::npos);
  EXPECT_NE(failure_hint(task_with(TaskStatus::failed, "scanner 'a' refuses scan control through the API"))
                ->find("api_token"),
            std::string::npos);
  EXPECT_NE(failure_hint(task_with(TaskStatus::failed, "scanner 'a' was not reachable"))->find("scanctl dlq retry nessus t1"),
            std::string::npos);
  EXPECT_NE(failure_hint(task_with(TaskStatus::failed, "something else"))->find("trace-1"), std::string::npos);
}

}  // namespace
}  // namespace sw::core
