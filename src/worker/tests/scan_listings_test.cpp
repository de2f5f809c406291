// Tests of the batched status polls: one listing serves every waiting task of a scanner.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "core/errors.hpp"
#include "worker/scan_listings.hpp"

namespace sw::worker {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// A scanner whose only working call is the listing; it counts the listings.
class ListingScanner final : public nessus::ScannerApi {
 public:
  std::vector<nessus::ScanListEntry> scans;
  std::vector<std::chrono::steady_clock::time_point> listed_at;
  bool failing = false;

  asio::awaitable<std::vector<nessus::ScanListEntry>> list_scans() override {
    listed_at.push_back(std::chrono::steady_clock::now());
    if (failing) throw core::Error(core::ErrorKind::network, "list scans: connection refused");
    co_return scans;
  }

  asio::awaitable<std::string> server_status() override { throw unused(); }
  asio::awaitable<std::int64_t> create_scan(const nessus::NewScan&) override { throw unused(); }
  asio::awaitable<std::optional<std::int64_t>> find_scan_by_name(std::string) override { throw unused(); }
  asio::awaitable<std::string> launch_scan(std::int64_t) override { throw unused(); }
  asio::awaitable<nessus::RunState> run_state(std::int64_t, std::string) override { throw unused(); }
  asio::awaitable<std::string> current_run_uuid(std::int64_t) override { throw unused(); }
  asio::awaitable<void> stop_scan(std::int64_t) override { throw unused(); }
  asio::awaitable<void> delete_scan(std::int64_t) override { throw unused(); }
  asio::awaitable<std::uint64_t> export_scan(std::int64_t, std::unique_ptr<nessus::ExportSink>, std::uint64_t,
                                             milliseconds) override {
    throw unused();
  }
  asio::awaitable<void> logout() override { throw unused(); }

 private:
  static std::logic_error unused() { return std::logic_error("not used by the listings"); }
};

nessus::ScanListEntry scan(std::int64_t id, std::string status) {
  nessus::ScanListEntry entry;
  entry.id = id;
  entry.status = std::move(status);
  entry.uuid = "run-" + std::to_string(id);
  return entry;
}

// One waiting task: what each of its `rounds` waits returned ("status", "unlisted",
// "interrupted" or "error: ...").
struct Task {
  Task(asio::io_context& io, std::int64_t id) : scan_id(id), wake(io.get_executor()) {}
  std::int64_t scan_id;
  coro::Event wake;
  std::vector<std::string> seen;
};

asio::awaitable<void> follow(ScanListings& listings, std::shared_ptr<nessus::ScannerApi> scanner, Task& task,
                             int rounds) {
  for (int round = 0; round < rounds; ++round) {
    std::string what;
    try {
      const auto sighting = co_await listings.next(scanner, task.scan_id, task.wake);
      what = !sighting ? "interrupted" : sighting->listed ? sighting->entry.status : "unlisted";
    } catch (const core::Error& e) {
      what = std::string("error: ") + e.what();
    }
    task.seen.push_back(what);
  }
}

// Starts a task that follows its scan for `rounds` listings.
void start_following(asio::io_context& io, ScanListings& listings, std::shared_ptr<nessus::ScannerApi> scanner,
                     Task& task, int rounds) {
  asio::co_spawn(io, follow(listings, std::move(scanner), task, rounds), asio::detached);
}

TEST(ScanListings, OneListingServesEveryWaitingTask) {
  asio::io_context io;
  auto scanner = std::make_shared<ListingScanner>();
  for (std::int64_t id = 1; id <= 100; ++id) scanner->scans.push_back(scan(id, id % 2 ? "running" : "completed"));
  ScanListings listings(io.get_executor(), milliseconds(20));
  std::vector<std::unique_ptr<Task>> tasks;
  for (std::int64_t id = 1; id <= 101; ++id) {  // 101 is not on the scanner
    tasks.push_back(std::make_unique<Task>(io, id));
    start_following(io, listings, scanner, *tasks.back(), 3);
  }
  io.run();

  EXPECT_EQ(scanner->listed_at.size(), 3u);  // 3 rounds for 101 tasks, not 303 requests
  for (std::size_t i = 1; i < scanner->listed_at.size(); ++i) {
    EXPECT_GE(scanner->listed_at[i] - scanner->listed_at[i - 1], milliseconds(20));
  }
  EXPECT_EQ(tasks[0]->seen, (std::vector<std::string>{"running", "running", "running"}));
  EXPECT_EQ(tasks[1]->seen, (std::vector<std::string>{"completed", "completed", "completed"}));
  EXPECT_EQ(tasks[100]->seen, (std::vector<std::string>{"unlisted", "unlisted", "unlisted"}));
}

TEST(ScanListings, ScannersAreListedSeparately) {
  asio::io_context io;
  auto first = std::make_shared<ListingScanner>();
  auto second = std::make_shared<ListingScanner>();
  first->scans = {scan(7, "running")};
  second->scans = {scan(7, "pending")};
  ScanListings listings(io.get_executor(), milliseconds(1));
  Task on_first(io, 7), on_second(io, 7);
  start_following(io, listings, first, on_first, 2);
  start_following(io, listings, second, on_second, 2);
  io.run();

  EXPECT_EQ(first->listed_at.size(), 2u);
  EXPECT_EQ(second->listed_at.size(), 2u);
  EXPECT_EQ(on_first.seen, (std::vector<std::string>{"running", "running"}));
  EXPECT_EQ(on_second.seen, (std::vector<std::string>{"pending", "pending"}));
}

TEST(ScanListings, AnInterruptedWaitEndsAtOnceAndLeavesTheOthers) {
  asio::io_context io;
  auto scanner = std::make_shared<ListingScanner>();
  scanner->scans = {scan(1, "running"), scan(2, "running")};
  ScanListings listings(io.get_executor(), milliseconds(200));
  Task interrupted(io, 1), waiting(io, 2);
  start_following(io, listings, scanner, interrupted, 1);
  start_following(io, listings, scanner, waiting, 1);
  // The first listing goes out at once; the second round waits out the interval.
  io.run_for(milliseconds(50));
  io.restart();
  start_following(io, listings, scanner, interrupted, 1);
  start_following(io, listings, scanner, waiting, 1);
  io.run_for(milliseconds(20));
  interrupted.wake.set();  // as a hand-back does
  io.restart();
  io.run();

  EXPECT_EQ(interrupted.seen, (std::vector<std::string>{"running", "interrupted"}));
  EXPECT_EQ(waiting.seen, (std::vector<std::string>{"running", "running"}));
  EXPECT_EQ(scanner->listed_at.size(), 2u);
}

TEST(ScanListings, AFailedListingReachesEveryWaiter) {
  asio::io_context io;
  auto scanner = std::make_shared<ListingScanner>();
  scanner->failing = true;
  ScanListings listings(io.get_executor(), milliseconds(1));
  Task one(io, 1), two(io, 2);
  start_following(io, listings, scanner, one, 1);
  start_following(io, listings, scanner, two, 1);
  io.run();

  EXPECT_EQ(scanner->listed_at.size(), 1u);
  EXPECT_EQ(one.seen, (std::vector<std::string>{"error: list scans: connection refused"}));
  EXPECT_EQ(two.seen, one.seen);
}

}  // namespace
}  // namespace sw::worker
