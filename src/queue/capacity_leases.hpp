// Cluster-wide scanner capacity: a lease per running scan, held in Redis with an expiry
// on the server's clock, so that a scanner never runs more scans than its limit counted
// over every worker on every host, and a dead worker's leases come back on their own.
// Key names: src/queue/KEYS.md.
//
// Thread-safety: none. One object (and Redis connection) per thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/scanners.hpp"
#include "queue/redis_connection.hpp"

namespace sw::queue {

struct ScannerSlot {
  std::string instance_id;
  int limit = 2;  // max_concurrent_scans; 0 or less takes no leases
};

// The enabled scanners of a configured pool with their max_concurrent_scans.
std::vector<ScannerSlot> scanner_slots(const config::PoolConfig& pool);

struct ScannerLoad {
  std::string instance_id;
  int active = 0;  // unexpired leases
  int limit = 0;

  int available() const { return active < limit ? limit - active : 0; }
  double utilisation() const { return limit > 0 ? static_cast<double>(active) / limit : 0.0; }
};

// A pool's scanners together (metrics, `scanctl scanners`, "is there room to fetch?").
struct PoolLoad {
  std::string pool;
  std::vector<ScannerLoad> scanners;
  int active = 0;
  int capacity = 0;   // sum of limits
  int available = 0;  // sum of free slots

  double utilisation() const { return capacity > 0 ? static_cast<double>(active) / capacity : 0.0; }
};

// A lease as its task holds it.
struct HeldLease {
  std::string pool;
  std::string instance_id;
  std::string task_id;
};

class CapacityLeases {
 public:
  explicit CapacityLeases(RedisOptions options);

  // Atomically takes a lease for task_id on the pinned scanner (when given; it must be
  // one of `slots`, else core::Error(bad_input)) or on the least-utilised scanner of
  // `slots` (ties: least recently leased), never exceeding its limit; expired leases do
  // not count. A lease the task already holds on one of the candidates is renewed and
  // that scanner returned (re-attach after a crash). nullopt when none has room.
  std::optional<std::string> acquire(const std::string& pool, const std::vector<ScannerSlot>& slots,
                                     const std::string& task_id, std::chrono::milliseconds ttl,
                                     std::optional<std::string> pinned);
  // Extends every unexpired lease of `leases` in one call; per lease, in order, false when
  // it had expired (the scanner's room may be gone: acquire again).
  std::vector<bool> renew(const std::vector<HeldLease>& leases, std::chrono::milliseconds ttl);
  // Idempotent.
  void release(const std::string& pool, const std::string& instance_id, const std::string& task_id);
  // Unexpired leases per scanner, in the order of `slots`.
  std::vector<ScannerLoad> load(const std::string& pool, const std::vector<ScannerSlot>& slots);
  // The same summed over the pool.
  PoolLoad pool_load(const std::string& pool, const std::vector<ScannerSlot>& slots);

 private:
  RedisConnection redis_;
};

}  // namespace sw::queue
