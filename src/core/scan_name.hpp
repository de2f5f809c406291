// The names this system gives its Nessus scans, and the task id read back from a name
// (the Nessus cleanup only ever touches scans that carry one).
#pragma once

#include <optional>
#include <string>

namespace sw::core {

// The name of the Nessus scan of a task: "<payload name> [<task_id>]". The bracketed id
// marks scans this system created (cleanup never touches others).
std::string scan_name_for(const std::string& display_name, const std::string& task_id);
std::optional<std::string> task_id_from_scan_name(const std::string& scan_name);

}  // namespace sw::core
