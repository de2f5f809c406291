// What a tool call works with: the task store, the Redis clients (queue, capacity leases,
// idempotency keys), the shared read-only configuration (scanners.yaml, the credentials
// file, the limits) and the shared cache of result pages. One Backend per thread: its Redis connections are not shared.
#pragma once

#include <memory>

#include "config/scanners.hpp"
#include "mcp/credentials.hpp"
#include "mcp/results_cache.hpp"
#include "mcp/settings.hpp"
#include "queue/capacity_leases.hpp"
#include "queue/idempotency.hpp"
#include "queue/redis_connection.hpp"
#include "queue/task_queue.hpp"
#include "store/task_store.hpp"

namespace sw::mcp {

// Loaded once at start, shared by every Backend (the cache is the one thing they change).
struct SharedConfig {
  McpSettings settings;
  queue::RedisOptions redis;
  config::ScannersConfig scanners;
  CredentialStore credentials;
  std::shared_ptr<ResultsCache> results_cache = std::make_shared<ResultsCache>(settings.results_cache_bytes);
};

class Backend {
 public:
  // Connects lazily: nothing touches Redis before the first call that needs it.
  explicit Backend(std::shared_ptr<const SharedConfig> config);

  const SharedConfig& config() const { return *config_; }
  const McpSettings& settings() const { return config_->settings; }
  const config::ScannersConfig& scanners() const { return config_->scanners; }
  ResultsCache& results_cache() const { return *config_->results_cache; }
  store::TaskStore& store() { return store_; }
  queue::TaskQueue& queue() { return queue_; }
  queue::CapacityLeases& leases() { return leases_; }
  queue::IdempotencyKeys& idempotency_keys() { return keys_; }

  // PING; throws core::Error when Redis does not answer.
  void ping();

 private:
  std::shared_ptr<const SharedConfig> config_;
  store::TaskStore store_;
  queue::TaskQueue queue_;
  queue::CapacityLeases leases_;
  queue::IdempotencyKeys keys_;
  queue::RedisConnection redis_;
};

}  // namespace sw::mcp
