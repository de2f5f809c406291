// Submitting a scan: message, task.json, LPUSH, idempotency keys.
#include "service/submission.hpp"

#include <chrono>

#include "core/errors.hpp"
#include "core/scan_type.hpp"
#include "core/task_id.hpp"
#include "core/task_message.hpp"

namespace sw::service {

nlohmann::json request_parameters(const ScanRequest& request) {
  nlohmann::json payload{{"targets", request.targets},
                         {"name", request.name},
                         {"description", request.description},
                         {"schema_profile", request.schema_profile}};
  if (!request.credentials.is_null()) payload["credentials"] = request.credentials;
  return {{"scan_type", request.scan_type},
          {"scanner_pool", request.pool},
          {"scanner_instance_id", request.scanner ? nlohmann::json(*request.scanner) : nlohmann::json(nullptr)},
          {"payload", std::move(payload)}};
}

void check_pool(const config::ScannersConfig& scanners, const std::string& pool,
                const std::optional<std::string>& scanner) {
  const config::PoolConfig* found = scanners.find_pool(pool);
  if (found == nullptr) {
    std::string known;
    for (const auto& [name, unused] : scanners.pools) known += (known.empty() ? "" : ", ") + name;
    throw core::Error(core::ErrorKind::bad_input, "unknown pool '" + pool + "' (configured: " + known + ")");
  }
  if (scanner && found->find(*scanner) == nullptr) {
    std::string known;
    for (const auto& instance : found->scanners) known += (known.empty() ? "" : ", ") + instance.instance_id;
    throw core::Error(core::ErrorKind::bad_input,
                      "pool '" + pool + "' has no enabled scanner '" + *scanner + "' (enabled: " + known + ")");
  }
}

Submitter::Submitter(store::TaskStore& store, queue::TaskQueue& queue, queue::IdempotencyKeys* keys)
    : store_(store), queue_(queue), keys_(keys) {}

Submission Submitter::submit(const ScanRequest& request, const std::string& idempotency_key) {
  if (request.schema_profile.empty()) throw core::Error(core::ErrorKind::bad_input, "schema_profile must not be empty");
  const auto type = core::parse_scan_type(request.scan_type);
  if (!type) throw core::Error(core::ErrorKind::bad_input, "unknown scan type '" + request.scan_type + "'");
  const auto now = std::chrono::system_clock::now();
  const std::string task_id = core::generate_task_id(now);

  const nlohmann::json parameters = request_parameters(request);
  nlohmann::json message_json = parameters;
  if (request.name.empty()) message_json["payload"]["name"] = task_id;
  message_json["task_id"] = task_id;
  message_json["trace_id"] = core::generate_uuid4();
  const std::string raw = message_json.dump();
  const core::TaskMessage message = core::parse_task_message(raw, request.pool);

  const bool keyed = !idempotency_key.empty();
  if (keyed) {
    if (keys_ == nullptr) throw core::Error(core::ErrorKind::internal, "idempotency keys are not available here");
    const auto claim = keys_->claim(idempotency_key, task_id, queue::parameters_fingerprint(parameters));
    if (claim.outcome == queue::ClaimOutcome::repeated) {
      const auto task = store_.read(claim.task_id);
      Submission repeat;
      repeat.task_id = claim.task_id;
      repeat.trace_id = task ? task->trace_id : "";
      repeat.status = task ? std::string(core::to_string(task->status)) : "unknown";
      repeat.existing = true;
      repeat.pool = task ? task->scanner_pool : request.pool;
      repeat.scanner_instance_id = task ? task->scanner_instance_id : request.scanner;
      return repeat;
    }
    if (claim.outcome == queue::ClaimOutcome::conflicting) {
      throw core::Error(core::ErrorKind::conflict, "idempotency key '" + idempotency_key + "' already used for task " +
                                                       claim.task_id +
                                                       " with different parameters; nothing queued (repeat the "
                                                       "first request's arguments, or use another key)");
    }
  }

  long long position = 0;
  try {
    if (!store_.create(core::task_from_message(message, now))) {
      throw core::Error(core::ErrorKind::conflict, "task " + task_id + " already exists");
    }
    try {
      position = queue_.enqueue(request.pool, raw);
    } catch (const core::Error& e) {
      store_.update(task_id, [&](core::Task& task) {
        task.status = core::TaskStatus::failed;
        task.completed_at = std::chrono::system_clock::now();
        task.error_message = std::string("could not be queued: ") + e.what();
      });
      throw;
    }
  } catch (const core::Error&) {
    if (keyed) keys_->release(idempotency_key, task_id);
    throw;
  }
  Submission submission;
  submission.task_id = task_id;
  submission.trace_id = message.trace_id;
  submission.status = "queued";
  submission.pool = request.pool;
  submission.scanner_instance_id = request.scanner;
  submission.queue_position = position;
  return submission;
}

}  // namespace sw::service
