// The seam between a task run and Redis: where a task's place is kept (its queue entry in
// this worker's in-flight list, its claim, its scanner lease, its re-attach record, a cancel
// request). TaskRun sees only this interface; RedisTaskLedger runs each call on the Redis
// lanes, and the unit tests use the in-memory fake in worker/testing. Every call throws
// core::Error(redis) when Redis cannot be reached: never a reason to fail a task.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "queue/capacity_leases.hpp"
#include "queue/scan_record.hpp"
#include "queue/task_queue.hpp"
#include "worker/redis_lanes.hpp"

namespace sw::worker {

// One entry of a pool's queue as this worker holds it.
struct QueueEntry {
  std::string pool;
  std::string raw;  // exactly as taken: the in-flight list is searched by value
};

// A claim taken to run a task and, when it is ours, what the run reads of it first.
struct RunClaim {
  queue::TaskClaim claim;
  queue::TaskIntake intake;  // empty unless claim.ours()
};

// How a task that ran leaves this worker (TaskLedger::end_task).
struct TaskEnding {
  std::string outcome;  // completed, failed, timeout: the pool's count of it grows
  core::TimePoint when;
  std::optional<std::string> dead_letter_error;  // set: the entry goes to the DLQ with it
  nlohmann::json dead_letter_extra = nlohmann::json::object();
  std::optional<std::string> scanner;  // the scanner whose lease is released
  bool forget_cancel_request = false;
};

class TaskLedger {
 public:
  virtual ~TaskLedger() = default;

  virtual boost::asio::awaitable<queue::TaskClaim> claim(const std::string& task_id) = 0;
  virtual boost::asio::awaitable<void> release_claim(const std::string& task_id) = 0;

  // claim, and when the task is ours also its cancel request and re-attach record
  // (unparsed: a damaged one is the caller's to judge), in one step.
  virtual boost::asio::awaitable<RunClaim> claim_to_run(const std::string& task_id) = 0;
  virtual boost::asio::awaitable<void> save_scan_record(const queue::ScanRecord& record) = 0;

  // The instance id of the scanner leased (the pinned one when given), or nullopt when
  // none has room.
  virtual boost::asio::awaitable<std::optional<std::string>> acquire_lease(
      const std::string& pool, const std::string& task_id, const std::vector<queue::ScannerSlot>& slots,
      const std::optional<std::string>& pinned) = 0;
  virtual boost::asio::awaitable<void> release_lease(const std::string& pool, const std::string& scanner,
                                                     const std::string& task_id) = 0;

  // One more task of the pool ended with `outcome` (completed, failed, timeout) at `when`:
  // the counts operators see (queue/activity.hpp).
  virtual boost::asio::awaitable<void> count_finished(const std::string& pool, const std::string& outcome,
                                                      core::TimePoint when) = 0;

  // The ways an entry leaves this worker's in-flight list (queue::TaskQueue has the details);
  // with a task id, its record and claim go in the same step. `entry` is the caller's and
  // outlives the call (the caller awaits it).
  virtual boost::asio::awaitable<void> acknowledge(const QueueEntry& entry,
                                                   const std::optional<std::string>& task_id) = 0;
  virtual boost::asio::awaitable<void> discard(const QueueEntry& entry) = 0;
  virtual boost::asio::awaitable<void> defer(const QueueEntry& entry, const std::string& task_id) = 0;
  virtual boost::asio::awaitable<void> hand_back(const QueueEntry& entry, const std::string& task_id) = 0;
  virtual boost::asio::awaitable<void> dead_letter(const QueueEntry& entry, const std::string& error,
                                                   const nlohmann::json& extra,
                                                   const std::optional<std::string>& task_id) = 0;
  // An entry too large to parse: the DLQ keeps its first `kept_bytes` and its size.
  virtual boost::asio::awaitable<void> dead_letter_oversized(const QueueEntry& entry, const std::string& error,
                                                             std::size_t kept_bytes,
                                                             const std::optional<std::string>& task_id) = 0;

  // The end of a task that ran, in one step: the entry leaves (acknowledged, or to the DLQ)
  // with the task's record and claim, its cancel request and lease go, and the pool's count
  // of the outcome grows.
  virtual boost::asio::awaitable<void> end_task(const QueueEntry& entry, const std::string& task_id,
                                                const TaskEnding& ending) = 0;
};

// The ledger in Redis, through the worker's lanes.
class RedisTaskLedger final : public TaskLedger {
 public:
  RedisTaskLedger(RedisLanes& lanes, std::chrono::milliseconds claim_ttl, std::chrono::milliseconds lease_ttl)
      : lanes_(lanes), claim_ttl_(claim_ttl), lease_ttl_(lease_ttl) {}

  boost::asio::awaitable<queue::TaskClaim> claim(const std::string& task_id) override;
  boost::asio::awaitable<void> release_claim(const std::string& task_id) override;
  boost::asio::awaitable<RunClaim> claim_to_run(const std::string& task_id) override;
  boost::asio::awaitable<void> save_scan_record(const queue::ScanRecord& record) override;
  boost::asio::awaitable<std::optional<std::string>> acquire_lease(const std::string& pool, const std::string& task_id,
                                                                   const std::vector<queue::ScannerSlot>& slots,
                                                                   const std::optional<std::string>& pinned) override;
  boost::asio::awaitable<void> release_lease(const std::string& pool, const std::string& scanner,
                                             const std::string& task_id) override;
  boost::asio::awaitable<void> count_finished(const std::string& pool, const std::string& outcome,
                                              core::TimePoint when) override;
  boost::asio::awaitable<void> acknowledge(const QueueEntry& entry, const std::optional<std::string>& task_id) override;
  boost::asio::awaitable<void> discard(const QueueEntry& entry) override;
  boost::asio::awaitable<void> defer(const QueueEntry& entry, const std::string& task_id) override;
  boost::asio::awaitable<void> hand_back(const QueueEntry& entry, const std::string& task_id) override;
  boost::asio::awaitable<void> dead_letter(const QueueEntry& entry, const std::string& error,
                                           const nlohmann::json& extra,
                                           const std::optional<std::string>& task_id) override;
  boost::asio::awaitable<void> dead_letter_oversized(const QueueEntry& entry, const std::string& error,
                                                     std::size_t kept_bytes,
                                                     const std::optional<std::string>& task_id) override;
  boost::asio::awaitable<void> end_task(const QueueEntry& entry, const std::string& task_id,
                                        const TaskEnding& ending) override;

 private:
  RedisLanes& lanes_;
  std::chrono::milliseconds claim_ttl_;
  std::chrono::milliseconds lease_ttl_;
};

}  // namespace sw::worker
