// The reliable task queue (docs/contracts.md#the-queue-and-the-dead-letter-queue, docs/architecture.md#a-tasks-life):
// producers LPUSH to {pool}:queue; a worker moves the next task into its own in-flight list in one step (BLMOVE) and
// removes it only when the task is done, handed back or dead-lettered. Workers keep a heartbeat; any live worker reaps
// the in-flight tasks of dead ones, counting deliveries, and dead-letters a task delivered max_deliveries times. Also
// the dead-letter queue admin, per-task scan records for re-attaching, statistics, and what workers report for
// operators (scanner health, finished counts: activity.hpp). Key names: src/queue/KEYS.md.
//
// Thread-safety: none. A TaskQueue owns one blocking Redis connection; use one object per
// thread (several objects of one worker share its worker_id and its in-flight lists).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "queue/activity.hpp"
#include "queue/dead_letter.hpp"
#include "queue/redis_connection.hpp"

namespace sw::queue {

struct QueueSettings {
  std::string worker_id;
  std::chrono::milliseconds heartbeat_ttl{30000};
  int max_deliveries = 3;
};

// A task the reaper moved to the DLQ because it was delivered too many times.
struct PoisonTask {
  std::string pool;
  std::optional<std::string> task_id;  // when the entry named a valid one
  std::string reason;                  // as in its DLQ entry
};

struct ReapReport {
  std::vector<std::string> dead_workers;       // heartbeat expired, still registered
  std::size_t requeued = 0;                    // tasks returned to the front of their queue
  std::vector<PoisonTask> dead_lettered;       // poison tasks moved to the DLQ
  std::vector<std::string> forgotten_workers;  // removed from the registry (nothing left in flight)
};

struct QueueStats {
  std::string pool;
  std::size_t depth = 0;
  std::size_t dead_letters = 0;
  std::map<std::string, std::size_t> in_flight;  // by worker id (registered workers)
  std::vector<std::string> next;                 // the entries consumers take next, next first
};

// The answer to a claim on a task id (TaskQueue::claim_task).
struct TaskClaim {
  enum class Result {
    claimed,     // it was free: this worker holds it now
    mine,        // this worker held it already (a restart with the same WORKER_ID)
    taken_over,  // its holder's heartbeat is gone: this worker holds it now
    held,        // a live worker holds it: this delivery is a repeat
  };
  Result result = Result::claimed;
  std::string holder;  // the worker that held it before (or holds it now)

  bool ours() const { return result != Result::held; }
};

// What a task's new owner reads of it before it runs (TaskQueue::intake).
struct TaskIntake {
  bool cancel_requested = false;
  std::optional<std::string> scan_record_text;  // unparsed, as scan_record_text gives it
};

struct WorkerInfo {
  std::string worker_id;
  bool alive = false;                            // heartbeat present
  nlohmann::json info;                           // as given to heartbeat()
  std::map<std::string, std::size_t> in_flight;  // by pool
};

class TaskQueue {
 public:
  // Throws core::Error(bad_input) for a bad URL or an empty worker id. Connects lazily.
  TaskQueue(RedisOptions options, QueueSettings settings);

  const QueueSettings& settings() const { return settings_; }

  // LPUSH; returns the queue depth.
  long long enqueue(const std::string& pool, const std::string& message_json);

  // Moves the next task (right end) into this worker's in-flight list for the pool
  // (BLMOVE RIGHT LEFT), waiting up to `block` (0: do not wait); nullopt when none came.
  // The first fetch of a pool registers the worker (heartbeat and registry) so that a
  // task it takes can always be recovered. When this throws network/timeout the move may
  // still have happened (the reply was lost): the task then sits in this worker's
  // in-flight list, so after an error the worker should finish what in_flight(pool)
  // holds that it does not know about (tests/integration/queue/queue_test_consumer.cpp).
  std::optional<std::string> fetch(const std::string& pool, std::chrono::milliseconds block);
  // Up to `count` tasks at once without waiting (one script call, the same moves as
  // fetch): a worker with room for many takes them in one trip. Empty when none waits.
  std::vector<std::string> fetch_many(const std::string& pool, std::size_t count);
  // The same without waiting, only when the next task still holds an unexpired capacity
  // lease on one of the pool's scanners `instance_ids` (its worker died while its scan ran):
  // such a task re-attaches to its running scan and needs no new room, so a worker whose
  // pool looks full takes it. nullopt otherwise (nothing moved).
  std::optional<std::string> fetch_leased(const std::string& pool, const std::vector<std::string>& instance_ids);

  // Each returns false when `raw` was no longer in this worker's in-flight list (a reaper
  // took it because the heartbeat lapsed): then nothing else changed either.
  // Done: removes it from in-flight and forgets its delivery count. With the task's id, in
  // the same step also deletes its scan record and releases its claim.
  bool acknowledge(const std::string& pool, const std::string& raw,
                   const std::optional<std::string>& task_id = std::nullopt);
  // Removes one copy of it from in-flight and changes nothing else: a repeated delivery of
  // a task that another owner runs (its delivery count and claim belong to that owner).
  bool discard(const std::string& pool, const std::string& raw);
  // Removes it and pushes `replacement` to the end consumers take next; no delivery
  // counted. With the task's id, its claim is released in the same step.
  bool hand_back(const std::string& pool, const std::string& raw, const std::string& replacement,
                 const std::optional<std::string>& task_id = std::nullopt);
  // Removes it and pushes it to the back of the queue, behind every waiting task; no
  // delivery counted. For a task that cannot run yet (its pinned scanner is full) so that
  // it waits without blocking the tasks that can run elsewhere. With the task's id, its
  // claim is released in the same step.
  bool defer(const std::string& pool, const std::string& raw, const std::optional<std::string>& task_id = std::nullopt);
  // Removes it and adds a DLQ entry (make_dead_letter_entry) scored now. With the task's
  // id, in the same step also deletes its scan record and releases its claim.
  bool dead_letter(const std::string& pool, const std::string& raw, const std::string& reason,
                   const nlohmann::json& extra = nlohmann::json::object(),
                   const std::optional<std::string>& task_id = std::nullopt);

  // The same for an entry too large to be parsed: the DLQ entry keeps its first
  // `kept_bytes` and its size (make_oversized_dead_letter_entry).
  bool dead_letter_oversized(const std::string& pool, const std::string& raw, const std::string& reason,
                             std::size_t kept_bytes, const std::optional<std::string>& task_id = std::nullopt);

  // A task id runs on one worker at a time, whatever number of queue entries carry it:
  // the claim sw:claim:{task_id} names its worker. Taken before anything of the task is
  // created, released when it ends, is handed back or deferred (and by the reaper when its
  // worker died). `ttl` only collects claims that nothing released: keep it longer than
  // any scan may run. The task id must be valid (core::is_valid_task_id).
  TaskClaim claim_task(const std::string& task_id, std::chrono::milliseconds ttl);
  void release_claim(const std::string& task_id);
  // The worker that holds the task id's claim while its heartbeat is alive; nullopt when
  // nobody holds it or its holder died (then a reaper or the next claim takes it over).
  std::optional<std::string> live_holder(const std::string& task_id);

  // This worker's in-flight entries for the pool, newest first.
  std::vector<std::string> in_flight(const std::string& pool);

  // Refreshes this worker's heartbeat key (TTL heartbeat_ttl) and its registry entry.
  // Call it well within the TTL (e.g. every TTL/3).
  void heartbeat(const nlohmann::json& info);
  // Clean exit: deletes the heartbeat; leaves the registry when nothing is in flight
  // (otherwise the next reaper recovers what is left at once).
  void unregister();

  // For every registered worker other than this one whose heartbeat is gone: returns its
  // in-flight tasks of `pools` to the front of their queue, counting one more delivery
  // each; a task delivered max_deliveries times goes to the DLQ ("poison task: delivered
  // N times", with "deliveries": N) instead. Safe to run on many workers at once.
  ReapReport reap_dead_workers(const std::vector<std::string>& pools);

  // Per-task scan record for re-attaching (scanner instance, nessus scan id, run uuid...).
  // The task id must be valid (core::is_valid_task_id), else core::Error(bad_input).
  void save_scan_record(const std::string& task_id, const nlohmann::json& record);
  // The record as JSON; throws core::Error(bad_input) when it is not JSON.
  std::optional<nlohmann::json> scan_record(const std::string& task_id);
  // The record as stored, unparsed: for a reader that must tell a damaged record from a
  // Redis failure (queue::parse_scan_record).
  std::optional<std::string> scan_record_text(const std::string& task_id);
  void forget_scan_record(const std::string& task_id);
  // Its cancel request and its record, in one round trip.
  TaskIntake intake(const std::string& task_id);

  // Removes the entries of `task_id` still waiting in {pool}:queue (LREM of each entry
  // whose task_id it is); returns how many. 0 when a worker took it already.
  std::size_t remove_queued(const std::string& pool, const std::string& task_id);

  // Cancel requests (sw:cancel-requests: task id -> unix time of the request), for tasks
  // that a worker holds: the worker that runs one stops its scan and fails it "cancelled by
  // request". Producers add them; a worker reads them all at once each interval.
  void request_cancel(const std::string& task_id);
  std::set<std::string> cancel_requests();
  bool is_cancel_requested(const std::string& task_id);
  void forget_cancel_request(const std::string& task_id);

  // Dead letters, newest first.
  std::vector<DeadLetter> dlq_list(const std::string& pool, std::size_t offset, std::size_t limit);
  // The newest entry of the task.
  std::optional<DeadLetter> dlq_show(const std::string& pool, const std::string& task_id);
  // Puts entries (one task's, or all) back on the queue (LPUSH) without the failure
  // fields; entries holding only raw text are not tasks and stay. Returns how many moved.
  std::size_t dlq_retry(const std::string& pool, std::optional<std::string> task_id);
  // The same for the entries that `which` accepts.
  std::size_t dlq_retry(const std::string& pool, const std::function<bool(const DeadLetter&)>& which);
  // Deletes the entries of one task. Returns how many.
  std::size_t dlq_delete(const std::string& pool, const std::string& task_id);
  // Deletes all entries, or those that failed before `older_than`. Returns how many.
  std::size_t dlq_purge(const std::string& pool, std::optional<core::TimePoint> older_than);

  // Depth, DLQ size, in-flight per registered worker, and the next `peek` entries.
  QueueStats stats(const std::string& pool, std::size_t peek);
  // Registered workers (alive or awaiting a reaper), their info and in-flight counts.
  std::vector<WorkerInfo> workers();

  // What workers report for operators (activity.hpp; defined in activity.cpp).
  // A scanner's GET /server/status answer, kept for `ttl` (a few check intervals).
  void record_scanner_health(const std::string& pool, const std::string& instance_id, const ScannerHealth& health,
                             std::chrono::milliseconds ttl);
  // nullopt when no worker checked it lately (or its record is damaged).
  std::optional<ScannerHealth> scanner_health(const std::string& pool, const std::string& instance_id);
  // Counts one task of the pool that ended with `outcome` at `when` (kept 48 hours).
  void count_finished(const std::string& pool, const std::string& outcome, core::TimePoint when);
  // The last `hours` hours up to `now`, oldest first (an hour without tasks has no outcomes).
  std::vector<HourlyOutcomes> finished_by_hour(const std::string& pool, core::TimePoint now, int hours);

 private:
  void ensure_registered(const std::string& pool);
  std::vector<std::string> registered_worker_ids();
  std::vector<std::string> pools_of(const std::string& worker_id);
  std::vector<DeadLetter> dead_letter_range(const std::string& pool, long long start, long long stop);
  void forget_worker_if_done(const std::string& worker_id, ReapReport* report);
  // The scan-record and claim keys (and this worker's id) that acknowledge and dead_letter
  // append for a task id.
  void add_task_keys(const std::optional<std::string>& task_id, std::vector<std::string>& script_keys,
                     std::vector<std::string>& args) const;
  bool add_dead_letter(const std::string& pool, const std::string& raw, const nlohmann::json& entry,
                       core::TimePoint now, const std::optional<std::string>& task_id);
  bool return_to_queue(const std::string& pool, const std::string& raw, const std::string& replacement, const char* end,
                       const std::optional<std::string>& task_id);

  QueueSettings settings_;
  RedisConnection redis_;
  core::SystemClock clock_;
  std::set<std::string> registered_pools_;
};

}  // namespace sw::queue
