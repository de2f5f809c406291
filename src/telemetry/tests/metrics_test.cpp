// Tests of the metric names, labels and values in the text exposition.
#include <gtest/gtest.h>

#include "telemetry/metrics.hpp"

namespace sw::telemetry {
namespace {

TEST(Metrics, SeedNamesAndValues) {
  Metrics metrics;
  metrics.set_queue_depth("nessus", 4);
  metrics.set_dlq_depth("nessus", 1);
  metrics.set_scanner_load("nessus", "scanner1", 1, 2);
  metrics.validation_result("nessus", false, "auth_failed");
  metrics.auth_failure("nessus", "authenticated");
  metrics.task_finished("nessus", "completed", 12.5);
  const std::string text = metrics.serialize();
  EXPECT_NE(text.find("nessus_pool_queue_depth{pool=\"nessus\"} 4"), std::string::npos) << text;
  EXPECT_NE(text.find("nessus_pool_dlq_depth{pool=\"nessus\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nessus_scanner_active_scans{pool=\"nessus\",scanner_instance=\"scanner1\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("nessus_scanner_utilization_ratio{pool=\"nessus\",scanner_instance=\"scanner1\"} 0.5"),
            std::string::npos);
  EXPECT_NE(text.find("nessus_validation_results_total{pool=\"nessus\",result=\"invalid\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nessus_validation_failures_total{pool=\"nessus\",reason=\"auth_failed\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nessus_auth_failures_total{pool=\"nessus\",scan_type=\"authenticated\"} 1"), std::string::npos);
  EXPECT_NE(text.find("nessus_task_duration_seconds_count{outcome=\"completed\",pool=\"nessus\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace sw::telemetry
