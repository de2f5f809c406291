// An awaitable event for coroutines on one executor: set() wakes every waiter, and waits
// that start later return at once until reset(). It replaces the "timer that never expires,
// cancelled to wake someone" idiom. Not thread-safe: use it on its executor's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>

namespace sw::coro {

class Event {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Event(boost::asio::any_io_executor executor);
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Wakes every waiter; later waits return at once until reset().
  void set();
  void reset() { set_ = false; }
  bool is_set() const { return set_; }

  // Until set() (or the caller's cancellation: then it returns with the event still unset).
  boost::asio::awaitable<void> wait();
  // Until set() or `deadline`; true when the event is set.
  boost::asio::awaitable<bool> wait_until(Clock::time_point deadline);
  boost::asio::awaitable<bool> wait_for(Clock::duration timeout);

 private:
  boost::asio::any_io_executor executor_;
  bool set_ = false;
  std::list<boost::asio::steady_timer*> waiters_;  // each wait's own timer, cancelled by set()
};

}  // namespace sw::coro
