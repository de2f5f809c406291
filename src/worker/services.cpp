// Worker settings derived from the environment.
#include "worker/services.hpp"

#include <algorithm>

namespace sw::worker {

std::chrono::milliseconds to_millis(config::Seconds seconds) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(seconds);
}

WorkerSettings make_settings(const config::Environment& env) {
  WorkerSettings settings;
  settings.env = env;
  settings.poll_interval = std::max(std::chrono::milliseconds(10), to_millis(env.poll_interval));
  settings.lease_ttl = std::max(std::chrono::milliseconds(3000), 3 * to_millis(env.heartbeat_ttl));
  settings.lease_retry =
      std::clamp(settings.poll_interval, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  settings.fetch_block =
      std::clamp(settings.poll_interval, std::chrono::milliseconds(100), std::chrono::milliseconds(1000));
  settings.claim_ttl = std::max(settings.claim_ttl, 2 * to_millis(env.scan_timeout));
  return settings;
}

}  // namespace sw::worker
