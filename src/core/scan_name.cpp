// Scan names: "<payload name> [<task_id>]".
#include "core/scan_name.hpp"

#include "core/task_id.hpp"

namespace sw::core {

std::string scan_name_for(const std::string& display_name, const std::string& task_id) {
  return (display_name.empty() ? std::string("scan") : display_name) + " [" + task_id + "]";
}

std::optional<std::string> task_id_from_scan_name(const std::string& scan_name) {
  if (!scan_name.ends_with(']')) return std::nullopt;
  const auto open = scan_name.rfind('[');
  if (open == std::string::npos) return std::nullopt;
  std::string task_id = scan_name.substr(open + 1, scan_name.size() - open - 2);
  if (!core::is_valid_task_id(task_id)) return std::nullopt;
  return task_id;
}

}  // namespace sw::core
