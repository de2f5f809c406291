// Redis key names of the queue module, in one place (documented in src/queue/KEYS.md).
// `{pool}:queue` and `{pool}:queue:dead` are shared with the Python worker; every key of
// our own starts with "sw:".
#pragma once

#include <string>

namespace sw::queue::keys {

std::string queue(const std::string& pool);                                    // {pool}:queue
std::string dead_letters(const std::string& pool);                             // {pool}:queue:dead
std::string in_flight(const std::string& pool, const std::string& worker_id);  // sw:inflight:{pool}:{worker}
std::string deliveries(const std::string& pool);                               // sw:deliveries:{pool}
std::string workers();                                                         // sw:workers
std::string heartbeat(const std::string& worker_id);                           // sw:worker:{worker}:alive
std::string worker_pools(const std::string& worker_id);                        // sw:worker:{worker}:pools
std::string scan_record(const std::string& task_id);                           // sw:scan:{task_id}
std::string task_claim(const std::string& task_id);                            // sw:claim:{task_id}
std::string leases(const std::string& pool, const std::string& instance_id);   // sw:lease:{pool}:{instance}
std::string lease_last_used(const std::string& pool);                          // sw:lease-used:{pool}
std::string cancel_requests();                                                 // sw:cancel-requests
std::string scanner_health(const std::string& pool,
                           const std::string& instance_id);              // sw:scanner-health:{pool}:{instance}
std::string finished(const std::string& pool, const std::string& hour);  // sw:finished:{pool}:{YYYYMMDDHH}

}  // namespace sw::queue::keys
