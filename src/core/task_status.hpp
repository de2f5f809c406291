// Task states and the allowed transitions of task.json's "status" (docs/contracts.md#status-and-its-transitions).
#pragma once

#include <optional>
#include <string_view>

namespace sw::core {

enum class TaskStatus { queued, running, completed, failed, timeout };

std::string_view to_string(TaskStatus status);
std::optional<TaskStatus> parse_task_status(std::string_view text);
bool is_terminal(TaskStatus status);

// queued->running, queued->failed, running->running, running->completed|failed|timeout.
bool is_allowed_transition(TaskStatus from, TaskStatus to);

// Throws Error(bad_input) naming both states when the transition is not allowed.
void require_transition(TaskStatus from, TaskStatus to);

}  // namespace sw::core
