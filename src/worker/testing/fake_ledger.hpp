// For tests: TaskLedger in memory, on the caller's thread. It keeps what a Redis ledger
// keeps (claims, leases, records, cancel requests) and records how each queue entry left
// this worker, so a test can assert what a task run did; knobs make Redis fail or another
// worker take a task over.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "worker/task_ledger.hpp"

namespace sw::worker::testing {

class FakeLedger final : public TaskLedger {
 public:
  // How an entry left this worker's in-flight list.
  struct Departure {
    std::string how;  // acknowledged, discarded, deferred, handed_back, dead_lettered, dead_lettered_oversized
    std::string raw;
    std::string error;  // for the dead letters
    nlohmann::json extra;
    std::optional<std::string> task_id;
  };

  // Knobs.
  bool redis_down = false;               // every call throws core::Error(redis)
  std::set<std::string> held_elsewhere;  // task ids a live other worker holds: claims answer `held`
  std::set<std::string> full_scanners;   // scanners with no room, whatever their limit

  // State and observations.
  std::map<std::string, std::string> claims;            // task id -> worker
  std::map<std::string, queue::ScanRecord> records;     // by task id
  std::map<std::string, std::set<std::string>> leases;  // scanner -> task ids
  std::set<std::string> cancel_requests;
  std::vector<Departure> departures;
  std::map<std::string, int> finished;  // "pool/outcome" -> count

  boost::asio::awaitable<queue::TaskClaim> claim(const std::string& task_id) override {
    check();
    if (held_elsewhere.contains(task_id)) co_return queue::TaskClaim{queue::TaskClaim::Result::held, "other-worker"};
    const bool had = claims.contains(task_id);
    claims[task_id] = "this-worker";
    co_return queue::TaskClaim{had ? queue::TaskClaim::Result::mine : queue::TaskClaim::Result::claimed, "this-worker"};
  }
  boost::asio::awaitable<void> release_claim(const std::string& task_id) override {
    check();
    claims.erase(task_id);
    co_return;
  }
  boost::asio::awaitable<RunClaim> claim_to_run(const std::string& task_id) override {
    RunClaim run;
    run.claim = co_await claim(task_id);
    if (!run.claim.ours()) co_return run;
    run.intake.cancel_requested = cancel_requests.contains(task_id);
    const auto found = records.find(task_id);
    if (found != records.end()) run.intake.scan_record_text = queue::to_json(found->second).dump();
    co_return run;
  }
  boost::asio::awaitable<void> save_scan_record(const queue::ScanRecord& record) override {
    check();
    records[record.task_id] = record;
    co_return;
  }
  boost::asio::awaitable<std::optional<std::string>> acquire_lease(const std::string&, const std::string& task_id,
                                                                   const std::vector<queue::ScannerSlot>& slots,
                                                                   const std::optional<std::string>& pinned) override {
    check();
    for (const auto& slot : slots) {
      if (pinned && slot.instance_id != *pinned) continue;
      auto& holders = leases[slot.instance_id];
      if (holders.contains(task_id)) co_return slot.instance_id;
      if (full_scanners.contains(slot.instance_id) || static_cast<int>(holders.size()) >= slot.limit) continue;
      holders.insert(task_id);
      co_return slot.instance_id;
    }
    co_return std::nullopt;
  }
  boost::asio::awaitable<void> release_lease(const std::string&, const std::string& scanner,
                                             const std::string& task_id) override {
    check();
    leases[scanner].erase(task_id);
    co_return;
  }
  boost::asio::awaitable<void> count_finished(const std::string& pool, const std::string& outcome,
                                              core::TimePoint) override {
    check();
    ++finished[pool + "/" + outcome];
    co_return;
  }
  boost::asio::awaitable<void> acknowledge(const QueueEntry& entry,
                                           const std::optional<std::string>& task_id) override {
    depart("acknowledged", entry, task_id);
    co_return;
  }
  boost::asio::awaitable<void> discard(const QueueEntry& entry) override {
    check();
    departures.push_back({"discarded", entry.raw, "", nullptr, std::nullopt});
    co_return;
  }
  boost::asio::awaitable<void> defer(const QueueEntry& entry, const std::string& task_id) override {
    depart("deferred", entry, task_id);
    co_return;
  }
  boost::asio::awaitable<void> hand_back(const QueueEntry& entry, const std::string& task_id) override {
    depart("handed_back", entry, task_id);
    co_return;
  }
  boost::asio::awaitable<void> dead_letter(const QueueEntry& entry, const std::string& error,
                                           const nlohmann::json& extra,
                                           const std::optional<std::string>& task_id) override {
    depart("dead_lettered", entry, task_id, error, extra);
    co_return;
  }
  boost::asio::awaitable<void> dead_letter_oversized(const QueueEntry& entry, const std::string& error, std::size_t,
                                                     const std::optional<std::string>& task_id) override {
    depart("dead_lettered_oversized", entry, task_id, error);
    co_return;
  }

  boost::asio::awaitable<void> end_task(const QueueEntry& entry, const std::string& task_id,
                                        const TaskEnding& ending) override {
    if (ending.dead_letter_error) {
      depart("dead_lettered", entry, task_id, *ending.dead_letter_error, ending.dead_letter_extra);
    } else {
      depart("acknowledged", entry, task_id);
    }
    if (ending.forget_cancel_request) cancel_requests.erase(task_id);
    if (ending.scanner) leases[*ending.scanner].erase(task_id);
    ++finished[entry.pool + "/" + ending.outcome];
    co_return;
  }

  // The one departure of the test's task (empty `how` when none).
  Departure last_departure() const { return departures.empty() ? Departure{} : departures.back(); }
  bool holds_lease(const std::string& task_id) const {
    for (const auto& [scanner, holders] : leases) {
      if (holders.contains(task_id)) return true;
    }
    return false;
  }

 private:
  void check() const {
    if (redis_down) throw core::Error(core::ErrorKind::redis, "redis: connection refused (fake)");
  }
  // As the Redis scripts do: the record and the claim go with the entry, except on a
  // hand-back or a deferral, which keep the record for the next owner.
  void depart(const std::string& how, const QueueEntry& entry, const std::optional<std::string>& task_id,
              const std::string& error = "", const nlohmann::json& extra = nullptr) {
    check();
    departures.push_back({how, entry.raw, error, extra, task_id});
    if (!task_id) return;
    claims.erase(*task_id);
    if (how != "handed_back" && how != "deferred") records.erase(*task_id);
  }
};

}  // namespace sw::worker::testing
