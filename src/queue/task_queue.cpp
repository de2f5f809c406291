// Reliable queue, heartbeats, reaper, dead letters and statistics over Redis.
#include "queue/task_queue.hpp"

#include <algorithm>
#include <cstdio>

#include "core/errors.hpp"
#include "core/task_id.hpp"
#include "core/task_message.hpp"
#include "queue/keys.hpp"
#include "queue/scripts.hpp"
#include "telemetry/log.hpp"

namespace sw::queue {

namespace {

std::string milliseconds_text(std::chrono::milliseconds duration) { return std::to_string(duration.count()); }

std::string seconds_text(std::chrono::milliseconds duration) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(duration.count()) / 1000.0);
  return buffer;
}

std::vector<std::string> strings_of(const RedisValue& value) {
  std::vector<std::string> out;
  out.reserve(value.elements.size());
  for (const auto& element : value.elements) {
    out.push_back(element.as_string());
  }
  return out;
}

std::size_t count_of(const RedisValue& value) { return static_cast<std::size_t>(value.as_integer()); }

}  // namespace

TaskQueue::TaskQueue(RedisOptions options, QueueSettings settings)
    : settings_(std::move(settings)), redis_(std::move(options)) {
  if (settings_.worker_id.empty()) {
    throw core::Error(core::ErrorKind::bad_input, "queue: the worker id must not be empty");
  }
  if (settings_.max_deliveries < 1) {
    throw core::Error(core::ErrorKind::bad_input, "queue: max_deliveries must be at least 1");
  }
}

long long TaskQueue::enqueue(const std::string& pool, const std::string& message_json) {
  return redis_.command({"LPUSH", keys::queue(pool), message_json}).as_integer();
}

void TaskQueue::ensure_registered(const std::string& pool) {
  if (registered_pools_.contains(pool)) {
    return;
  }
  const nlohmann::json info = {{"worker_id", settings_.worker_id}};
  redis_.eval(scripts::register_worker(),
              {keys::heartbeat(settings_.worker_id), keys::workers(), keys::worker_pools(settings_.worker_id)},
              {settings_.worker_id, milliseconds_text(settings_.heartbeat_ttl), info.dump(), pool});
  registered_pools_.insert(pool);
}

std::optional<std::string> TaskQueue::fetch(const std::string& pool, std::chrono::milliseconds block) {
  ensure_registered(pool);
  const std::string source = keys::queue(pool);
  const std::string destination = keys::in_flight(pool, settings_.worker_id);
  const RedisValue reply =
      block.count() > 0
          ? redis_.blocking_command({"BLMOVE", source, destination, "RIGHT", "LEFT", seconds_text(block)}, block)
          : redis_.command({"LMOVE", source, destination, "RIGHT", "LEFT"});
  if (reply.is_nil()) {
    return std::nullopt;
  }
  return reply.as_string();
}

std::vector<std::string> TaskQueue::fetch_many(const std::string& pool, std::size_t count) {
  ensure_registered(pool);
  const RedisValue reply = redis_.eval(scripts::fetch_many(), {keys::queue(pool), keys::in_flight(pool, settings_.worker_id)},
                                       {std::to_string(count)});
  std::vector<std::string> moved;
  moved.reserve(reply.elements.size());
  for (const auto& element : reply.elements) moved.push_back(element.as_string());
  return moved;
}

std::optional<std::string> TaskQueue::fetch_leased(const std::string& pool,
                                                   const std::vector<std::string>& instance_ids) {
  ensure_registered(pool);
  std::vector<std::string> script_keys{keys::queue(pool), keys::in_flight(pool, settings_.worker_id)};
  for (const auto& instance_id : instance_ids) script_keys.push_back(keys::leases(pool, instance_id));
  const RedisValue reply = redis_.eval(scripts::fetch_leased(), script_keys, {});
  if (reply.is_nil()) {
    return std::nullopt;
  }
  return reply.as_string();
}

bool TaskQueue::acknowledge(const std::string& pool, const std::string& raw,
                            const std::optional<std::string>& task_id) {
  std::vector<std::string> script_keys = {keys::in_flight(pool, settings_.worker_id), keys::deliveries(pool)};
  std::vector<std::string> args = {raw};
  add_task_keys(task_id, script_keys, args);
  return redis_.eval(scripts::acknowledge(), script_keys, args).as_integer() == 1;
}

bool TaskQueue::discard(const std::string& pool, const std::string& raw) {
  return redis_.command({"LREM", keys::in_flight(pool, settings_.worker_id), "1", raw}).as_integer() == 1;
}

void TaskQueue::add_task_keys(const std::optional<std::string>& task_id, std::vector<std::string>& script_keys,
                              std::vector<std::string>& args) const {
  if (!task_id) {
    return;
  }
  core::require_valid_task_id(*task_id);
  script_keys.push_back(keys::scan_record(*task_id));
  script_keys.push_back(keys::task_claim(*task_id));
  args.push_back(settings_.worker_id);
}

TaskClaim TaskQueue::claim_task(const std::string& task_id, std::chrono::milliseconds ttl) {
  core::require_valid_task_id(task_id);
  const RedisValue reply =
      redis_.eval(scripts::claim_task(), {keys::task_claim(task_id)}, {settings_.worker_id, milliseconds_text(ttl)});
  if (reply.elements.size() != 2) {
    throw core::Error(core::ErrorKind::internal, "queue: unexpected reply of claim_task");
  }
  const std::string& result = reply.elements[0].as_string();
  TaskClaim claim;
  claim.holder = reply.elements[1].as_string();
  if (result == "claimed") {
    claim.result = TaskClaim::Result::claimed;
  } else if (result == "mine") {
    claim.result = TaskClaim::Result::mine;
  } else if (result == "taken_over") {
    claim.result = TaskClaim::Result::taken_over;
  } else {
    claim.result = TaskClaim::Result::held;
  }
  return claim;
}

std::optional<std::string> TaskQueue::live_holder(const std::string& task_id) {
  core::require_valid_task_id(task_id);
  const RedisValue holder = redis_.command({"GET", keys::task_claim(task_id)});
  if (holder.is_nil()) return std::nullopt;
  const std::string worker_id = holder.as_string();
  if (redis_.command({"EXISTS", keys::heartbeat(worker_id)}).as_integer() == 0) return std::nullopt;
  return worker_id;
}

void TaskQueue::release_claim(const std::string& task_id) {
  core::require_valid_task_id(task_id);
  redis_.eval(scripts::release_claim(), {keys::task_claim(task_id)}, {settings_.worker_id});
}

bool TaskQueue::return_to_queue(const std::string& pool, const std::string& raw, const std::string& replacement,
                                const char* end, const std::optional<std::string>& task_id) {
  std::vector<std::string> script_keys = {keys::in_flight(pool, settings_.worker_id), keys::queue(pool)};
  std::vector<std::string> args = {raw, replacement, end};
  if (task_id) {
    core::require_valid_task_id(*task_id);
    script_keys.push_back(keys::task_claim(*task_id));
    args.push_back(settings_.worker_id);
  }
  return redis_.eval(scripts::return_to_queue(), script_keys, args).as_integer() == 1;
}

bool TaskQueue::hand_back(const std::string& pool, const std::string& raw, const std::string& replacement,
                          const std::optional<std::string>& task_id) {
  return return_to_queue(pool, raw, replacement, "front", task_id);
}

bool TaskQueue::defer(const std::string& pool, const std::string& raw, const std::optional<std::string>& task_id) {
  return return_to_queue(pool, raw, raw, "back", task_id);
}

bool TaskQueue::dead_letter(const std::string& pool, const std::string& raw, const std::string& reason,
                            const nlohmann::json& extra, const std::optional<std::string>& task_id) {
  const core::TimePoint now = clock_.now();
  return add_dead_letter(pool, raw, make_dead_letter_entry(raw, pool, reason, now, extra), now, task_id);
}

bool TaskQueue::dead_letter_oversized(const std::string& pool, const std::string& raw, const std::string& reason,
                                      std::size_t kept_bytes, const std::optional<std::string>& task_id) {
  const core::TimePoint now = clock_.now();
  return add_dead_letter(pool, raw, make_oversized_dead_letter_entry(raw, pool, reason, now, kept_bytes), now, task_id);
}

bool TaskQueue::add_dead_letter(const std::string& pool, const std::string& raw, const nlohmann::json& entry,
                                core::TimePoint now, const std::optional<std::string>& task_id) {
  std::vector<std::string> script_keys = {keys::in_flight(pool, settings_.worker_id), keys::dead_letters(pool),
                                          keys::deliveries(pool)};
  std::vector<std::string> args = {raw, dump_member(entry), format_score(now)};
  add_task_keys(task_id, script_keys, args);
  return redis_.eval(scripts::dead_letter(), script_keys, args).as_integer() == 1;
}

std::vector<std::string> TaskQueue::in_flight(const std::string& pool) {
  return strings_of(redis_.command({"LRANGE", keys::in_flight(pool, settings_.worker_id), "0", "-1"}));
}

void TaskQueue::heartbeat(const nlohmann::json& info) {
  nlohmann::json stored = info.is_object() ? info : nlohmann::json::object();
  stored["worker_id"] = settings_.worker_id;
  redis_.eval(scripts::heartbeat(), {keys::heartbeat(settings_.worker_id), keys::workers()},
              {settings_.worker_id, milliseconds_text(settings_.heartbeat_ttl), stored.dump()});
}

void TaskQueue::unregister() {
  redis_.command({"DEL", keys::heartbeat(settings_.worker_id)});
  forget_worker_if_done(settings_.worker_id, nullptr);
  registered_pools_.clear();
}

std::vector<std::string> TaskQueue::registered_worker_ids() {
  return strings_of(redis_.command({"HKEYS", keys::workers()}));
}

std::vector<std::string> TaskQueue::pools_of(const std::string& worker_id) {
  std::vector<std::string> pools = strings_of(redis_.command({"SMEMBERS", keys::worker_pools(worker_id)}));
  std::sort(pools.begin(), pools.end());
  return pools;
}

void TaskQueue::forget_worker_if_done(const std::string& worker_id, ReapReport* report) {
  std::vector<std::string> script_keys{keys::heartbeat(worker_id), keys::workers(), keys::worker_pools(worker_id)};
  for (const auto& pool : pools_of(worker_id)) {
    script_keys.push_back(keys::in_flight(pool, worker_id));
  }
  const bool forgotten = redis_.eval(scripts::forget_worker(), script_keys, {worker_id}).as_integer() == 1;
  if (forgotten && report != nullptr) {
    report->forgotten_workers.push_back(worker_id);
  }
}

ReapReport TaskQueue::reap_dead_workers(const std::vector<std::string>& pools) {
  ReapReport report;
  for (const auto& worker_id : registered_worker_ids()) {
    if (worker_id == settings_.worker_id || redis_.command({"EXISTS", keys::heartbeat(worker_id)}).as_integer() == 1) {
      continue;
    }
    report.dead_workers.push_back(worker_id);
    for (const auto& pool : pools) {
      const std::string in_flight_key = keys::in_flight(pool, worker_id);
      // Newest first, each pushed to the front: the oldest ends up taken first again.
      for (const auto& raw : strings_of(redis_.command({"LRANGE", in_flight_key, "0", "-1"}))) {
        const core::TimePoint now = clock_.now();
        const std::string reason = "poison task: delivered " + std::to_string(settings_.max_deliveries) + " times";
        const nlohmann::json entry =
            make_dead_letter_entry(raw, pool, reason, now, {{"deliveries", settings_.max_deliveries}});
        const long long outcome =
            redis_
                .eval(scripts::reap_task(),
                      {in_flight_key, keys::queue(pool), keys::dead_letters(pool), keys::deliveries(pool)},
                      {raw, std::to_string(settings_.max_deliveries), dump_member(entry), format_score(now), worker_id})
                .as_integer();
        if (outcome == 1) {
          ++report.requeued;
        } else if (outcome == 2) {
          report.dead_lettered.push_back({pool, core::task_id_of_entry(raw), reason});
          telemetry::log_warning("poison task dead-lettered", {{"pool", pool},
                                                               {"task_id", entry.value("task_id", "")},
                                                               {"deliveries", settings_.max_deliveries},
                                                               {"dead_worker", worker_id}});
        }
      }
    }
    forget_worker_if_done(worker_id, &report);
  }
  if (!report.dead_workers.empty()) {
    telemetry::log_info("reaped dead workers", {{"workers", report.dead_workers},
                                                {"requeued", report.requeued},
                                                {"dead_lettered", report.dead_lettered.size()}});
  }
  return report;
}

void TaskQueue::save_scan_record(const std::string& task_id, const nlohmann::json& record) {
  core::require_valid_task_id(task_id);
  redis_.command({"SET", keys::scan_record(task_id), record.dump()});
}

std::optional<std::string> TaskQueue::scan_record_text(const std::string& task_id) {
  core::require_valid_task_id(task_id);
  const RedisValue reply = redis_.command({"GET", keys::scan_record(task_id)});
  if (reply.is_nil()) {
    return std::nullopt;
  }
  return reply.as_string();
}

TaskIntake TaskQueue::intake(const std::string& task_id) {
  core::require_valid_task_id(task_id);
  const std::vector<RedisValue> replies =
      redis_.pipeline({{"ZSCORE", keys::cancel_requests(), task_id}, {"GET", keys::scan_record(task_id)}});
  TaskIntake intake;
  intake.cancel_requested = !replies[0].is_nil();
  if (!replies[1].is_nil()) intake.scan_record_text = replies[1].as_string();
  return intake;
}

std::optional<nlohmann::json> TaskQueue::scan_record(const std::string& task_id) {
  const auto text = scan_record_text(task_id);
  if (!text) {
    return std::nullopt;
  }
  nlohmann::json record = nlohmann::json::parse(*text, nullptr, false);
  if (record.is_discarded()) {
    throw core::Error(core::ErrorKind::bad_input, "queue: the scan record of " + task_id + " is not JSON");
  }
  return record;
}

void TaskQueue::forget_scan_record(const std::string& task_id) {
  core::require_valid_task_id(task_id);
  redis_.command({"DEL", keys::scan_record(task_id)});
}

void TaskQueue::request_cancel(const std::string& task_id) {
  core::require_valid_task_id(task_id);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch());
  redis_.command({"ZADD", keys::cancel_requests(), std::to_string(now.count()), task_id});
}

std::set<std::string> TaskQueue::cancel_requests() {
  const RedisValue reply = redis_.command({"ZRANGE", keys::cancel_requests(), "0", "-1"});
  std::set<std::string> task_ids;
  for (const auto& element : reply.elements) task_ids.insert(element.as_string());
  return task_ids;
}

bool TaskQueue::is_cancel_requested(const std::string& task_id) {
  return !redis_.command({"ZSCORE", keys::cancel_requests(), task_id}).is_nil();
}

void TaskQueue::forget_cancel_request(const std::string& task_id) {
  redis_.command({"ZREM", keys::cancel_requests(), task_id});
}

std::vector<DeadLetter> TaskQueue::dead_letter_range(const std::string& pool, long long start, long long stop) {
  const RedisValue reply = redis_.command(
      {"ZRANGE", keys::dead_letters(pool), std::to_string(start), std::to_string(stop), "REV", "WITHSCORES"});
  std::vector<DeadLetter> letters;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    letters.push_back(parse_dead_letter(reply.elements[i].as_string(), std::stod(reply.elements[i + 1].as_string())));
  }
  return letters;
}

std::vector<DeadLetter> TaskQueue::dlq_list(const std::string& pool, std::size_t offset, std::size_t limit) {
  if (limit == 0) {
    return {};
  }
  const auto start = static_cast<long long>(offset);
  return dead_letter_range(pool, start, start + static_cast<long long>(limit) - 1);
}

std::optional<DeadLetter> TaskQueue::dlq_show(const std::string& pool, const std::string& task_id) {
  for (auto& letter : dead_letter_range(pool, 0, -1)) {
    if (letter.task_id == task_id) {
      return std::move(letter);
    }
  }
  return std::nullopt;
}

std::size_t TaskQueue::dlq_retry(const std::string& pool, std::optional<std::string> task_id) {
  return dlq_retry(pool, [&](const DeadLetter& letter) { return !task_id || letter.task_id == task_id; });
}

std::size_t TaskQueue::dlq_retry(const std::string& pool, const std::function<bool(const DeadLetter&)>& which) {
  std::size_t moved = 0;
  for (const auto& letter : dead_letter_range(pool, 0, -1)) {
    if (!which(letter)) {
      continue;
    }
    const auto message = retry_message(letter);
    if (!message) {
      continue;
    }
    moved += count_of(redis_.eval(scripts::requeue_dead_letter(),
                                  {keys::dead_letters(pool), keys::queue(pool), keys::deliveries(pool)},
                                  {letter.member, *message}));
  }
  return moved;
}

std::size_t TaskQueue::dlq_delete(const std::string& pool, const std::string& task_id) {
  std::size_t deleted = 0;
  for (const auto& letter : dead_letter_range(pool, 0, -1)) {
    if (letter.task_id != task_id) continue;
    deleted += count_of(redis_.command({"ZREM", keys::dead_letters(pool), letter.member}));
  }
  return deleted;
}

std::size_t TaskQueue::remove_queued(const std::string& pool, const std::string& task_id) {
  core::require_valid_task_id(task_id);
  std::size_t removed = 0;
  for (const auto& raw : strings_of(redis_.command({"LRANGE", keys::queue(pool), "0", "-1"}))) {
    if (core::task_id_of_entry(raw) != task_id) continue;
    removed += count_of(redis_.command({"LREM", keys::queue(pool), "0", raw}));
  }
  return removed;
}

std::size_t TaskQueue::dlq_purge(const std::string& pool, std::optional<core::TimePoint> older_than) {
  if (older_than) {
    return count_of(
        redis_.command({"ZREMRANGEBYSCORE", keys::dead_letters(pool), "-inf", "(" + format_score(*older_than)}));
  }
  return count_of(redis_.command({"ZREMRANGEBYRANK", keys::dead_letters(pool), "0", "-1"}));
}

QueueStats TaskQueue::stats(const std::string& pool, std::size_t peek) {
  QueueStats stats;
  stats.pool = pool;
  stats.depth = count_of(redis_.command({"LLEN", keys::queue(pool)}));
  stats.dead_letters = count_of(redis_.command({"ZCARD", keys::dead_letters(pool)}));
  for (const auto& worker_id : registered_worker_ids()) {
    stats.in_flight[worker_id] = count_of(redis_.command({"LLEN", keys::in_flight(pool, worker_id)}));
  }
  if (peek > 0) {
    stats.next = strings_of(redis_.command({"LRANGE", keys::queue(pool), "-" + std::to_string(peek), "-1"}));
    std::reverse(stats.next.begin(), stats.next.end());
  }
  return stats;
}

std::vector<WorkerInfo> TaskQueue::workers() {
  const RedisValue registry = redis_.command({"HGETALL", keys::workers()});
  std::vector<WorkerInfo> out;
  for (std::size_t i = 0; i + 1 < registry.elements.size(); i += 2) {
    WorkerInfo worker;
    worker.worker_id = registry.elements[i].as_string();
    worker.info = nlohmann::json::parse(registry.elements[i + 1].as_string(), nullptr, false);
    if (worker.info.is_discarded()) {
      worker.info = nlohmann::json::object();
    }
    worker.alive = redis_.command({"EXISTS", keys::heartbeat(worker.worker_id)}).as_integer() == 1;
    for (const auto& pool : pools_of(worker.worker_id)) {
      worker.in_flight[pool] = count_of(redis_.command({"LLEN", keys::in_flight(pool, worker.worker_id)}));
    }
    out.push_back(std::move(worker));
  }
  std::sort(out.begin(), out.end(), [](const WorkerInfo& a, const WorkerInfo& b) { return a.worker_id < b.worker_id; });
  return out;
}

}  // namespace sw::queue
