// One short line on what to do about a failed or timed-out task (its error, its
// authentication verdict, its validation), for the people who read a task's state:
// scanctl status, the dashboard's task page and the MCP tools. nullopt for other states.
#pragma once

#include <optional>
#include <string>

#include "core/task.hpp"

namespace sw::core {

std::optional<std::string> failure_hint(const Task& task);

}  // namespace sw::core
