// RedisTaskLedger: each call is one trip to a Redis lane (claim_to_run and end_task make
// several operations in that one trip).
#include "worker/task_ledger.hpp"

namespace sw::worker {

namespace asio = boost::asio;
using queue::CapacityLeases;
using queue::TaskQueue;

asio::awaitable<queue::TaskClaim> RedisTaskLedger::claim(const std::string& task_id) {
  co_return co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { return q.claim_task(task_id, claim_ttl_); });
}

asio::awaitable<void> RedisTaskLedger::release_claim(const std::string& task_id) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.release_claim(task_id); });
}

asio::awaitable<RunClaim> RedisTaskLedger::claim_to_run(const std::string& task_id) {
  co_return co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) {
    RunClaim run{q.claim_task(task_id, claim_ttl_), {}};
    if (run.claim.ours()) run.intake = q.intake(task_id);
    return run;
  });
}

asio::awaitable<void> RedisTaskLedger::save_scan_record(const queue::ScanRecord& record) {
  const nlohmann::json json = queue::to_json(record);
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.save_scan_record(record.task_id, json); });
}

asio::awaitable<std::optional<std::string>> RedisTaskLedger::acquire_lease(const std::string& pool,
                                                                           const std::string& task_id,
                                                                           const std::vector<queue::ScannerSlot>& slots,
                                                                           const std::optional<std::string>& pinned) {
  co_return co_await lanes_.run(
      [&](TaskQueue&, CapacityLeases& leases) { return leases.acquire(pool, slots, task_id, lease_ttl_, pinned); });
}

asio::awaitable<void> RedisTaskLedger::release_lease(const std::string& pool, const std::string& scanner,
                                                     const std::string& task_id) {
  co_await lanes_.run([&](TaskQueue&, CapacityLeases& leases) { leases.release(pool, scanner, task_id); });
}

asio::awaitable<void> RedisTaskLedger::count_finished(const std::string& pool, const std::string& outcome,
                                                      core::TimePoint when) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.count_finished(pool, outcome, when); });
}

asio::awaitable<void> RedisTaskLedger::acknowledge(const QueueEntry& entry, const std::optional<std::string>& task_id) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.acknowledge(entry.pool, entry.raw, task_id); });
}

asio::awaitable<void> RedisTaskLedger::discard(const QueueEntry& entry) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.discard(entry.pool, entry.raw); });
}

asio::awaitable<void> RedisTaskLedger::defer(const QueueEntry& entry, const std::string& task_id) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.defer(entry.pool, entry.raw, task_id); });
}

asio::awaitable<void> RedisTaskLedger::hand_back(const QueueEntry& entry, const std::string& task_id) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.hand_back(entry.pool, entry.raw, entry.raw, task_id); });
}

asio::awaitable<void> RedisTaskLedger::dead_letter(const QueueEntry& entry, const std::string& error,
                                                   const nlohmann::json& extra,
                                                   const std::optional<std::string>& task_id) {
  co_await lanes_.run(
      [&](TaskQueue& q, CapacityLeases&) { q.dead_letter(entry.pool, entry.raw, error, extra, task_id); });
}

asio::awaitable<void> RedisTaskLedger::dead_letter_oversized(const QueueEntry& entry, const std::string& error,
                                                             std::size_t kept_bytes,
                                                             const std::optional<std::string>& task_id) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) {
    q.dead_letter_oversized(entry.pool, entry.raw, error, kept_bytes, task_id);
  });
}

asio::awaitable<void> RedisTaskLedger::end_task(const QueueEntry& entry, const std::string& task_id,
                                               const TaskEnding& ending) {
  const std::optional<std::string> id = task_id;
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases& leases) {
    if (ending.dead_letter_error) {
      q.dead_letter(entry.pool, entry.raw, *ending.dead_letter_error, ending.dead_letter_extra, id);
    } else {
      q.acknowledge(entry.pool, entry.raw, id);
    }
    if (ending.forget_cancel_request) q.forget_cancel_request(task_id);
    if (ending.scanner) leases.release(entry.pool, *ending.scanner, task_id);
    q.count_finished(entry.pool, ending.outcome, ending.when);
  });
}

}  // namespace sw::worker
