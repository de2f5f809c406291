// Event: see event.hpp.
#include "coro/event.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sw::coro {

namespace asio = boost::asio;

Event::Event(asio::any_io_executor executor) : executor_(std::move(executor)) {}

void Event::set() {
  set_ = true;
  for (auto* timer : waiters_) timer->cancel();
}

asio::awaitable<void> Event::wait() { co_await wait_until(Clock::time_point::max()); }

asio::awaitable<bool> Event::wait_for(Clock::duration timeout) {
  const auto now = Clock::now();
  const auto deadline = timeout >= Clock::time_point::max() - now ? Clock::time_point::max() : now + timeout;
  co_return co_await wait_until(deadline);
}

asio::awaitable<bool> Event::wait_until(Clock::time_point deadline) {
  asio::steady_timer timer(executor_, deadline);
  const auto registered = waiters_.insert(waiters_.end(), &timer);
  struct Unregister {  // also when the waiting coroutine is destroyed
    std::list<asio::steady_timer*>& waiters;
    std::list<asio::steady_timer*>::iterator entry;
    ~Unregister() { waiters.erase(entry); }
  } unregister{waiters_, registered};
  while (!set_ && Clock::now() < deadline) {
    const auto [error] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!error) break;  // the deadline passed
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) break;  // the caller was cancelled
  }
  co_return set_;
}

}  // namespace sw::coro
