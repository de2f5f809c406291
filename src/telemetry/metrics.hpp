// The worker's Prometheus metrics (docs/contracts.md#metrics): the seed's names plus capacity,
// utilisation, validation failures by reason, task durations and outcomes, Nessus API
// requests and latency, recoveries and TTL deletions. Thread-safe; label values never
// carry secrets (they are pool names, scanner ids, outcomes, endpoints and codes).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace sw::telemetry {

class Metrics {
 public:
  Metrics();

  // Prometheus text exposition format.
  std::string serialize() const;

  // Gauges refreshed from Redis and the configuration.
  void set_queue_depth(const std::string& pool, double depth);
  void set_dlq_depth(const std::string& pool, double depth);
  void set_scanner_load(const std::string& pool, const std::string& scanner, double active, double capacity);
  void set_pool_load(const std::string& pool, double active, double capacity);
  void set_in_flight(const std::string& pool, double tasks);

  // Events.
  void task_finished(const std::string& pool, const std::string& outcome, double duration_seconds);
  void validation_result(const std::string& pool, bool valid, const std::string& failure_reason);
  void auth_failure(const std::string& pool, const std::string& scan_type);
  void task_recovered(const std::string& pool);
  void task_dead_lettered(const std::string& pool, const std::string& reason_kind);
  void ttl_deleted(const std::string& status, double count, double bytes);
  void nessus_scan_deleted(const std::string& scanner, const std::string& reason);
  void api_request(const std::string& scanner, const std::string& endpoint, int code, double seconds);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& queue_depth_;
  prometheus::Family<prometheus::Gauge>& dlq_depth_;
  prometheus::Family<prometheus::Gauge>& scanner_active_;
  prometheus::Family<prometheus::Gauge>& scanner_capacity_;
  prometheus::Family<prometheus::Gauge>& scanner_utilisation_;
  prometheus::Family<prometheus::Gauge>& pool_active_;
  prometheus::Family<prometheus::Gauge>& pool_capacity_;
  prometheus::Family<prometheus::Gauge>& pool_utilisation_;
  prometheus::Family<prometheus::Gauge>& in_flight_;
  prometheus::Family<prometheus::Counter>& validation_results_;
  prometheus::Family<prometheus::Counter>& validation_failures_;
  prometheus::Family<prometheus::Counter>& auth_failures_;
  prometheus::Family<prometheus::Counter>& tasks_finished_;
  prometheus::Family<prometheus::Histogram>& task_duration_;
  prometheus::Family<prometheus::Counter>& tasks_recovered_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Family<prometheus::Counter>& ttl_deletions_;
  prometheus::Family<prometheus::Counter>& ttl_bytes_;
  prometheus::Family<prometheus::Counter>& nessus_deletions_;
  prometheus::Family<prometheus::Counter>& api_requests_;
  prometheus::Family<prometheus::Histogram>& api_latency_;
};

}  // namespace sw::telemetry
