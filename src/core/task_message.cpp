// Queue message parsing and checks.
#include "core/task_message.hpp"

#include "core/errors.hpp"
#include "core/json_depth.hpp"
#include "core/redact.hpp"
#include "core/task_id.hpp"

namespace sw::core {

namespace {

// How much of a bad field value a rejection quotes.
constexpr std::size_t kQuotedValueBytes = 64;

[[noreturn]] void reject(const std::string& why) { throw Error(ErrorKind::bad_input, why); }

std::optional<std::string> string_member(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    reject(std::string("'") + key + "' must be a string, got " + it->type_name());
  }
  return it->get<std::string>();
}

void check_credentials(const nlohmann::json& payload, ScanType type) {
  const auto it = payload.find("credentials");
  const bool present = it != payload.end() && !it->is_null();
  if (!is_authenticated(type)) {
    return;
  }
  if (!present || !it->is_object()) {
    reject("scan_type '" + std::string(to_string(type)) +
           "' needs payload.credentials (an object with type, username and password)");
  }
  const auto& creds = *it;
  const auto type_it = creds.find("type");
  if (type_it != creds.end() && !(type_it->is_string() && type_it->get<std::string>() == "ssh")) {
    reject("payload.credentials.type must be \"ssh\"");
  }
  for (const char* key : {"username", "password"}) {
    const auto field = creds.find(key);
    if (field == creds.end() || !field->is_string() || field->get<std::string>().empty()) {
      reject(std::string("payload.credentials.") + key + " must be a non-empty string");
    }
  }
}

}  // namespace

TaskMessage parse_task_message(std::string_view raw, std::string_view queue_pool) {
  if (json_nesting_exceeds(raw)) {
    reject("nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
  }
  nlohmann::json json = nlohmann::json::parse(raw, nullptr, false);
  if (json.is_discarded()) {
    reject("not valid JSON");
  }
  if (!json.is_object()) {
    reject(std::string("not a JSON object (got ") + json.type_name() + ")");
  }
  TaskMessage message;
  const auto task_id = string_member(json, "task_id");
  if (!task_id) {
    reject("missing task_id");
  }
  require_valid_task_id(*task_id);
  message.task_id = *task_id;
  message.trace_id = string_member(json, "trace_id").value_or("");
  if (message.trace_id.empty()) {
    message.trace_id = generate_uuid4();
  }
  message.scan_type_text = string_member(json, "scan_type").value_or("untrusted");
  const auto type = parse_scan_type(message.scan_type_text);
  if (!type) {
    reject("unknown scan_type '" + redacted_excerpt(message.scan_type_text, kQuotedValueBytes) +
           "' (expected untrusted, authenticated or authenticated_privileged)");
  }
  message.scan_type = *type;
  message.scanner_pool = string_member(json, "scanner_pool").value_or(std::string(queue_pool));
  if (message.scanner_pool.empty()) {
    message.scanner_pool = std::string(queue_pool);
  }
  message.scanner_instance_id = string_member(json, "scanner_instance_id");
  if (message.scanner_instance_id && message.scanner_instance_id->empty()) {
    message.scanner_instance_id.reset();
  }
  const auto payload = json.find("payload");
  if (payload == json.end() || !payload->is_object()) {
    reject("missing payload object");
  }
  const auto targets = payload->find("targets");
  if (targets == payload->end() || !targets->is_string() ||
      targets->get<std::string>().find_first_not_of(" \t\r\n,") == std::string::npos) {
    reject("payload.targets must be a non-empty string");
  }
  check_credentials(*payload, message.scan_type);
  message.payload = *payload;
  message.raw = std::move(json);
  message.raw["trace_id"] = message.trace_id;
  message.raw["scanner_pool"] = message.scanner_pool;
  return message;
}

nlohmann::json to_json(const TaskMessage& message) { return message.raw; }

Task task_from_message(const TaskMessage& message, TimePoint now) {
  Task task;
  task.task_id = message.task_id;
  task.trace_id = message.trace_id;
  task.scan_type = message.scan_type_text;
  task.scanner_instance_id = message.scanner_instance_id;
  task.status = TaskStatus::queued;
  task.payload = redact_secrets(message.payload);
  task.created_at = now;
  task.scanner_pool = message.scanner_pool;
  return task;
}

namespace {

// SAX events of a queue entry: keeps the string value of the top-level "task_id" and
// builds nothing else, so that any entry (deeply nested, huge) is read in constant stack.
class TaskIdFinder : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<std::string> task_id;

  bool null() override { return value_seen(); }
  bool boolean(bool) override { return value_seen(); }
  bool number_integer(number_integer_t) override { return value_seen(); }
  bool number_unsigned(number_unsigned_t) override { return value_seen(); }
  bool number_float(number_float_t, const string_t&) override { return value_seen(); }
  bool string(string_t& value) override {
    if (depth_ == 1 && at_task_id_) {
      task_id = value;
      return false;  // found: the rest of the entry need not be read
    }
    return value_seen();
  }
  bool binary(binary_t&) override { return value_seen(); }
  bool start_object(std::size_t) override { return enter(); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(); }
  bool end_array() override { return leave(); }
  bool key(string_t& name) override {
    at_task_id_ = depth_ == 1 && name == "task_id";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool enter() {
    at_task_id_ = false;
    ++depth_;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  bool value_seen() {
    at_task_id_ = false;
    return true;
  }

  std::size_t depth_ = 0;
  bool at_task_id_ = false;
};

}  // namespace

std::optional<std::string> task_id_of_entry(std::string_view raw) {
  TaskIdFinder finder;
  nlohmann::json::sax_parse(raw, &finder, nlohmann::json::input_format_t::json, false);
  if (finder.task_id && is_valid_task_id(*finder.task_id)) return finder.task_id;
  return std::nullopt;
}

const nlohmann::json* credentials_of(const TaskMessage& message) {
  if (!is_authenticated(message.scan_type)) {
    return nullptr;
  }
  const auto it = message.payload.find("credentials");
  return it == message.payload.end() ? nullptr : &*it;
}

}  // namespace sw::core
