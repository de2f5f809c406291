// Batched status polling: one GET /scans per scanner and poll interval serves every task of
// this worker that waits on that scanner, instead of one GET /scans/{id} per task and
// interval. With 1,000 running scans on one scanner that is one request a second instead of
// 1,000; a task reads its scan's details only when the listing shows a change.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "coro/event.hpp"
#include "coro/task_group.hpp"
#include "nessus/scanner_api.hpp"

namespace sw::worker {

// What a listing said of one scan.
struct Sighting {
  bool listed = false;          // false: the scanner did not list the scan (deleted?)
  nessus::ScanListEntry entry;  // when listed: status and the uuid of the latest run
};

class ScanListings {
 public:
  ScanListings(boost::asio::any_io_executor executor, std::chrono::milliseconds interval);
  ~ScanListings();
  ScanListings(const ScanListings&) = delete;
  ScanListings& operator=(const ScanListings&) = delete;

  // Waits for the next listing of the scanner that starts after this call (listings are
  // at least `interval` apart) and returns what it said of `scan_id`. `wake` is the
  // caller's own event (reset here): the listing sets it to deliver; when anything else
  // sets it, the wait ends early and returns nullopt. A failed listing throws its
  // core::Error to every waiter.
  boost::asio::awaitable<std::optional<Sighting>> next(std::shared_ptr<nessus::ScannerApi> client, std::int64_t scan_id,
                                                       coro::Event& wake);

 private:
  struct Waiter {
    std::uint64_t ticket = 0;  // registration order: served by the first listing started after it
    std::int64_t scan_id = 0;
    coro::Event* wake = nullptr;
    bool delivered = false;
    Sighting sighting;
    std::exception_ptr error;
  };
  struct Scanner {
    std::shared_ptr<nessus::ScannerApi> client;
    std::vector<Waiter*> waiting;
    std::uint64_t tickets = 0;
    std::chrono::steady_clock::time_point last_listing{};
    bool polling = false;
  };

  boost::asio::awaitable<void> poll(std::shared_ptr<Scanner> scanner);
  static void deliver(Scanner& scanner, std::uint64_t up_to_ticket, const std::vector<nessus::ScanListEntry>& entries,
                      const std::exception_ptr& error);
  void forget_retired_scanners();

  boost::asio::any_io_executor executor_;
  std::chrono::milliseconds interval_;
  std::map<const nessus::ScannerApi*, std::shared_ptr<Scanner>> scanners_;
  coro::TaskGroup pollers_;  // one listing loop per scanner while tasks wait on it
};

}  // namespace sw::worker
