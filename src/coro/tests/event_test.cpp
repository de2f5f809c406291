// Event: waking, waits after set(), timeouts, reset and cancellation of the waiter.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "coro/event.hpp"

namespace sw::coro {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(Event, SetWakesEveryWaiter) {
  asio::io_context io;
  Event event(io.get_executor());
  int woken = 0;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          co_await event.wait();
          ++woken;
        },
        asio::detached);
  }
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await asio::post(io, asio::use_awaitable);
        EXPECT_EQ(woken, 0);
        event.set();
        co_return;
      },
      asio::detached);
  io.run_for(5s);
  EXPECT_EQ(woken, 3);
}

TEST(Event, WaitAfterSetReturnsAtOnceUntilReset) {
  asio::io_context io;
  Event event(io.get_executor());
  event.set();
  bool first = false, second = true;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        first = co_await event.wait_for(10s);
        event.reset();
        second = co_await event.wait_for(20ms);
      },
      asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  EXPECT_FALSE(event.is_set());
}

TEST(Event, TimeoutWithoutSet) {
  asio::io_context io;
  Event event(io.get_executor());
  std::optional<bool> result;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await event.wait_for(10ms); }, asio::detached);
  io.run_for(5s);
  ASSERT_TRUE(result);
  EXPECT_FALSE(*result);
}

TEST(Event, CancelledWaiterReturnsUnset) {
  asio::io_context io;
  Event event(io.get_executor());
  asio::cancellation_signal cancel;
  bool returned = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await event.wait();
        returned = true;
      },
      asio::bind_cancellation_slot(cancel.slot(), asio::detached));
  asio::post(io, [&] { cancel.emit(asio::cancellation_type::terminal); });
  io.run_for(5s);
  EXPECT_TRUE(returned);
  EXPECT_FALSE(event.is_set());
}

}  // namespace
}  // namespace sw::coro
