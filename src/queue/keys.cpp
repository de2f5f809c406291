// Redis key names.
#include "queue/keys.hpp"

namespace sw::queue::keys {

std::string queue(const std::string& pool) { return pool + ":queue"; }
std::string dead_letters(const std::string& pool) { return pool + ":queue:dead"; }
std::string in_flight(const std::string& pool, const std::string& worker_id) {
  return "sw:inflight:" + pool + ":" + worker_id;
}
std::string deliveries(const std::string& pool) { return "sw:deliveries:" + pool; }
std::string workers() { return "sw:workers"; }
std::string heartbeat(const std::string& worker_id) { return "sw:worker:" + worker_id + ":alive"; }
std::string worker_pools(const std::string& worker_id) { return "sw:worker:" + worker_id + ":pools"; }
std::string scan_record(const std::string& task_id) { return "sw:scan:" + task_id; }
std::string task_claim(const std::string& task_id) { return "sw:claim:" + task_id; }
std::string cancel_requests() { return "sw:cancel-requests"; }
std::string leases(const std::string& pool, const std::string& instance_id) {
  return "sw:lease:" + pool + ":" + instance_id;
}
std::string lease_last_used(const std::string& pool) { return "sw:lease-used:" + pool; }
std::string scanner_health(const std::string& pool, const std::string& instance_id) {
  return "sw:scanner-health:" + pool + ":" + instance_id;
}
std::string finished(const std::string& pool, const std::string& hour) { return "sw:finished:" + pool + ":" + hour; }

}  // namespace sw::queue::keys
