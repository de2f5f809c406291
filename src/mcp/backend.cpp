// A tool call's store and Redis clients.
#include "mcp/backend.hpp"

#include <unistd.h>

#include <string>

namespace sw::mcp {

Backend::Backend(std::shared_ptr<const SharedConfig> config)
    : config_(std::move(config)),
      store_(config_->settings.environment.data_dir),
      // An admin client: it never fetches, so it never registers as a worker.
      queue_(config_->redis, queue::QueueSettings{"scanner-mcp-" + std::to_string(getpid()), {}, 3}),
      leases_(config_->redis),
      keys_(config_->redis, config_->settings.idempotency_ttl),
      redis_(config_->redis) {}

void Backend::ping() { redis_.command({"PING"}); }

}  // namespace sw::mcp
