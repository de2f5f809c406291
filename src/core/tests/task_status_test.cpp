// Tests of the task state machine.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/task_status.hpp"

namespace sw::core {
namespace {

using S = TaskStatus;

TEST(TaskStatus, AllowedTransitions) {
  EXPECT_TRUE(is_allowed_transition(S::queued, S::running));
  EXPECT_TRUE(is_allowed_transition(S::queued, S::failed));
  EXPECT_TRUE(is_allowed_transition(S::running, S::running));
  EXPECT_TRUE(is_allowed_transition(S::running, S::completed));
  EXPECT_TRUE(is_allowed_transition(S::running, S::failed));
  EXPECT_TRUE(is_allowed_transition(S::running, S::timeout));
}

TEST(TaskStatus, TerminalStatesNeverChange) {
  for (S from : {S::completed, S::failed, S::timeout}) {
    EXPECT_TRUE(is_terminal(from));
    for (S to : {S::queued, S::running, S::completed, S::failed, S::timeout}) {
      EXPECT_FALSE(is_allowed_transition(from, to));
    }
  }
  EXPECT_FALSE(is_allowed_transition(S::queued, S::completed));
  EXPECT_FALSE(is_allowed_transition(S::queued, S::queued));
  EXPECT_FALSE(is_allowed_transition(S::running, S::queued));
}

TEST(TaskStatus, InvalidTransitionNamesBothStates) {
  try {
    require_transition(S::completed, S::running);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "invalid status transition completed -> running");
  }
}

TEST(TaskStatus, Names) {
  for (S s : {S::queued, S::running, S::completed, S::failed, S::timeout}) {
    EXPECT_EQ(parse_task_status(to_string(s)), s);
  }
  EXPECT_FALSE(parse_task_status("done"));
}

}  // namespace
}  // namespace sw::core
