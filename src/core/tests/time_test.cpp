// Tests of ISO 8601 timestamps in Python's isoformat() shape.
#include <gtest/gtest.h>

#include "core/time.hpp"

namespace sw::core {
namespace {

TEST(Time, RoundTripsPythonIsoformat) {
  for (const char* text : {"2025-12-01T14:30:22.512345", "2025-12-01T14:30:22", "1999-02-28T00:00:00.000001"}) {
    const auto parsed = parse_iso(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(format_iso(*parsed), text);
  }
}

TEST(Time, AcceptsZoneSuffixes) {
  const auto base = parse_iso("2025-12-01T14:30:22.5");
  ASSERT_TRUE(base);
  EXPECT_EQ(parse_iso("2025-12-01T14:30:22.500Z"), base);
  EXPECT_EQ(parse_iso("2025-12-01T16:30:22.5+02:00"), base);
  EXPECT_EQ(parse_iso("2025-12-01 14:30:22.5+00:00"), base);
  EXPECT_EQ(format_iso(*base), "2025-12-01T14:30:22.500000");
}

TEST(Time, RejectsGarbage) {
  for (const char* bad : {"", "yesterday", "2025-13-01T00:00:00", "2025-12-01", "2025-12-01T14:30:22.",
                          "2025-12-01T14:30:22x", "9999-12-31T23:59:59", "0001-01-01T00:00:00"}) {
    EXPECT_FALSE(parse_iso(bad)) << bad;
  }
}

TEST(Time, UnixSeconds) {
  const auto t = parse_iso("1970-01-01T00:00:01.5");
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(to_unix_seconds(*t), 1.5);
  EXPECT_EQ(from_unix_seconds(1.5), *t);
}

}  // namespace
}  // namespace sw::core
