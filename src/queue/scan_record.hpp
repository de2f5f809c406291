// The re-attach record of a task (sw:scan:{task_id}, src/queue/KEYS.md): what the next
// owner of a task needs to follow the Nessus scan that an earlier owner created, and the
// failure being recorded when an owner stopped between task.json and the dead-letter queue.
// One type, one (de)serialiser; a record read from Redis is checked before it is trusted.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sw::queue {

struct ScanRecord {
  // A failure that was being recorded: task.json turns terminal first, then the DLQ entry
  // is written (and this record deleted in the same step). A next owner that finds a
  // terminal task.json and this field writes the DLQ entry that is missing.
  struct Finishing {
    std::string error;
    std::string reason;  // metric label / DLQ kind
  };

  std::string task_id;
  std::optional<std::string> scanner;  // instance id
  std::optional<std::int64_t> scan_id;
  std::optional<std::string> run_uuid;
  std::optional<std::string> status;  // the run's last seen Nessus status
  std::optional<double> progress;     // 0-100
  std::optional<Finishing> finishing;

  static ScanRecord of_task(std::string task_id);
  static ScanRecord of_scan(std::string task_id, std::string scanner, std::int64_t scan_id);
};

nlohmann::json to_json(const ScanRecord& record);

// Parses a stored record of task `task_id`. Throws core::Error(bad_input) with what is
// wrong: not a JSON object, a field of the wrong type, a scan id that is not positive, a
// record of another task. A record without "task_id" (written before records named their
// task) is accepted only when its scan id is the one task.json names (`task_file_scan_id`).
ScanRecord parse_scan_record(std::string_view text, std::string_view task_id,
                             std::optional<std::int64_t> task_file_scan_id);

}  // namespace sw::queue
