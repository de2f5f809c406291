// RedisTaskLedger: each call is one queue or lease operation run on a Redis lane.
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

asio::awaitable<std::optional<std::string>> RedisTaskLedger::scan_record_text(const std::string& task_id) {
  co_return co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { return q.scan_record_text(task_id); });
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

asio::awaitable<bool> RedisTaskLedger::cancel_requested(const std::string& task_id) {
  co_return co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { return q.is_cancel_requested(task_id); });
}

asio::awaitable<void> RedisTaskLedger::forget_cancel_request(const std::string& task_id) {
  co_await lanes_.run([&](TaskQueue& q, CapacityLeases&) { q.forget_cancel_request(task_id); });
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

}  // namespace sw::worker
