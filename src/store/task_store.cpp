// The filesystem task store.
#include "store/task_store.hpp"

#include <algorithm>
#include <system_error>

#include "core/errors.hpp"
#include "core/task_id.hpp"
#include "store/files.hpp"
#include "store/targets.hpp"
#include "telemetry/log.hpp"

namespace sw::store {

namespace {

constexpr const char* kTaskFile = "task.json";
constexpr const char* kExportFile = "scan_native.nessus";
constexpr const char* kPrivateFile = "worker_state.json";
constexpr const char* kLockFile = "task.lock";

// The task folders of DATA_DIR: real folders (not links) with a valid task id as name.
std::vector<std::filesystem::path> task_folders(const std::filesystem::path& data_dir) {
  std::vector<std::filesystem::path> folders;
  std::error_code error;
  std::filesystem::directory_iterator it(data_dir, error);
  if (error) {
    if (error != std::errc::no_such_file_or_directory) {
      telemetry::log_warning("cannot list the task folder", {{"path", data_dir.string()}, {"error", error.message()}});
    }
    return folders;
  }
  for (const auto& entry : it) {
    std::error_code status_error;
    const auto status = entry.symlink_status(status_error);
    if (!status_error && std::filesystem::is_directory(status) &&
        core::is_valid_task_id(entry.path().filename().string())) {
      folders.push_back(entry.path());
    }
  }
  return folders;
}

// Bytes of the regular files under `folder`, never following links.
std::uintmax_t folder_size(const std::filesystem::path& folder) {
  std::uintmax_t bytes = 0;
  std::error_code error;
  for (std::filesystem::recursive_directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    std::error_code entry_error;
    if (std::filesystem::is_regular_file(it->symlink_status(entry_error)) && !entry_error) {
      const auto size = it->file_size(entry_error);
      bytes += entry_error ? 0 : size;
    }
  }
  return bytes;
}

std::string targets_text(const nlohmann::json& payload) {
  const auto it = payload.find("targets");
  if (it == payload.end()) {
    return {};
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  std::string text;
  if (it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) {
        text += item.get<std::string>() + ",";
      }
    }
  }
  return text;
}

}  // namespace

TaskStore::TaskStore(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

std::filesystem::path TaskStore::task_dir(std::string_view task_id) const {
  core::require_valid_task_id(task_id);
  return data_dir_ / std::string(task_id);
}

std::filesystem::path TaskStore::export_path(std::string_view task_id) const { return task_dir(task_id) / kExportFile; }

std::filesystem::path TaskStore::prepare_task_dir(std::string_view task_id) {
  const auto directory = task_dir(task_id);
  create_private_directory(directory);
  return directory;
}

void TaskStore::write_task_file(const std::filesystem::path& directory, const core::Task& task) {
  // Foreign text (a scanner's error) may hold invalid UTF-8: written as U+FFFD, never a failed write.
  write_file_atomically(directory / kTaskFile,
                        core::task_to_json(task).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::optional<core::Task> TaskStore::read_task_file(const std::filesystem::path& directory,
                                                    std::string_view task_id) const {
  const auto text = read_whole_file(directory / kTaskFile, kMaxTaskFileBytes);
  if (!text) {
    return std::nullopt;
  }
  const auto where = (directory / kTaskFile).string();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& error) {
    throw core::Error(core::ErrorKind::bad_input, where + ": not valid JSON: " + error.what());
  }
  if (!json.is_object()) {
    throw core::Error(core::ErrorKind::bad_input, where + ": not a JSON object");
  }
  core::Task task;
  try {
    task = core::task_from_json(json);
  } catch (const core::Error& error) {
    throw core::Error(core::ErrorKind::bad_input, where + ": " + error.what());
  }
  if (task.task_id != task_id) {
    throw core::Error(core::ErrorKind::bad_input, where + ": task_id '" + task.task_id + "' does not match its folder");
  }
  return task;
}

bool TaskStore::create(const core::Task& task) {
  const auto directory = prepare_task_dir(task.task_id);
  const FileLock lock(directory / kLockFile);
  if (std::filesystem::exists(std::filesystem::symlink_status(directory / kTaskFile))) {
    return false;
  }
  write_task_file(directory, task);
  return true;
}

void TaskStore::write(const core::Task& task) {
  const auto directory = prepare_task_dir(task.task_id);
  const FileLock lock(directory / kLockFile);
  write_task_file(directory, task);
}

std::optional<core::Task> TaskStore::read(std::string_view task_id) const {
  return read_task_file(task_dir(task_id), task_id);
}

core::Task TaskStore::update(std::string_view task_id, const std::function<void(core::Task&)>& change) {
  const auto directory = task_dir(task_id);
  if (!std::filesystem::is_directory(std::filesystem::symlink_status(directory))) {
    throw core::Error(core::ErrorKind::not_found, "task " + std::string(task_id) + " does not exist");
  }
  const FileLock lock(directory / kLockFile);
  const auto current = read_task_file(directory, task_id);
  if (!current) {
    throw core::Error(core::ErrorKind::not_found, "task " + std::string(task_id) + " has no task.json");
  }
  core::Task changed = *current;
  change(changed);
  if (changed.task_id != current->task_id) {
    throw core::Error(core::ErrorKind::internal, "an update may not change task_id of " + current->task_id);
  }
  if (changed.status != current->status) {
    core::require_transition(current->status, changed.status);
  }
  write_task_file(directory, changed);
  return changed;
}

std::vector<core::Task> TaskStore::list(const TaskFilter& filter) const {
  const std::vector<Target> wanted_targets = filter.target ? parse_targets(*filter.target) : std::vector<Target>();
  std::vector<core::Task> tasks;
  for (const auto& folder : task_folders(data_dir_)) {
    std::optional<core::Task> task;
    try {
      task = read_task_file(folder, folder.filename().string());
    } catch (const core::Error& error) {
      telemetry::log_warning("skipping an unreadable task file", {{"path", folder.string()}, {"error", error.what()}});
      continue;
    }
    if (!task || (filter.status && task->status != *filter.status) ||
        (filter.pool && task->scanner_pool != *filter.pool) ||
        (filter.target && !targets_overlap(wanted_targets, targets_text(task->payload)))) {
      continue;
    }
    tasks.push_back(std::move(*task));
  }
  std::sort(tasks.begin(), tasks.end(), [](const core::Task& a, const core::Task& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.task_id > b.task_id;
  });
  if (filter.limit != 0 && tasks.size() > filter.limit) {
    tasks.resize(filter.limit);
  }
  return tasks;
}

ExpiryReport TaskStore::expire(core::TimePoint now, Seconds completed_ttl, Seconds failed_ttl) {
  ExpiryReport report;
  for (const auto& folder : task_folders(data_dir_)) {
    std::optional<core::Task> task;
    try {
      task = read_task_file(folder, folder.filename().string());
    } catch (const core::Error& error) {
      telemetry::log_warning("expiry skips an unreadable task file",
                             {{"path", folder.string()}, {"error", error.what()}});
      continue;
    }
    if (!task || !core::is_terminal(task->status)) {
      continue;
    }
    const Seconds ttl = task->status == core::TaskStatus::completed ? completed_ttl : failed_ttl;
    const core::TimePoint finished = task->completed_at.value_or(task->created_at);
    if (now - finished <= ttl) {
      continue;
    }
    const std::uintmax_t bytes = folder_size(folder);
    std::error_code error;
    std::filesystem::remove_all(folder, error);
    if (error) {
      telemetry::log_warning("cannot delete an expired task folder",
                             {{"path", folder.string()}, {"task_id", task->task_id}, {"error", error.message()}});
      continue;
    }
    report.bytes_freed += bytes;
    switch (task->status) {
      case core::TaskStatus::completed:
        ++report.completed;
        break;
      case core::TaskStatus::failed:
        ++report.failed;
        break;
      case core::TaskStatus::timeout:
        ++report.timeout;
        break;
      case core::TaskStatus::queued:
      case core::TaskStatus::running:
        break;
    }
  }
  return report;
}

void TaskStore::write_private(std::string_view task_id, const nlohmann::json& state) {
  const auto directory = prepare_task_dir(task_id);
  write_file_atomically(directory / kPrivateFile, state.dump() + "\n");
}

std::optional<nlohmann::json> TaskStore::read_private(std::string_view task_id) const {
  const auto path = task_dir(task_id) / kPrivateFile;
  const auto text = read_whole_file(path, kMaxTaskFileBytes);
  if (!text) {
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& error) {
    throw core::Error(core::ErrorKind::bad_input, path.string() + ": not valid JSON: " + error.what());
  }
}

}  // namespace sw::store
