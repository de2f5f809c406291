// Tests of queue message parsing.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/json_depth.hpp"
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
  EXPECT_NE(reason(R"({"task_id":"../../etc/x","payload":{"targets":"h"}})").find("invalid task_id"),
            std::string::npos);
  EXPECT_NE(reason(R"({"task_id":5,"payload":{"targets":"h"}})").find("'task_id' must be a string"), std::string::npos);
  EXPECT_NE(reason(R"({"task_id":"t","scan_type":"x","payload":{"targets":"h"}})").find("unknown scan_type"),
            std::string::npos);
  EXPECT_NE(reason(R"({"task_id":"t","payload":{"targets":" , "}})").find("targets"), std::string::npos);
  EXPECT_NE(reason(R"({"task_id":"t","scan_type":"authenticated","payload":{"targets":"h"}})").find("credentials"),
            std::string::npos);
  EXPECT_NE(
      reason(R"({"task_id":"t","scan_type":"authenticated","payload":{"targets":"h","credentials":{"username":"u"}}})")
          .find("password"),
      std::string::npos);
}

TEST(TaskMessage, RefusesDeepNestingBeforeParsing) {
  const auto nested = [](std::size_t levels) {
    return R"({"task_id":"t","payload":{"targets":"h","x":)" + std::string(levels, '[') + std::string(levels, ']') +
           "}}";
  };
  EXPECT_NO_THROW(parse_task_message(nested(kMaxJsonNesting - 2), "nessus"));
  EXPECT_EQ(reason(nested(kMaxJsonNesting - 1)), "nested deeper than 64 levels");
  EXPECT_EQ(reason(nested(1 << 22)), "nested deeper than 64 levels");
  EXPECT_EQ(reason(std::string(1 << 22, '{')), "nested deeper than 64 levels");
}

TEST(TaskMessage, QuotesForeignValuesBounded) {
  const std::string reply =
      reason(R"({"task_id":"t","scan_type":")" + std::string(1 << 20, 'z') + R"(","payload":{"targets":"h"}})");
  EXPECT_LT(reply.size(), 200u);
  EXPECT_NE(reply.find("unknown scan_type 'zzz"), std::string::npos);
  const std::string id_reply =
      reason(R"({"task_id":"password=hunter2 )" + std::string(1000, 'y') + R"(","payload":{"targets":"h"}})");
  EXPECT_EQ(id_reply.find("hunter2"), std::string::npos);
  EXPECT_LT(id_reply.size(), 300u);
}

TEST(TaskMessage, TaskRecordMasksCredentialsOfAnyShape) {
  const auto record = [](const std::string& credentials) {
    const auto m =
        parse_task_message(R"({"task_id":"t","payload":{"targets":"h","credentials":)" + credentials + "}}", "nessus");
    return task_to_json(task_from_message(m, TimePoint{})).dump();
  };
  const std::string as_string = record(R"("u:s3cr3t")");
  EXPECT_EQ(as_string.find("s3cr3t"), std::string::npos);
  const std::string key_names = record(R"({"username":"u","privatekey":"PK1","ssh_key":"SK1"})");
  EXPECT_EQ(key_names.find("PK1"), std::string::npos);
  EXPECT_EQ(key_names.find("SK1"), std::string::npos);
  EXPECT_NE(key_names.find(R"("username":"u")"), std::string::npos);
  const std::string as_object = record(R"({"username":"u","password":{"value":"OBJ1"}})");
  EXPECT_EQ(as_object.find("OBJ1"), std::string::npos);
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
  // Keys in sorted order (nlohmann, Python's sort_keys) put the id after a huge payload.
  const std::string late = R"({"payload":{"targets":")" + std::string(4 << 20, '9') + R"("},"task_id":"late"})";
  EXPECT_EQ(task_id_of_entry(late), "late");
}

}  // namespace
}  // namespace sw::core
