// Tests of nessus::RunStatus: parsing the Nessus texts, unknown texts, and which statuses
// are finished, active, with results or ended without them.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "nessus/run_status.hpp"

namespace sw::nessus {
namespace {

const std::set<std::string> kEveryText{"pending",  "processing", "running",   "paused",   "pausing",
                                       "resuming", "stopping",   "completed", "imported", "canceled",
                                       "aborted",  "stopped",    "empty"};

std::set<std::string> texts_where(bool (*predicate)(RunStatus)) {
  std::set<std::string> chosen;
  for (const auto& text : kEveryText) {
    if (predicate(parse_run_status(text))) chosen.insert(text);
  }
  return chosen;
}

TEST(RunStatus, EveryNessusTextRoundTrips) {
  std::set<RunStatus> distinct;
  for (const auto& text : kEveryText) {
    const auto status = parse_run_status(text);
    EXPECT_NE(status, RunStatus::unknown) << text;
    EXPECT_EQ(to_string(status), text);
    distinct.insert(status);
  }
  EXPECT_EQ(distinct.size(), kEveryText.size());
}

TEST(RunStatus, OtherTextsAreUnknownAndCountAsActive) {
  for (const char* text : {"", "new", "Completed", "completed ", "initializing"}) {
    EXPECT_EQ(parse_run_status(text), RunStatus::unknown) << '"' << text << '"';
  }
  EXPECT_EQ(to_string(RunStatus::unknown), "unknown");
  EXPECT_TRUE(is_active(RunStatus::unknown));
  EXPECT_FALSE(is_finished(RunStatus::unknown));
  EXPECT_FALSE(has_results(RunStatus::unknown));
  EXPECT_FALSE(ended_without_results(RunStatus::unknown));
}

TEST(RunStatus, FinishedActiveAndHowARunEnded) {
  EXPECT_EQ(texts_where(is_finished),
            (std::set<std::string>{"completed", "imported", "canceled", "aborted", "stopped", "empty"}));
  EXPECT_EQ(texts_where(is_active),
            (std::set<std::string>{"pending", "processing", "running", "paused", "pausing", "resuming", "stopping"}));
  EXPECT_EQ(texts_where(has_results), (std::set<std::string>{"completed", "imported"}));
  EXPECT_EQ(texts_where(ended_without_results), (std::set<std::string>{"canceled", "aborted", "stopped"}));
}

}  // namespace
}  // namespace sw::nessus
