// Tool calls off the event loop: a fixed set of lanes, each one thread with its own
// Backend (its own Redis connections). A coroutine awaits run(...) and resumes on its own
// executor; a call goes to the lane with the fewest calls in progress, so a long
// get_scan_status wait does not hold up the calls behind it while another lane is free.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "mcp/backend.hpp"

namespace sw::mcp {

class Lanes {
 public:
  Lanes(const std::shared_ptr<const SharedConfig>& config, std::size_t count);
  ~Lanes();
  Lanes(const Lanes&) = delete;
  Lanes& operator=(const Lanes&) = delete;

  // Runs f(Backend&) on a lane's thread; its exceptions propagate to the caller.
  template <typename F>
  auto run(F f) -> boost::asio::awaitable<std::invoke_result_t<F, Backend&>> {
    using Result = std::invoke_result_t<F, Backend&>;
    Lane& lane = least_busy();
    ++lane.busy;
    // The work and the awaitable are named locals: GCC 12 destroys temporaries of a
    // co_await full-expression twice.
    auto work = [&lane, &f]() -> boost::asio::awaitable<Result> {
      const BusyRelease release(lane.busy);
      co_return f(*lane.backend);
    };
    auto spawned = boost::asio::co_spawn(lane.context, std::move(work), boost::asio::use_awaitable);
    co_return co_await std::move(spawned);
  }

 private:
  struct Lane {
    boost::asio::io_context context;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{context.get_executor()};
    std::unique_ptr<Backend> backend;
    std::atomic<int> busy{0};  // calls chosen for this lane and not yet ended
    std::thread thread;
  };
  // Ends a call's count on its lane (counted when the lane was chosen).
  struct BusyRelease {
    explicit BusyRelease(std::atomic<int>& counter) : busy(counter) {}
    ~BusyRelease() { --busy; }
    BusyRelease(const BusyRelease&) = delete;
    BusyRelease& operator=(const BusyRelease&) = delete;
    std::atomic<int>& busy;
  };

  Lane& least_busy();

  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace sw::mcp
