// The task files under DATA_DIR (docs/contracts.md#taskjson): DATA_DIR/{task_id}/task.json, the export
// scan_native.nessus beside it, and worker_state.json for state the Python reader must not
// see. Every write is atomic; updates are serialised across processes by a lock file in the
// task's folder; folders are 0700 and files 0600.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"
#include "core/task_status.hpp"
#include "core/time.hpp"

namespace sw::store {

using Seconds = std::chrono::duration<double>;

struct TaskFilter {
  std::optional<core::TaskStatus> status;
  std::optional<std::string> pool;
  std::optional<std::string> target;  // CIDR-aware, see targets.hpp
  std::size_t limit = 0;              // 0 = no limit
};

struct ExpiryReport {
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::size_t timeout = 0;
  std::uintmax_t bytes_freed = 0;

  std::size_t deleted() const { return completed + failed + timeout; }
};

// The largest task.json (or worker_state.json) a reader loads: a task holds its message
// (at most MAX_TASK_BYTES, 1 MiB by default) and its validation stats; a bigger file is
// damaged or planted, and is reported instead of being parsed.
inline constexpr std::size_t kMaxTaskFileBytes = 32u << 20;

class TaskStore {
 public:
  explicit TaskStore(std::filesystem::path data_dir);

  const std::filesystem::path& data_dir() const { return data_dir_; }

  // DATA_DIR/{task_id}. Throws core::Error(bad_input) for an invalid id before any path is built.
  std::filesystem::path task_dir(std::string_view task_id) const;
  std::filesystem::path export_path(std::string_view task_id) const;  // .../scan_native.nessus

  // Writes task.json unless it exists; false when it already did.
  bool create(const core::Task& task);

  // Writes task.json whatever is there (the worker creating a task that a producer did not).
  void write(const core::Task& task);

  // nullopt when there is no task.json. Throws core::Error(bad_input) when it is not a task.
  std::optional<core::Task> read(std::string_view task_id) const;

  // Read-modify-write under the task's lock. A status change must be an allowed transition
  // (core::require_transition); `change` may not alter task_id. Returns the written task.
  // Throws core::Error(not_found) when the task does not exist.
  core::Task update(std::string_view task_id, const std::function<void(core::Task&)>& change);

  // Tasks newest first (created_at). Unreadable task files are logged and skipped.
  std::vector<core::Task> list(const TaskFilter& filter = {}) const;

  // Deletes the folders of completed tasks older than `completed_ttl` and of failed and
  // timed-out tasks older than `failed_ttl` (age from completed_at, else created_at).
  // Queued and running tasks are never deleted; symbolic links are never followed.
  ExpiryReport expire(core::TimePoint now, Seconds completed_ttl, Seconds failed_ttl);

  // Worker-private state in worker_state.json beside task.json (atomic too).
  void write_private(std::string_view task_id, const nlohmann::json& state);
  std::optional<nlohmann::json> read_private(std::string_view task_id) const;

 private:
  std::filesystem::path prepare_task_dir(std::string_view task_id);
  void write_task_file(const std::filesystem::path& directory, const core::Task& task);
  std::optional<core::Task> read_task_file(const std::filesystem::path& directory, std::string_view task_id) const;

  std::filesystem::path data_dir_;
};

}  // namespace sw::store
