// Integration tests of what workers report for operators (queue/activity.hpp) against a
// real redis-server: scanner health records and finished counts per hour.
#include <gtest/gtest.h>

#include "queue/task_queue.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace sw::queue {
namespace {

using namespace std::chrono_literals;

class ActivityTest : public ::testing::Test {
 protected:
  TaskQueue make_queue() const { return TaskQueue(RedisOptions{.url = redis_.url()}, QueueSettings{"w1"}); }

  testing::RedisServer redis_;
};

TEST_F(ActivityTest, ScannerHealthIsKeptForItsTtl) {
  TaskQueue queue = make_queue();
  EXPECT_FALSE(queue.scanner_health("nessus", "s1"));
  const auto checked_at = *core::parse_iso("2026-12-02T10:00:00.250000");
  queue.record_scanner_health("nessus", "s1", {false, "", "connection refused", checked_at, "w1"}, 60s);
  const auto health = queue.scanner_health("nessus", "s1");
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->reachable);
  EXPECT_EQ(health->error, "connection refused");
  EXPECT_EQ(health->checked_at, checked_at);
  EXPECT_EQ(health->checked_by, "w1");
  EXPECT_FALSE(queue.scanner_health("nessus", "s2"));
  EXPECT_FALSE(queue.scanner_health("other", "s1"));

  queue.record_scanner_health("nessus", "s2", {true, "ready", "", checked_at, "w1"}, 100ms);
  EXPECT_EQ(queue.scanner_health("nessus", "s2")->status, "ready");
  EXPECT_TRUE(testing::eventually([&] { return !queue.scanner_health("nessus", "s2"); }, 5s));
}

TEST_F(ActivityTest, FinishedCountsPerPoolOutcomeAndHour) {
  TaskQueue queue = make_queue();
  const auto now = *core::parse_iso("2026-12-02T14:30:00");
  queue.count_finished("nessus", "completed", now);
  queue.count_finished("nessus", "completed", now - 10min);
  queue.count_finished("nessus", "failed", now - 45min);  // 13:45: the hour before
  queue.count_finished("nessus", "timeout", now - 30h);   // outside the day
  queue.count_finished("dmz", "completed", now);

  const auto day = queue.finished_by_hour("nessus", now, 24);
  ASSERT_EQ(day.size(), 24u);
  EXPECT_EQ(day.back().hour_start, *core::parse_iso("2026-12-02T14:00:00"));
  EXPECT_EQ(day.front().hour_start, *core::parse_iso("2026-12-01T15:00:00"));
  EXPECT_EQ(day.back().by_outcome, (std::map<std::string, long long>{{"completed", 2}}));
  EXPECT_EQ(day[22].by_outcome, (std::map<std::string, long long>{{"failed", 1}}));
  long long total = 0;
  for (const auto& hour : day) {
    for (const auto& [outcome, count] : hour.by_outcome) total += count;
  }
  EXPECT_EQ(total, 3);
}

}  // namespace
}  // namespace sw::queue
