// The cache of rendered result pages: hits, least-recently-used eviction, one computation
// for concurrent callers, failures not kept.
#include "mcp/results_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sw::mcp {
namespace {

TEST(ResultsCache, KeepsTextsAndEvictsTheLeastRecentlyUsed) {
  ResultsCache cache(40);
  int computed = 0;
  const auto text = [&computed](char c) {
    return [&computed, c] {
      ++computed;
      return std::string(10, c);
    };
  };
  EXPECT_EQ(cache.get_or_compute("a", text('a')), std::string(10, 'a'));
  EXPECT_EQ(cache.get_or_compute("a", text('x')), std::string(10, 'a'));
  EXPECT_EQ(computed, 1);
  cache.get_or_compute("b", text('b'));
  cache.get_or_compute("c", text('c'));
  cache.get_or_compute("a", text('x'));  // a is now the most recent
  cache.get_or_compute("d", text('d'));
  cache.get_or_compute("e", text('e'));  // evicts b, the least recently used
  EXPECT_EQ(cache.entries(), 4u);
  EXPECT_EQ(cache.bytes(), 40u);
  computed = 0;
  cache.get_or_compute("a", text('x'));
  EXPECT_EQ(computed, 0);
  cache.get_or_compute("b", text('b'));
  EXPECT_EQ(computed, 1);
  EXPECT_EQ(cache.get_or_compute("big", [] { return std::string(11, 'z'); }).size(), 11u);
  EXPECT_LE(cache.bytes(), 40u);
}

TEST(ResultsCache, ConcurrentCallersShareOneComputation) {
  ResultsCache cache(1 << 20);
  std::atomic<int> computed{0};
  std::vector<std::thread> threads;
  std::vector<std::string> answers(8);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      answers[i] = cache.get_or_compute("page", [&computed] {
        ++computed;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return std::string("text");
      });
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(computed.load(), 1);
  for (const auto& answer : answers) EXPECT_EQ(answer, "text");
}

TEST(ResultsCache, FailuresAreNotKept) {
  ResultsCache cache(1 << 20);
  EXPECT_THROW(cache.get_or_compute("k", []() -> std::string { throw std::runtime_error("bad export"); }),
               std::runtime_error);
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.get_or_compute("k", [] { return std::string("ok"); }), "ok");
}

}  // namespace
}  // namespace sw::mcp
