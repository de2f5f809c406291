// Tests of scanner slots from the configuration and of load summaries.
#include <gtest/gtest.h>

#include "queue/capacity_leases.hpp"

namespace sw::queue {
namespace {

TEST(ScannerSlots, EnabledScannersWithTheirLimits) {
  config::PoolConfig pool;
  pool.name = "nessus";
  config::ScannerConfig first;
  first.instance_id = "s1";
  first.max_concurrent_scans = 3;
  config::ScannerConfig disabled;
  disabled.instance_id = "s2";
  disabled.enabled = false;
  config::ScannerConfig second;
  second.instance_id = "s3";
  pool.scanners = {first, disabled, second};
  const auto slots = scanner_slots(pool);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].instance_id, "s1");
  EXPECT_EQ(slots[0].limit, 3);
  EXPECT_EQ(slots[1].instance_id, "s3");
  EXPECT_EQ(slots[1].limit, 2);
}

TEST(ScannerLoad, AvailableAndUtilisation) {
  const ScannerLoad busy{"s1", 2, 2};
  EXPECT_EQ(busy.available(), 0);
  EXPECT_DOUBLE_EQ(busy.utilisation(), 1.0);
  const ScannerLoad over{"s1", 3, 2};  // limit lowered by a reload
  EXPECT_EQ(over.available(), 0);
  const ScannerLoad idle{"s2", 0, 0};
  EXPECT_DOUBLE_EQ(idle.utilisation(), 0.0);
}

}  // namespace
}  // namespace sw::queue
