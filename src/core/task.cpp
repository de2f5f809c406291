// task.json (de)serialisation.
#include "core/task.hpp"

#include "core/errors.hpp"
#include "core/redact.hpp"
#include "core/task_id.hpp"

namespace sw::core {

namespace {

[[noreturn]] void bad_key(const std::string& key, const std::string& why) {
  throw Error(ErrorKind::bad_input, "task.json: key '" + key + "' " + why);
}

const nlohmann::json* member(const nlohmann::json& json, const std::string& key) {
  const auto it = json.find(key);
  if (it == json.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

std::string required_string(const nlohmann::json& json, const std::string& key) {
  const auto* value = member(json, key);
  if (value == nullptr || !value->is_string()) {
    bad_key(key, "must be a string");
  }
  return value->get<std::string>();
}

std::optional<std::string> optional_string(const nlohmann::json& json, const std::string& key) {
  const auto* value = member(json, key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    bad_key(key, "must be a string or null");
  }
  return value->get<std::string>();
}

std::optional<TimePoint> optional_time(const nlohmann::json& json, const std::string& key) {
  const auto text = optional_string(json, key);
  if (!text) {
    return std::nullopt;
  }
  auto parsed = parse_iso(*text);
  if (!parsed) {
    bad_key(key, "is not an ISO 8601 timestamp: '" + *text + "'");
  }
  return parsed;
}

nlohmann::json time_or_null(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_iso(*t)) : nlohmann::json(nullptr);
}

template <typename T>
nlohmann::json value_or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

const std::vector<std::string>& task_json_keys() {
  static const std::vector<std::string> keys = {"task_id",
                                                "trace_id",
                                                "scan_type",
                                                "scanner_type",
                                                "scanner_instance_id",
                                                "status",
                                                "payload",
                                                "created_at",
                                                "scanner_pool",
                                                "started_at",
                                                "completed_at",
                                                "nessus_scan_id",
                                                "error_message",
                                                "validation_stats",
                                                "validation_warnings",
                                                "authentication_status"};
  return keys;
}

nlohmann::json task_to_json(const Task& task) {
  nlohmann::json json = nlohmann::json::object();
  json["task_id"] = task.task_id;
  json["trace_id"] = task.trace_id;
  json["scan_type"] = task.scan_type;
  json["scanner_type"] = task.scanner_type;
  json["scanner_instance_id"] = value_or_null(task.scanner_instance_id);
  json["status"] = to_string(task.status);
  json["payload"] = redact_secrets(task.payload);
  json["created_at"] = format_iso(task.created_at);
  json["scanner_pool"] = task.scanner_pool;
  json["started_at"] = time_or_null(task.started_at);
  json["completed_at"] = time_or_null(task.completed_at);
  json["nessus_scan_id"] = value_or_null(task.nessus_scan_id);
  json["error_message"] = value_or_null(task.error_message);
  json["validation_stats"] = task.validation_stats;
  json["validation_warnings"] = task.validation_warnings;
  json["authentication_status"] = value_or_null(task.authentication_status);
  return json;
}

Task task_from_json(const nlohmann::json& json) {
  if (!json.is_object()) {
    throw Error(ErrorKind::bad_input, "task.json: not a JSON object");
  }
  Task task;
  task.task_id = required_string(json, "task_id");
  require_valid_task_id(task.task_id);
  task.trace_id = optional_string(json, "trace_id").value_or("");
  task.scan_type = optional_string(json, "scan_type").value_or("untrusted");
  task.scanner_type = optional_string(json, "scanner_type").value_or("nessus");
  task.scanner_instance_id = optional_string(json, "scanner_instance_id");
  const std::string status = required_string(json, "status");
  const auto parsed_status = parse_task_status(status);
  if (!parsed_status) {
    bad_key("status", "has an unknown value '" + status + "'");
  }
  task.status = *parsed_status;
  if (const auto* payload = member(json, "payload")) {
    if (!payload->is_object()) {
      bad_key("payload", "must be an object");
    }
    task.payload = *payload;
  }
  const auto created = optional_time(json, "created_at");
  if (!created) {
    bad_key("created_at", "is missing");
  }
  task.created_at = *created;
  task.scanner_pool = optional_string(json, "scanner_pool").value_or("nessus");
  task.started_at = optional_time(json, "started_at");
  task.completed_at = optional_time(json, "completed_at");
  if (const auto* scan_id = member(json, "nessus_scan_id")) {
    if (scan_id->is_number_integer()) {
      task.nessus_scan_id = scan_id->get<std::int64_t>();
    } else if (scan_id->is_string()) {
      try {
        task.nessus_scan_id = std::stoll(scan_id->get<std::string>());
      } catch (const std::exception&) {
        bad_key("nessus_scan_id", "must be an integer");
      }
    } else {
      bad_key("nessus_scan_id", "must be an integer");
    }
  }
  task.error_message = optional_string(json, "error_message");
  if (const auto* stats = member(json, "validation_stats")) {
    if (!stats->is_object()) {
      bad_key("validation_stats", "must be an object or null");
    }
    task.validation_stats = *stats;
  }
  if (const auto* warnings = member(json, "validation_warnings")) {
    if (!warnings->is_array()) {
      bad_key("validation_warnings", "must be a list");
    }
    for (const auto& w : *warnings) {
      task.validation_warnings.push_back(w.is_string() ? w.get<std::string>() : w.dump());
    }
  }
  task.authentication_status = optional_string(json, "authentication_status");
  return task;
}

}  // namespace sw::core
