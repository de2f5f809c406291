// Tests of queue message parsing.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/task_message.hpp"

namespace sw::core {
namespace {

std::string reason(const std::string& raw) {
  try {
    parse_task_message(raw, "nessus");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    return e.what();
  }
  return "";
}

TEST(TaskMessage, ParsesProducerMessage) {
  const auto m = parse_task_message(
      R"({"task_id":"t1","trace_id":"tr","scan_type":"trusted_privileged","scanner_pool":"nessus_dmz",
          "scanner_instance_id":null,"payload":{"targets":"10.0.0.1","name":"n",
          "credentials":{"type":"ssh","username":"u","password":"p","elevate_privileges_with":"sudo"}}})",
      "nessus");
  EXPECT_EQ(m.task_id, "t1");
  EXPECT_EQ(m.scan_type, ScanType::authenticated_privileged);
  EXPECT_EQ(m.scan_type_text, "trusted_privileged");
  EXPECT_EQ(m.scanner_pool, "nessus_dmz");
  EXPECT_FALSE(m.scanner_instance_id);
  ASSERT_NE(credentials_of(m), nullptr);
  const Task task = task_from_message(m, TimePoint{});
  EXPECT_EQ(task.status, TaskStatus::queued);
  EXPECT_EQ(task.payload["credentials"]["password"], "********");
  EXPECT_EQ(to_json(m)["payload"]["credentials"]["password"], "p");
}

TEST(TaskMessage, FillsDefaults) {
  const auto m = parse_task_message(R"({"task_id":"t2","payload":{"targets":"h"}})", "nessus");
  EXPECT_EQ(m.scanner_pool, "nessus");
  EXPECT_EQ(m.scan_type, ScanType::untrusted);
  EXPECT_EQ(m.trace_id.size(), 36u);
}

TEST(TaskMessage, RejectsWithReasons) {
  EXPECT_EQ(reason("not json"), "not valid JSON");
  EXPECT_EQ(reason("[1,2]"), "not a JSON object (got array)");
  EXPECT_EQ(reason(R"({"payload":{"targets":"h"}})"), "missing task_id");
  EXPECT_NE(reason(R"({"task_id":"../../etc/x","payload":{"targets":"h"}})").find("invalid task_id"), std::string::npos);
  EXPECT_NE(reason(R"({"task_id":5,"payload":{"targets":"h"}})").find("'task_id' must be a string"), std::string::npos);
  EXPECT_NE(reason(R"({"task_id":"t","scan_type":"x","payload":{"targets":"h"}})").find("unknown scan_type"), std::string::npos);
  EXPECT_NE(reason(R"({"task_id":"t","payload":{"targets":" , "}})").find("targets"), std::string::npos);
  EXPECT_NE(reason(R"({"task_id":"t","scan_type":"authenticated","payload":{"targets":"h"}})").find("credentials"), std::string::npos);
  EXPECT_NE(reason(R"({"task_id":"t","scan_type":"authenticated","payload":{"targets":"h","credentials":{"username":"u"}}})").find("password"), std::string::npos);
}

}  // namespace
}  // namespace sw::core

namespace sw::core {
namespace {

TEST(TaskIdOfEntry, FindsTheTopLevelIdOfAnyEntry) {
  EXPECT_EQ(task_id_of_entry(R"({"scan_type":"nope","task_id":"t_1"})"), "t_1");
  EXPECT_EQ(task_id_of_entry(R"({"task_id":"t_2","payload":{"targets":)"), "t_2");  // cut after the id
  EXPECT_EQ(task_id_of_entry(R"({"payload":{"task_id":"inner"}})"), std::nullopt);
  EXPECT_EQ(task_id_of_entry(R"([{"task_id":"in_array"}])"), std::nullopt);
  EXPECT_EQ(task_id_of_entry(R"({"task_id":"../etc"})"), std::nullopt);
  EXPECT_EQ(task_id_of_entry(R"({"task_id":7})"), std::nullopt);
  EXPECT_EQ(task_id_of_entry("not json"), std::nullopt);
  EXPECT_EQ(task_id_of_entry(""), std::nullopt);
}

TEST(TaskIdOfEntry, ReadsDeepAndHugeEntriesInConstantStack) {
  const std::string deep = R"({"task_id":"deep","x":)" + std::string(1 << 20, '[') + std::string(1 << 20, ']') + "}";
  EXPECT_EQ(task_id_of_entry(deep), "deep");
  EXPECT_EQ(task_id_of_entry(std::string(1 << 20, '[')), std::nullopt);
}

}  // namespace
}  // namespace sw::core
