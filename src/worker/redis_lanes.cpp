// Redis lanes: threads that own blocking Redis connections.
#include "worker/redis_lanes.hpp"

namespace sw::worker {

RedisLane::RedisLane(queue::RedisOptions options, queue::QueueSettings settings)
    : options_(std::move(options)),
      settings_(std::move(settings)),
      work_(boost::asio::make_work_guard(context_)),
      thread_([this] { context_.run(); }) {}

RedisLane::~RedisLane() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

queue::TaskQueue& RedisLane::task_queue() {
  if (!queue_) {
    queue_ = std::make_unique<queue::TaskQueue>(options_, settings_);
  }
  return *queue_;
}

queue::CapacityLeases& RedisLane::leases() {
  if (!leases_) {
    leases_ = std::make_unique<queue::CapacityLeases>(options_);
  }
  return *leases_;
}

RedisLanes::RedisLanes(const queue::RedisOptions& options, const queue::QueueSettings& settings, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    lanes_.push_back(std::make_unique<RedisLane>(options, settings));
  }
}

}  // namespace sw::worker
