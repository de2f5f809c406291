// Task state names and the transition rules.
#include "core/task_status.hpp"

#include <string>

#include "core/errors.hpp"

namespace sw::core {

std::string_view to_string(TaskStatus status) {
  switch (status) {
    case TaskStatus::queued:
      return "queued";
    case TaskStatus::running:
      return "running";
    case TaskStatus::completed:
      return "completed";
    case TaskStatus::failed:
      return "failed";
    case TaskStatus::timeout:
      return "timeout";
  }
  return "queued";
}

std::optional<TaskStatus> parse_task_status(std::string_view text) {
  if (text == "queued") return TaskStatus::queued;
  if (text == "running") return TaskStatus::running;
  if (text == "completed") return TaskStatus::completed;
  if (text == "failed") return TaskStatus::failed;
  if (text == "timeout") return TaskStatus::timeout;
  return std::nullopt;
}

bool is_terminal(TaskStatus status) {
  return status == TaskStatus::completed || status == TaskStatus::failed || status == TaskStatus::timeout;
}

bool is_allowed_transition(TaskStatus from, TaskStatus to) {
  switch (from) {
    case TaskStatus::queued:
      return to == TaskStatus::running || to == TaskStatus::failed;
    case TaskStatus::running:
      return to == TaskStatus::running || to == TaskStatus::completed || to == TaskStatus::failed ||
             to == TaskStatus::timeout;
    default:
      return false;
  }
}

void require_transition(TaskStatus from, TaskStatus to) {
  if (!is_allowed_transition(from, to)) {
    throw Error(ErrorKind::bad_input,
                "invalid status transition " + std::string(to_string(from)) + " -> " + std::string(to_string(to)));
  }
}

}  // namespace sw::core
