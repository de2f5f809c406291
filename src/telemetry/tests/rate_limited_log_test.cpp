// Tests of the rate-limited log line with an injected steady clock: one line per interval,
// the count of the lines held back carried by the next one, and the threshold respected.
#include "telemetry/rate_limited_log.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "telemetry/testing/captured_log.hpp"

namespace sw::telemetry {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<nlohmann::json> parsed_lines(const testing::CapturedLog& captured) {
  std::vector<nlohmann::json> parsed;
  std::istringstream in(captured.text());
  for (std::string line; std::getline(in, line);) parsed.push_back(nlohmann::json::parse(line));
  return parsed;
}

TEST(RateLimitedLog, WritesOneLinePerIntervalWithTheCountHeldBack) {
  testing::CapturedLog captured;
  std::chrono::steady_clock::time_point now{};
  RateLimitedLog log(LogLevel::warning, "accept failed", seconds(1), [&now] { return now; });

  EXPECT_TRUE(log.log({{"error", "Too many open files"}}));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(log.log({{"error", "Too many open files"}}));
  }
  now += milliseconds(999);
  EXPECT_FALSE(log.log({{"error", "Too many open files"}}));
  EXPECT_EQ(log.suppressed(), 1001U);
  now += milliseconds(1);
  EXPECT_TRUE(log.log({{"error", "Too many open files"}}));
  EXPECT_EQ(log.suppressed(), 0U);
  now += seconds(5);
  EXPECT_TRUE(log.log());

  const auto lines = parsed_lines(captured);
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0]["msg"], "accept failed");
  EXPECT_EQ(lines[0]["level"], "WARNING");
  EXPECT_EQ(lines[0]["error"], "Too many open files");
  EXPECT_FALSE(lines[0].contains("suppressed"));
  EXPECT_EQ(lines[1]["suppressed"], 1001);
  EXPECT_EQ(lines[1]["error"], "Too many open files");
  EXPECT_FALSE(lines[2].contains("suppressed"));
}

TEST(RateLimitedLog, LinesBelowTheThresholdAreNotWritten) {
  testing::CapturedLog captured(LogLevel::error);
  std::chrono::steady_clock::time_point now{};
  RateLimitedLog log(LogLevel::warning, "connection refused", seconds(1), [&now] { return now; });
  log.log();
  now += seconds(2);
  log.log();
  EXPECT_TRUE(parsed_lines(captured).empty());
}

}  // namespace
}  // namespace sw::telemetry
