// The task record: exactly the 16 keys of task.json (docs/contracts.md#keys), read and written
// compatibly with the Python worker.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/task_status.hpp"
#include "core/time.hpp"

namespace sw::core {

struct Task {
  std::string task_id;
  std::string trace_id;
  std::string scan_type;  // as the producer wrote it (legacy names kept)
  std::string scanner_type = "nessus";
  std::optional<std::string> scanner_instance_id;
  TaskStatus status = TaskStatus::queued;
  nlohmann::json payload = nlohmann::json::object();
  TimePoint created_at{};
  std::string scanner_pool;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> completed_at;
  std::optional<std::int64_t> nessus_scan_id;
  std::optional<std::string> error_message;
  nlohmann::json validation_stats = nullptr;  // null or an object
  std::vector<std::string> validation_warnings;
  std::optional<std::string> authentication_status;
};

// The 16 keys, in task.json's order.
const std::vector<std::string>& task_json_keys();

// Writes all 16 keys; credentials in the payload are redacted.
nlohmann::json task_to_json(const Task& task);

// Reads a task.json object. Throws Error(bad_input) naming the key on a wrong type, a
// bad timestamp, a bad status or task_id. Unknown keys are ignored; missing optional
// keys read as null.
Task task_from_json(const nlohmann::json& json);

}  // namespace sw::core
