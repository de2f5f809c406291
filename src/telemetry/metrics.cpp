// Metric families and their updates.
#include "telemetry/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace sw::telemetry {

namespace {

template <typename Builder>
auto& family(Builder builder, prometheus::Registry& registry, const char* name, const char* help) {
  return builder.Name(name).Help(help).Register(registry);
}

const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {1,    5,    15,   30,   60,    120,   300,  600,
                                                                  1200, 1800, 3600, 7200, 14400, 28800, 86400};
  return buckets;
}

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                  0.5,   1,    2.5,   5,    10,  30};
  return buckets;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      queue_depth_(
          family(prometheus::BuildGauge(), *registry_, "nessus_pool_queue_depth", "Tasks waiting in the pool's queue")),
      dlq_depth_(family(prometheus::BuildGauge(), *registry_, "nessus_pool_dlq_depth",
                        "Entries in the pool's dead-letter queue")),
      scanner_active_(family(prometheus::BuildGauge(), *registry_, "nessus_scanner_active_scans",
                             "Scans running on the scanner, over all workers (capacity leases)")),
      scanner_capacity_(family(prometheus::BuildGauge(), *registry_, "nessus_scanner_capacity",
                               "max_concurrent_scans of the scanner")),
      scanner_utilisation_(family(prometheus::BuildGauge(), *registry_, "nessus_scanner_utilization_ratio",
                                  "Active scans divided by capacity")),
      pool_active_(family(prometheus::BuildGauge(), *registry_, "nessus_pool_active_scans",
                          "Scans running in the pool, over all workers")),
      pool_capacity_(
          family(prometheus::BuildGauge(), *registry_, "nessus_pool_capacity", "Sum of the pool's scanner capacities")),
      pool_utilisation_(family(prometheus::BuildGauge(), *registry_, "nessus_pool_utilization_ratio",
                               "Pool active scans divided by pool capacity")),
      in_flight_(family(prometheus::BuildGauge(), *registry_, "nessus_worker_in_flight_tasks",
                        "Tasks this worker holds for the pool")),
      validation_results_(family(prometheus::BuildCounter(), *registry_, "nessus_validation_results_total",
                                 "Validations of exported results by result (valid, invalid)")),
      validation_failures_(family(prometheus::BuildCounter(), *registry_, "nessus_validation_failures_total",
                                  "Invalid results by reason")),
      auth_failures_(family(prometheus::BuildCounter(), *registry_, "nessus_auth_failures_total",
                            "Authenticated scans whose credentials failed")),
      tasks_finished_(family(prometheus::BuildCounter(), *registry_, "nessus_tasks_finished_total",
                             "Tasks that reached a terminal state, by outcome")),
      task_duration_(family(prometheus::BuildHistogram(), *registry_, "nessus_task_duration_seconds",
                            "Time from start to terminal state")),
      tasks_recovered_(family(prometheus::BuildCounter(), *registry_, "nessus_tasks_recovered_total",
                              "Tasks re-attached to an existing Nessus scan")),
      dead_letters_(family(prometheus::BuildCounter(), *registry_, "nessus_dead_letters_total",
                           "Tasks put in the dead-letter queue, by error kind")),
      ttl_deletions_(family(prometheus::BuildCounter(), *registry_, "nessus_ttl_deletions_total",
                            "Task folders deleted by housekeeping, by status")),
      ttl_bytes_(family(prometheus::BuildCounter(), *registry_, "nessus_ttl_deleted_bytes_total",
                        "Bytes freed by housekeeping")),
      nessus_deletions_(family(prometheus::BuildCounter(), *registry_, "nessus_scans_deleted_total",
                               "Scans this system created and later deleted from Nessus, by reason")),
      api_requests_(family(prometheus::BuildCounter(), *registry_, "nessus_api_requests_total",
                           "Nessus REST requests by scanner, endpoint and HTTP code (0 = no response)")),
      api_latency_(family(prometheus::BuildHistogram(), *registry_, "nessus_api_request_duration_seconds",
                          "Nessus REST request latency by endpoint")) {}

std::string Metrics::serialize() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

void Metrics::set_queue_depth(const std::string& pool, double depth) { queue_depth_.Add({{"pool", pool}}).Set(depth); }

void Metrics::set_dlq_depth(const std::string& pool, double depth) { dlq_depth_.Add({{"pool", pool}}).Set(depth); }

void Metrics::set_scanner_load(const std::string& pool, const std::string& scanner, double active, double capacity) {
  const prometheus::Labels labels{{"pool", pool}, {"scanner_instance", scanner}};
  scanner_active_.Add(labels).Set(active);
  scanner_capacity_.Add(labels).Set(capacity);
  scanner_utilisation_.Add(labels).Set(capacity > 0 ? active / capacity : 0);
}

void Metrics::set_pool_load(const std::string& pool, double active, double capacity) {
  pool_active_.Add({{"pool", pool}}).Set(active);
  pool_capacity_.Add({{"pool", pool}}).Set(capacity);
  pool_utilisation_.Add({{"pool", pool}}).Set(capacity > 0 ? active / capacity : 0);
}

void Metrics::set_in_flight(const std::string& pool, double tasks) { in_flight_.Add({{"pool", pool}}).Set(tasks); }

void Metrics::task_finished(const std::string& pool, const std::string& outcome, double duration_seconds) {
  tasks_finished_.Add({{"pool", pool}, {"outcome", outcome}}).Increment();
  task_duration_.Add({{"pool", pool}, {"outcome", outcome}}, duration_buckets()).Observe(duration_seconds);
}

void Metrics::validation_result(const std::string& pool, bool valid, const std::string& failure_reason) {
  validation_results_.Add({{"pool", pool}, {"result", valid ? "valid" : "invalid"}}).Increment();
  if (!valid) {
    validation_failures_.Add({{"pool", pool}, {"reason", failure_reason}}).Increment();
  }
}

void Metrics::auth_failure(const std::string& pool, const std::string& scan_type) {
  auth_failures_.Add({{"pool", pool}, {"scan_type", scan_type}}).Increment();
}

void Metrics::task_recovered(const std::string& pool) { tasks_recovered_.Add({{"pool", pool}}).Increment(); }

void Metrics::task_dead_lettered(const std::string& pool, const std::string& reason_kind) {
  dead_letters_.Add({{"pool", pool}, {"kind", reason_kind}}).Increment();
}

void Metrics::ttl_deleted(const std::string& status, double count, double bytes) {
  ttl_deletions_.Add({{"status", status}}).Increment(count);
  ttl_bytes_.Add({}).Increment(bytes);
}

void Metrics::nessus_scan_deleted(const std::string& scanner, const std::string& reason) {
  nessus_deletions_.Add({{"scanner_instance", scanner}, {"reason", reason}}).Increment();
}

void Metrics::api_request(const std::string& scanner, const std::string& endpoint, int code, double seconds) {
  api_requests_.Add({{"scanner_instance", scanner}, {"endpoint", endpoint}, {"code", std::to_string(code)}})
      .Increment();
  api_latency_.Add({{"endpoint", endpoint}}, latency_buckets()).Observe(seconds);
}

}  // namespace sw::telemetry
