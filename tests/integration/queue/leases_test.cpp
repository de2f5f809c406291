// Integration tests of CapacityLeases against a real redis-server: limits, choice of the
// least-utilised scanner, pinning, renewal, expiry and idempotent release.
#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"
#include "queue/capacity_leases.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace sw::queue {
namespace {

using namespace std::chrono_literals;

class LeasesTest : public ::testing::Test {
 protected:
  CapacityLeases make_leases() const { return CapacityLeases(RedisOptions{.url = redis_.url()}); }

  testing::RedisServer redis_;
  const std::vector<ScannerSlot> slots_{{"s1", 2}, {"s2", 2}};
};

TEST_F(LeasesTest, NeverMoreThanTheLimitAndSpreadsTheLoad) {
  CapacityLeases leases = make_leases();
  std::map<std::string, int> per_scanner;
  for (int i = 0; i < 4; ++i) {
    const auto scanner = leases.acquire("nessus", slots_, "t" + std::to_string(i), 60s, std::nullopt);
    ASSERT_TRUE(scanner);
    ++per_scanner[*scanner];
    // Least utilised first: after each pair both scanners carry the same load.
    if (i % 2 == 1) {
      EXPECT_EQ(per_scanner["s1"], per_scanner["s2"]);
    }
  }
  EXPECT_FALSE(leases.acquire("nessus", slots_, "t4", 60s, std::nullopt));
  const auto load = leases.load("nessus", slots_);
  ASSERT_EQ(load.size(), 2u);
  EXPECT_EQ(load[0].active, 2);
  EXPECT_EQ(load[0].limit, 2);
  EXPECT_EQ(load[1].active, 2);
  const auto pool = leases.pool_load("nessus", slots_);
  EXPECT_EQ(pool.active, 4);
  EXPECT_EQ(pool.capacity, 4);
  EXPECT_EQ(pool.available, 0);
  EXPECT_DOUBLE_EQ(pool.utilisation(), 1.0);

  leases.release("nessus", "s2", "t1");
  leases.release("nessus", "s2", "t1");
  leases.release("nessus", "s1", "t1");  // idempotent, and a lease on another scanner is untouched
  const auto total = [&] {
    int sum = 0;
    for (const auto& item : leases.load("nessus", slots_)) {
      sum += item.active;
    }
    return sum;
  };
  EXPECT_EQ(total(), 3);
  EXPECT_TRUE(leases.acquire("nessus", slots_, "t4", 60s, std::nullopt));
  EXPECT_EQ(total(), 4);
}

TEST_F(LeasesTest, TiesGoToTheLeastRecentlyUsedScanner) {
  CapacityLeases leases = make_leases();
  const auto first = leases.acquire("nessus", slots_, "a", 60s, std::nullopt);
  ASSERT_TRUE(first);
  leases.release("nessus", *first, "a");
  const auto second = leases.acquire("nessus", slots_, "b", 60s, std::nullopt);
  ASSERT_TRUE(second);
  EXPECT_NE(*first, *second);
}

TEST_F(LeasesTest, PinnedTasksUseOnlyTheirScanner) {
  CapacityLeases leases = make_leases();
  EXPECT_EQ(leases.acquire("nessus", slots_, "p1", 60s, "s2"), "s2");
  EXPECT_EQ(leases.acquire("nessus", slots_, "p2", 60s, "s2"), "s2");
  EXPECT_FALSE(leases.acquire("nessus", slots_, "p3", 60s, "s2"));
  EXPECT_EQ(leases.acquire("nessus", slots_, "free", 60s, std::nullopt), "s1");
  EXPECT_THROW(leases.acquire("nessus", slots_, "p4", 60s, "nope"), core::Error);
}

TEST_F(LeasesTest, ReacquiringRenewsTheTasksOwnLease) {
  CapacityLeases leases = make_leases();
  const std::vector<ScannerSlot> one{{"s1", 1}};
  EXPECT_EQ(leases.acquire("nessus", one, "t1", 60s, std::nullopt), "s1");
  EXPECT_EQ(leases.acquire("nessus", one, "t1", 60s, std::nullopt), "s1");  // re-attach after a crash
  EXPECT_FALSE(leases.acquire("nessus", one, "t2", 60s, std::nullopt));
  EXPECT_EQ(leases.renew({{"nessus", "s1", "t1"}, {"nessus", "s1", "t2"}}, 60s), (std::vector<bool>{true, false}));
  EXPECT_TRUE(leases.renew({}, 60s).empty());
}

TEST_F(LeasesTest, ExpiredLeasesComeBackOnTheirOwn) {
  CapacityLeases leases = make_leases();
  const std::vector<ScannerSlot> one{{"s1", 1}};
  ASSERT_EQ(leases.acquire("nessus", one, "dead-worker-task", 150ms, std::nullopt), "s1");
  EXPECT_FALSE(leases.acquire("nessus", one, "t2", 60s, std::nullopt));
  ASSERT_TRUE(testing::eventually([&] { return leases.load("nessus", one)[0].active == 0; }, 5s));
  EXPECT_EQ(leases.renew({{"nessus", "s1", "dead-worker-task"}}, 60s), std::vector<bool>{false});
  EXPECT_EQ(leases.acquire("nessus", one, "t2", 60s, std::nullopt), "s1");
}

TEST_F(LeasesTest, ScannersWithoutRoomOrLimitTakeNothing) {
  CapacityLeases leases = make_leases();
  EXPECT_FALSE(leases.acquire("nessus", {}, "t1", 60s, std::nullopt));
  EXPECT_FALSE(leases.acquire("nessus", {{"s0", 0}}, "t1", 60s, std::nullopt));
  EXPECT_TRUE(leases.load("nessus", {}).empty());
}

TEST_F(LeasesTest, ConcurrentAcquirersNeverExceedTheLimit) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::string> granted;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CapacityLeases leases = make_leases();
      for (int i = 0; i < 10; ++i) {
        const std::string task = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (const auto scanner = leases.acquire("nessus", slots_, task, 60s, std::nullopt)) {
          std::lock_guard lock(mutex);
          granted.push_back(*scanner);
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(granted.size(), 4u);
  EXPECT_EQ(std::count(granted.begin(), granted.end(), "s1"), 2);
  EXPECT_EQ(std::count(granted.begin(), granted.end(), "s2"), 2);
}

}  // namespace
}  // namespace sw::queue
