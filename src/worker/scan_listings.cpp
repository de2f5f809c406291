// Batched status polling; see scan_listings.hpp.
#include "worker/scan_listings.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

namespace sw::worker {

namespace asio = boost::asio;

ScanListings::ScanListings(asio::any_io_executor executor, std::chrono::milliseconds interval)
    : executor_(executor), interval_(interval), pollers_(executor, "scan listing") {}

ScanListings::~ScanListings() = default;

asio::awaitable<std::optional<Sighting>> ScanListings::next(std::shared_ptr<nessus::ScannerApi> client,
                                                            std::int64_t scan_id, coro::Event& wake) {
  forget_retired_scanners();
  auto& slot = scanners_[client.get()];
  if (!slot) {
    slot = std::make_shared<Scanner>();
    slot->client = client;
  }
  const std::shared_ptr<Scanner> scanner = slot;
  Waiter waiter;
  waiter.ticket = ++scanner->tickets;
  waiter.scan_id = scan_id;
  waiter.wake = &wake;
  scanner->waiting.push_back(&waiter);
  struct LeaveQueue {  // an interrupted (or destroyed) wait leaves the queue
    Scanner& scanner;
    Waiter& waiter;
    ~LeaveQueue() {
      if (!waiter.delivered) std::erase(scanner.waiting, &waiter);
    }
  } leave_queue{*scanner, waiter};
  wake.reset();
  if (!scanner->polling) {
    scanner->polling = true;
    pollers_.spawn(poll(scanner));
  }
  co_await wake.wait();
  if (!waiter.delivered) {
    co_return std::nullopt;
  }
  if (waiter.error) {
    std::rethrow_exception(waiter.error);
  }
  co_return waiter.sighting;
}

// Lists while tasks wait, at most once per interval; ends when nobody waits (the next
// waiter starts it again, and the interval still counts from the last listing).
asio::awaitable<void> ScanListings::poll(std::shared_ptr<Scanner> scanner) {
  // Let the tasks that become ready in the same turn of the event loop join this listing.
  co_await asio::post(executor_, asio::use_awaitable);
  while (!scanner->waiting.empty()) {
    const auto due = scanner->last_listing + interval_;
    if (std::chrono::steady_clock::now() < due) {
      asio::steady_timer pause(executor_, due);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
      if (cancellation.cancelled() != asio::cancellation_type::none) break;  // the listings are going away
    }
    const std::uint64_t served = scanner->tickets;
    scanner->last_listing = std::chrono::steady_clock::now();
    std::vector<nessus::ScanListEntry> entries;
    std::exception_ptr error;
    try {
      entries = co_await scanner->client->list_scans();
    } catch (...) {
      error = std::current_exception();
    }
    deliver(*scanner, served, entries, error);
  }
  scanner->polling = false;
}

void ScanListings::deliver(Scanner& scanner, std::uint64_t up_to_ticket,
                           const std::vector<nessus::ScanListEntry>& entries, const std::exception_ptr& error) {
  std::unordered_map<std::int64_t, const nessus::ScanListEntry*> by_id;
  by_id.reserve(entries.size());
  for (const auto& entry : entries) by_id.emplace(entry.id, &entry);
  std::vector<Waiter*> still_waiting;
  for (Waiter* waiter : scanner.waiting) {
    if (waiter->ticket > up_to_ticket) {
      still_waiting.push_back(waiter);
      continue;
    }
    waiter->delivered = true;
    waiter->error = error;
    if (const auto found = by_id.find(waiter->scan_id); found != by_id.end()) {
      waiter->sighting = Sighting{true, *found->second};
    }
    waiter->wake->set();
  }
  scanner.waiting = std::move(still_waiting);
}

// Scanners removed by a reload: nothing else holds their client and nobody waits.
void ScanListings::forget_retired_scanners() {
  std::erase_if(scanners_, [](const auto& item) {
    const auto& scanner = *item.second;
    return !scanner.polling && scanner.waiting.empty() && scanner.client.use_count() == 1;
  });
}

}  // namespace sw::worker
