// The task message that producers LPUSH onto {pool}:queue (docs/contracts.md#the-task-message): parsing with
// a clear reason for every rejection, and the task record it starts.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/scan_type.hpp"
#include "core/task.hpp"

namespace sw::core {

struct TaskMessage {
  std::string task_id;
  std::string trace_id;
  ScanType scan_type = ScanType::untrusted;
  std::string scan_type_text;  // as sent (legacy names kept)
  std::string scanner_pool;
  std::optional<std::string> scanner_instance_id;
  nlohmann::json payload = nlohmann::json::object();
  nlohmann::json raw = nlohmann::json::object();  // the whole message, unknown keys kept
};

// Parses and checks a queue entry. `queue_pool` is the pool whose queue it came from and
// fills a missing scanner_pool. Throws Error(bad_input) with a reason a person can act
// on: nested deeper than kMaxJsonNesting (checked before any document is built), not
// JSON, not an object, bad task_id, unknown scan_type, no targets, an
// authenticated scan without credentials, ... A missing trace_id is generated.
TaskMessage parse_task_message(std::string_view raw, std::string_view queue_pool);

// The valid task id of a queue entry, also of one that parse_task_message refused (a
// missing field, a bad scan type, truncated JSON after the id): the "task_id" string at
// the top level of a JSON object; nullopt when there is none. Reads any input in
// constant stack (no document is built).
std::optional<std::string> task_id_of_entry(std::string_view raw);

// The message as JSON (secrets included: this is what goes back on a queue).
nlohmann::json to_json(const TaskMessage& message);

// The task.json record of a task that was just taken from the queue: status queued.
Task task_from_message(const TaskMessage& message, TimePoint now);

// The credentials of an authenticated message, or nullptr.
const nlohmann::json* credentials_of(const TaskMessage& message);

}  // namespace sw::core
