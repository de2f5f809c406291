// Tests of strict boolean and number parsing.
#include <gtest/gtest.h>

#include "config/values.hpp"

namespace sw::config {
namespace {

TEST(ParseBool, AcceptsTheUsualSpellings) {
  for (const char* yes : {"true", "TRUE", "True", "yes", "on", "1", " true "}) {
    EXPECT_EQ(parse_bool(yes), true) << yes;
  }
  for (const char* no : {"false", "FALSE", "no", "off", "0"}) {
    EXPECT_EQ(parse_bool(no), false) << no;
  }
  for (const char* bad : {"", "maybe", "2", "truee", "t"}) {
    EXPECT_EQ(parse_bool(bad), std::nullopt) << bad;
  }
}

TEST(ParseInteger, IsStrict) {
  EXPECT_EQ(parse_integer("42"), 42);
  EXPECT_EQ(parse_integer("+3"), 3);
  EXPECT_EQ(parse_integer("-3"), -3);
  EXPECT_EQ(parse_integer(" 7 "), 7);
  for (const char* bad : {"", "abc", "4x", "1.5", "99999999999999999999999"}) {
    EXPECT_EQ(parse_integer(bad), std::nullopt) << bad;
  }
}

TEST(ParseNumber, AcceptsFractionsAndRejectsJunk) {
  EXPECT_DOUBLE_EQ(*parse_number("0.25"), 0.25);
  EXPECT_DOUBLE_EQ(*parse_number("1e3"), 1000.0);
  EXPECT_DOUBLE_EQ(*parse_number("-2"), -2.0);
  EXPECT_DOUBLE_EQ(*parse_number("+.5"), 0.5);
  for (const char* bad : {"", "abc", "1.5h", "inf", "nan", "1,5"}) {
    EXPECT_EQ(parse_number(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace sw::config
