// TaskGroup: join waits for every child, cancel reaches what the children await, an error
// that escapes a child is logged with its context and does not stop the others.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "coro/task_group.hpp"
#include "telemetry/testing/captured_log.hpp"

namespace sw::coro {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> sleep_then(std::chrono::milliseconds duration, int& done) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  ++done;
}

asio::awaitable<void> wait_then_count(Event& event, int& ended) {
  co_await event.wait();
  ++ended;
}

asio::awaitable<void> fail_with(std::string message) {
  throw std::runtime_error(message);
  co_return;
}

TEST(TaskGroup, JoinWaitsForEveryChild) {
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test child");
  int done = 0;
  bool joined = false;
  group.spawn(sleep_then(10ms, done));
  group.spawn(sleep_then(30ms, done));
  EXPECT_EQ(group.size(), 2u);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await group.join();
        joined = done == 2;
      },
      asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(joined);
  EXPECT_EQ(group.size(), 0u);
}

TEST(TaskGroup, JoinUntilGivesUpAtTheDeadline) {
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test child");
  int done = 0;
  std::optional<bool> all_ended;
  group.spawn(sleep_then(10s, done));
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        all_ended = co_await group.join_until(Event::Clock::now() + 20ms);
        group.cancel();
        co_await group.join();
      },
      asio::detached);
  io.run_for(5s);
  ASSERT_TRUE(all_ended);
  EXPECT_FALSE(*all_ended);
  EXPECT_EQ(group.size(), 0u);
}

TEST(TaskGroup, CancelEndsWhatChildrenAwait) {
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test child");
  Event never(io.get_executor());
  int ended = 0;
  for (int i = 0; i < 3; ++i) {
    group.spawn(wait_then_count(never, ended));
  }
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        group.cancel();
        co_await group.join();
      },
      asio::detached);
  io.run_for(5s);
  EXPECT_EQ(ended, 3);
}

TEST(TaskGroup, AnEscapedErrorIsLoggedWithItsContext) {
  telemetry::testing::CapturedLog log;
  asio::io_context io;
  TaskGroup group(io.get_executor(), "test child");
  int done = 0;
  group.spawn(fail_with("boom"), [] { return nlohmann::json{{"task_id", "t1"}}; });
  group.spawn(sleep_then(10ms, done));
  io.run_for(5s);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(group.size(), 0u);
  EXPECT_NE(log.text().find("test child ended with an unexpected error"), std::string::npos);
  EXPECT_NE(log.text().find("boom"), std::string::npos);
  EXPECT_NE(log.text().find("t1"), std::string::npos);
}

}  // namespace
}  // namespace sw::coro
