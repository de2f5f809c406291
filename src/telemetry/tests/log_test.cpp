// Tests of the log line formats and redaction.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "telemetry/log.hpp"

namespace sw::telemetry {
namespace {

TEST(Log, JsonLineCarriesContextAndRedactsSecrets) {
  const auto t = *core::parse_iso("2025-12-01T14:30:22.5");
  const std::string line = format_log_line(
      LogFormat::json, t, LogLevel::info, "login as admin password=hunter2",
      {{"task_id", "t1"}, {"trace_id", "tr"}, {"credentials", {{"password", "p4ss"}}}, {"api_token", "tok"}});
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["ts"], "2025-12-01T14:30:22.500000Z");
  EXPECT_EQ(json["level"], "INFO");
  EXPECT_EQ(json["task_id"], "t1");
  EXPECT_EQ(line.find("hunter2"), std::string::npos);
  EXPECT_EQ(line.find("p4ss"), std::string::npos);
  EXPECT_EQ(line.find("tok\""), std::string::npos);
}

TEST(Log, TextLine) {
  const auto t = *core::parse_iso("2025-12-01T14:30:22");
  EXPECT_EQ(format_log_line(LogFormat::text, t, LogLevel::warning, "slow", {{"pool", "nessus"}}),
            "2025-12-01T14:30:22Z WARNING slow pool=nessus");
}

TEST(Log, TextLineCannotBeForged) {
  using namespace std::string_literals;
  const auto t = *core::parse_iso("2025-12-01T14:30:22");
  const std::string forged_id = "t1\n2025-12-01T14:30:23Z INFO task completed task_id=t1"s;
  const std::string line = format_log_line(LogFormat::text, t, LogLevel::warning, "task\rrefused\0cut\x7f"s,
                                           {{"task_id", forged_id}, {"key\tname", "v\x01"}, {"n", 1}});
  EXPECT_EQ(line,
            "2025-12-01T14:30:22Z WARNING task\\rrefused\\0cut\\x7f key\\tname=v\\x01 n=1 "
            "task_id=t1\\n2025-12-01T14:30:23Z INFO task completed task_id=t1");
  for (const char c : line) {
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) << static_cast<int>(c);
  }

  std::ostringstream out;
  configure_logging(LogLevel::info, LogFormat::text, &out);
  log_info("claimed", {{"task_id", forged_id}});
  configure_logging(LogLevel::info, LogFormat::json, nullptr);
  const std::string written = out.str();
  EXPECT_EQ(std::count(written.begin(), written.end(), '\n'), 1) << written;
}

TEST(Log, JsonLineEscapesControlCharacters) {
  const auto t = *core::parse_iso("2025-12-01T14:30:22");
  const std::string line = format_log_line(LogFormat::json, t, LogLevel::info, "a\nb", {{"task_id", "t\r\n"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(line)["task_id"], "t\r\n");
}

TEST(Log, ThresholdAndLevels) {
  std::ostringstream out;
  configure_logging(LogLevel::warning, LogFormat::text, &out);
  log_info("hidden");
  log_error("shown");
  configure_logging(LogLevel::info, LogFormat::json, nullptr);
  EXPECT_EQ(out.str().find("hidden"), std::string::npos);
  EXPECT_NE(out.str().find("shown"), std::string::npos);
  EXPECT_EQ(parse_log_level("warn"), LogLevel::warning);
  EXPECT_EQ(parse_log_level("CRITICAL"), LogLevel::error);
  EXPECT_FALSE(parse_log_level("loud"));
  EXPECT_EQ(parse_log_format("TEXT"), LogFormat::text);
}

}  // namespace
}  // namespace sw::telemetry
