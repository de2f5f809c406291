// Tests of the scan-name marker that tells scans this system created.
#include <gtest/gtest.h>

#include "core/scan_name.hpp"

namespace sw::core {
namespace {

TEST(ScanName, MarksTheTask) {
  EXPECT_EQ(scan_name_for("Weekly DMZ", "ne_scan_1"), "Weekly DMZ [ne_scan_1]");
  EXPECT_EQ(scan_name_for("", "t"), "scan [t]");
  EXPECT_EQ(task_id_from_scan_name("Weekly DMZ [ne_scan_1]"), "ne_scan_1");
  EXPECT_FALSE(task_id_from_scan_name("Weekly DMZ"));
  EXPECT_FALSE(task_id_from_scan_name("x [../etc]"));
  EXPECT_FALSE(task_id_from_scan_name("x [a] trailing"));
}

TEST(ScanName, ReadsOnlyAWholeTrailingMarker) {
  EXPECT_EQ(task_id_from_scan_name("[old] name [t.1-x_2]"), "t.1-x_2");
  EXPECT_EQ(task_id_from_scan_name("[t]"), "t");
  EXPECT_EQ(task_id_from_scan_name(scan_name_for("a [b]", "t9")), "t9");
  EXPECT_EQ(task_id_from_scan_name("x [" + std::string(128, 'a') + "]"), std::string(128, 'a'));
  EXPECT_FALSE(task_id_from_scan_name("x [" + std::string(129, 'a') + "]"));
  EXPECT_FALSE(task_id_from_scan_name("x []"));
  EXPECT_FALSE(task_id_from_scan_name("x [..]"));
  EXPECT_FALSE(task_id_from_scan_name("x [a b]"));
  EXPECT_FALSE(task_id_from_scan_name("x [a]]"));
  EXPECT_FALSE(task_id_from_scan_name("x a]"));
  EXPECT_FALSE(task_id_from_scan_name("]"));
  EXPECT_FALSE(task_id_from_scan_name(""));
}

}  // namespace
}  // namespace sw::core
