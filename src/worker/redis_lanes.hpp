// Blocking Redis work off the event loop: a fixed set of lanes, each one thread with its
// own Redis connections (TaskQueue and CapacityLeases are one-per-thread objects). A
// coroutine awaits run(...) and resumes on its own executor; the thread count is fixed
// whatever the number of scans.
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

#include <string>

#include "core/errors.hpp"
#include "queue/capacity_leases.hpp"
#include "queue/task_queue.hpp"

namespace sw::worker {

class RedisLane {
 public:
  RedisLane(queue::RedisOptions options, queue::QueueSettings settings);
  ~RedisLane();
  RedisLane(const RedisLane&) = delete;
  RedisLane& operator=(const RedisLane&) = delete;

  // Runs f(TaskQueue&, CapacityLeases&) on this lane's thread. core::Error from Redis
  // comes back as core::Error(redis): never a reason to fail a task; the worker waits and
  // retries (a task's steps are safe to repeat). Other exceptions propagate as they are.
  template <typename F>
  auto run(F f) -> boost::asio::awaitable<std::invoke_result_t<F, queue::TaskQueue&, queue::CapacityLeases&>> {
    using Result = std::invoke_result_t<F, queue::TaskQueue&, queue::CapacityLeases&>;
    // The work and the awaitable are named locals: GCC 12 destroys temporaries of a
    // co_await full-expression twice.
    auto work = [this, &f]() -> boost::asio::awaitable<Result> {
      try {
        co_return f(task_queue(), leases());
      } catch (const core::Error& e) {
        throw core::Error(core::ErrorKind::redis, std::string("redis: ") + e.what());
      }
    };
    auto spawned = boost::asio::co_spawn(context_, std::move(work), boost::asio::use_awaitable);
    co_return co_await std::move(spawned);
  }

 private:
  queue::TaskQueue& task_queue();
  queue::CapacityLeases& leases();

  queue::RedisOptions options_;
  queue::QueueSettings settings_;
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<queue::TaskQueue> queue_;  // created on the lane's thread
  std::unique_ptr<queue::CapacityLeases> leases_;
  std::thread thread_;
};

// Lanes shared round-robin by short Redis calls.
class RedisLanes {
 public:
  RedisLanes(const queue::RedisOptions& options, const queue::QueueSettings& settings, std::size_t count);

  template <typename F>
  auto run(F f) {
    const std::size_t index = next_.fetch_add(1, std::memory_order_relaxed) % lanes_.size();
    return lanes_[index]->run(std::move(f));
  }

 private:
  std::vector<std::unique_ptr<RedisLane>> lanes_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace sw::worker
