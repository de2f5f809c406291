// A task group owns the coroutines it spawns: each gets a cancellation slot, an error that
// escapes one is logged once (with its context), and the owner awaits the group's end
// instead of polling. No coroutine of the worker runs detached. Not thread-safe: use it on
// its executor's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "coro/event.hpp"

namespace sw::coro {

class TaskGroup {
 public:
  // `what` names the group's coroutines in the log line of one that ends with an error.
  TaskGroup(boost::asio::any_io_executor executor, std::string what);
  // Cancels the children still running; they end on their own executor later.
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `work` as a child of the group. `context` gives the log fields of its error line
  // (called only then, so it may report what the child learned while running).
  void spawn(boost::asio::awaitable<void> work, std::function<nlohmann::json()> context = {});

  std::size_t size() const;

  // Terminal cancellation of every running child (what each awaits ends with operation_aborted).
  void cancel();

  // Until no child runs.
  boost::asio::awaitable<void> join();
  // Until no child runs or `deadline`; true when none runs.
  boost::asio::awaitable<bool> join_until(Event::Clock::time_point deadline);

 private:
  struct Child {
    boost::asio::cancellation_signal cancel;
  };
  struct State {
    explicit State(boost::asio::any_io_executor executor) : emptied(std::move(executor)) {}
    std::list<Child> children;
    Event emptied;  // set while no child runs
  };

  boost::asio::any_io_executor executor_;
  std::string what_;
  std::shared_ptr<State> state_;
};

}  // namespace sw::coro
