// Tests of task.json compatibility with the Python worker.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/task.hpp"
#include "core/testing/python_task.hpp"

namespace sw::core {
namespace {

TEST(Task, PythonWrittenFileRoundTrips) {
  const auto original = nlohmann::json::parse(testing::kPythonTaskJson);
  const Task task = task_from_json(original);
  EXPECT_EQ(task.status, TaskStatus::completed);
  EXPECT_EQ(task.nessus_scan_id, 42);
  EXPECT_EQ(task_to_json(task), original);
}

TEST(Task, WritesExactlyTheSixteenKeys) {
  Task task;
  task.task_id = "t1";
  const auto json = task_to_json(task);
  ASSERT_EQ(json.size(), 16u);
  for (const auto& key : task_json_keys()) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_TRUE(json["validation_warnings"].is_array());
  EXPECT_TRUE(json["started_at"].is_null());
}

TEST(Task, RedactsCredentials) {
  Task task;
  task.task_id = "t1";
  task.payload = {{"targets", "10.0.0.1"},
                  {"credentials", {{"username", "u"}, {"password", "hunter2"}, {"escalation_password", "root!"}}}};
  const std::string text = task_to_json(task).dump();
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("root!"), std::string::npos);
  EXPECT_NE(text.find("\"********\""), std::string::npos);
}

TEST(Task, BadValuesNameTheKey) {
  auto json = nlohmann::json::parse(testing::kPythonTaskJson);
  json["started_at"] = "noon";
  EXPECT_THROW(
      {
        try {
          task_from_json(json);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("started_at"), std::string::npos);
          throw;
        }
      },
      Error);
  json = nlohmann::json::parse(testing::kPythonTaskJson);
  json["status"] = "done";
  EXPECT_THROW(task_from_json(json), Error);
  json = nlohmann::json::parse(testing::kPythonTaskJson);
  json["task_id"] = "../etc";
  EXPECT_THROW(task_from_json(json), Error);
}

}  // namespace
}  // namespace sw::core
