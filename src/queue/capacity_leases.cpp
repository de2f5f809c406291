// Scanner capacity leases over Redis sorted sets (member: task id, score: expiry in ms).
#include "queue/capacity_leases.hpp"

#include <algorithm>

#include "core/errors.hpp"
#include "queue/keys.hpp"
#include "queue/scripts.hpp"

namespace sw::queue {

std::vector<ScannerSlot> scanner_slots(const config::PoolConfig& pool) {
  std::vector<ScannerSlot> slots;
  for (const auto& scanner : pool.scanners) {
    if (scanner.enabled) {
      slots.push_back(ScannerSlot{scanner.instance_id, scanner.max_concurrent_scans});
    }
  }
  return slots;
}

CapacityLeases::CapacityLeases(RedisOptions options) : redis_(std::move(options)) {}

std::optional<std::string> CapacityLeases::acquire(const std::string& pool, const std::vector<ScannerSlot>& slots,
                                                   const std::string& task_id, std::chrono::milliseconds ttl,
                                                   std::optional<std::string> pinned) {
  std::vector<ScannerSlot> candidates;
  if (pinned) {
    const auto it =
        std::find_if(slots.begin(), slots.end(), [&](const ScannerSlot& slot) { return slot.instance_id == *pinned; });
    if (it == slots.end()) {
      throw core::Error(core::ErrorKind::bad_input,
                        "scanner '" + *pinned + "' is not an enabled scanner of pool '" + pool + "'");
    }
    candidates.push_back(*it);
  } else {
    candidates = slots;
  }
  std::erase_if(candidates, [](const ScannerSlot& slot) { return slot.limit <= 0; });
  if (candidates.empty()) {
    return std::nullopt;
  }
  std::vector<std::string> script_keys{keys::lease_last_used(pool)};
  std::vector<std::string> args{task_id, std::to_string(ttl.count())};
  for (const auto& slot : candidates) {
    script_keys.push_back(keys::leases(pool, slot.instance_id));
    args.push_back(slot.instance_id);
    args.push_back(std::to_string(slot.limit));
  }
  const RedisValue chosen = redis_.eval(scripts::acquire_lease(), script_keys, args);
  if (chosen.is_nil()) {
    return std::nullopt;
  }
  return chosen.as_string();
}

std::vector<bool> CapacityLeases::renew(const std::vector<HeldLease>& leases, std::chrono::milliseconds ttl) {
  std::vector<bool> renewed;
  if (leases.empty()) return renewed;
  std::vector<std::string> script_keys;
  std::vector<std::string> args{std::to_string(ttl.count())};
  for (const auto& lease : leases) {
    script_keys.push_back(keys::leases(lease.pool, lease.instance_id));
    args.push_back(lease.task_id);
  }
  const RedisValue reply = redis_.eval(scripts::renew_leases(), script_keys, args);
  if (reply.elements.size() != leases.size()) {
    throw core::Error(core::ErrorKind::internal, "queue: unexpected reply of renew_leases");
  }
  for (const auto& element : reply.elements) renewed.push_back(element.as_integer() == 1);
  return renewed;
}

void CapacityLeases::release(const std::string& pool, const std::string& instance_id, const std::string& task_id) {
  redis_.command({"ZREM", keys::leases(pool, instance_id), task_id});
}

std::vector<ScannerLoad> CapacityLeases::load(const std::string& pool, const std::vector<ScannerSlot>& slots) {
  std::vector<ScannerLoad> loads;
  if (slots.empty()) {
    return loads;
  }
  std::vector<std::string> script_keys;
  for (const auto& slot : slots) {
    script_keys.push_back(keys::leases(pool, slot.instance_id));
  }
  const RedisValue counts = redis_.eval(scripts::count_leases(), script_keys, {});
  for (std::size_t i = 0; i < slots.size(); ++i) {
    loads.push_back(
        ScannerLoad{slots[i].instance_id, static_cast<int>(counts.elements.at(i).as_integer()), slots[i].limit});
  }
  return loads;
}

PoolLoad CapacityLeases::pool_load(const std::string& pool, const std::vector<ScannerSlot>& slots) {
  PoolLoad summary;
  summary.pool = pool;
  summary.scanners = load(pool, slots);
  for (const auto& scanner : summary.scanners) {
    summary.active += scanner.active;
    summary.capacity += std::max(scanner.limit, 0);
    summary.available += scanner.available();
  }
  return summary;
}

}  // namespace sw::queue
