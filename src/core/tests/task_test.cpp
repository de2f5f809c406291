// Tests of task.json compatibility with the Python worker.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/task.hpp"

namespace sw::core {
namespace {

const char* kPythonTask = R"({"task_id": "ne_scan_20251201_143022_a1b2c3d4", "trace_id": "550e8400-e29b-41d4-a716-446655440000",
 "scan_type": "untrusted", "scanner_type": "nessus", "scanner_instance_id": "scanner1",
 "status": "completed",
 "payload": {"targets": "192.168.1.0/24", "name": "Network Scan", "description": "", "schema_profile": "brief"},
 "created_at": "2025-12-01T14:30:22.512345", "scanner_pool": "nessus",
 "started_at": "2025-12-01T14:30:25.001200", "completed_at": "2025-12-01T14:45:33.870001",
 "nessus_scan_id": 42, "error_message": null,
 "validation_stats": {"file_size_bytes": 2396672, "hosts_scanned": 254, "total_plugins": 3110,
   "auth_plugins_found": 0, "credentialed_status_raw": null,
   "severity_counts": {"critical": 3, "high": 12, "medium": 45, "low": 67, "info": 2983},
   "total_vulnerabilities": 127},
 "validation_warnings": [], "authentication_status": "not_applicable"})";

TEST(Task, PythonWrittenFileRoundTrips) {
  const auto original = nlohmann::json::parse(kPythonTask);
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
  auto json = nlohmann::json::parse(kPythonTask);
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
  json = nlohmann::json::parse(kPythonTask);
  json["status"] = "done";
  EXPECT_THROW(task_from_json(json), Error);
  json = nlohmann::json::parse(kPythonTask);
  json["task_id"] = "../etc";
  EXPECT_THROW(task_from_json(json), Error);
}

}  // namespace
}  // namespace sw::core
