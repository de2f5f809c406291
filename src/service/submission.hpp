// Submitting a scan as the Python MCP server did (docs/contracts.md#the-task-message): the
// task message is built and checked with the worker's own parser, task.json is written
// (status queued, secrets masked), then the message is LPUSHed to {pool}:queue. With an
// idempotency key, a repeat with the same parameters returns the first task and a repeat
// with other parameters is refused (queue::IdempotencyKeys).
//
// Thread-safety: none; one Submitter (and its connections) per thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/scanners.hpp"
#include "queue/idempotency.hpp"
#include "queue/task_queue.hpp"
#include "store/task_store.hpp"

namespace sw::service {

struct ScanRequest {
  std::string scan_type = "untrusted";  // untrusted | authenticated | authenticated_privileged
  std::string pool = "nessus";
  std::optional<std::string> scanner;  // pinned instance; nullopt: the least loaded
  std::string targets;
  std::string name;  // empty: the task id
  std::string description;
  std::string schema_profile = "brief";
  nlohmann::json credentials = nullptr;  // for authenticated scan types: the SSH credentials object
};

// The message without the generated ids: what an idempotency key's fingerprint covers
// (secrets are masked before hashing, so the fingerprint holds none).
nlohmann::json request_parameters(const ScanRequest& request);

// Throws core::Error(bad_input) naming the configured pools when `pool` is not one of them,
// or the pool's scanners when `scanner` is not an enabled scanner of it.
void check_pool(const config::ScannersConfig& scanners, const std::string& pool,
                const std::optional<std::string>& scanner);

struct Submission {
  std::string task_id;
  std::string trace_id;
  std::string status;     // "queued" for a new task; the first task's status for a repeat
  bool existing = false;  // an idempotent repeat: nothing was queued
  std::string pool;
  std::optional<std::string> scanner_instance_id;
  long long queue_position = 0;  // the queue's length after the push (0 for a repeat)
};

class Submitter {
 public:
  // `keys` may be null when no idempotency key is ever given.
  Submitter(store::TaskStore& store, queue::TaskQueue& queue, queue::IdempotencyKeys* keys);

  // Throws core::Error(bad_input) for a request the worker would refuse,
  // core::Error(conflict) when `idempotency_key` names a task submitted with other
  // parameters (the message names that task), and the Redis or store errors as they come
  // (task.json then records "could not be queued" and the key is released).
  Submission submit(const ScanRequest& request, const std::string& idempotency_key = {});

 private:
  store::TaskStore& store_;
  queue::TaskQueue& queue_;
  queue::IdempotencyKeys* keys_;
};

}  // namespace sw::service
