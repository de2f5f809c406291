// The re-attach record: JSON form and checks.
#include "queue/scan_record.hpp"

#include "core/errors.hpp"

namespace sw::queue {

namespace {

[[noreturn]] void damaged(std::string_view task_id, const std::string& what) {
  throw core::Error(core::ErrorKind::bad_input,
                    "the re-attach record sw:scan:" + std::string(task_id) + " is damaged: " + what);
}

// The string field `key`, nullopt when absent or null.
std::optional<std::string> string_field(const nlohmann::json& object, const char* key, std::string_view task_id) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) damaged(task_id, std::string("\"") + key + "\" is not a string");
  return it->get<std::string>();
}

}  // namespace

ScanRecord ScanRecord::of_task(std::string task_id) {
  ScanRecord record;
  record.task_id = std::move(task_id);
  return record;
}

ScanRecord ScanRecord::of_scan(std::string task_id, std::string scanner, std::int64_t scan_id) {
  ScanRecord record = of_task(std::move(task_id));
  record.scanner = std::move(scanner);
  record.scan_id = scan_id;
  return record;
}

nlohmann::json to_json(const ScanRecord& record) {
  nlohmann::json out = {{"task_id", record.task_id}};
  if (record.scanner) out["scanner"] = *record.scanner;
  if (record.scan_id) out["scan_id"] = *record.scan_id;
  if (record.run_uuid) out["run_uuid"] = *record.run_uuid;
  if (record.status) out["status"] = *record.status;
  if (record.progress) out["progress"] = *record.progress;
  if (record.finishing) {
    out["finishing"] = {{"error", record.finishing->error}, {"reason", record.finishing->reason}};
  }
  return out;
}

ScanRecord parse_scan_record(std::string_view text, std::string_view task_id,
                             std::optional<std::int64_t> task_file_scan_id) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) damaged(task_id, "not a JSON object");
  ScanRecord record;
  const auto named = string_field(json, "task_id", task_id);
  if (named && *named != task_id) damaged(task_id, "it names another task");
  record.task_id = std::string(task_id);
  record.scanner = string_field(json, "scanner", task_id);
  if (record.scanner && record.scanner->empty()) damaged(task_id, "\"scanner\" is empty");
  if (const auto it = json.find("scan_id"); it != json.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0)
      damaged(task_id, "\"scan_id\" is not a positive integer");
    record.scan_id = it->get<std::int64_t>();
  }
  if (record.scan_id && !record.scanner) damaged(task_id, "a scan id without its scanner");
  if (!named && record.scan_id != task_file_scan_id) {
    damaged(task_id, "it names no task, and its scan is not the one task.json names");
  }
  record.run_uuid = string_field(json, "run_uuid", task_id);
  record.status = string_field(json, "status", task_id);
  if (const auto it = json.find("progress"); it != json.end() && !it->is_null()) {
    if (!it->is_number()) damaged(task_id, "\"progress\" is not a number");
    record.progress = it->get<double>();
  }
  if (const auto it = json.find("finishing"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) damaged(task_id, "\"finishing\" is not an object");
    ScanRecord::Finishing finishing;
    finishing.error = string_field(*it, "error", task_id).value_or("");
    finishing.reason = string_field(*it, "reason", task_id).value_or("other");
    record.finishing = std::move(finishing);
  }
  return record;
}

}  // namespace sw::queue
