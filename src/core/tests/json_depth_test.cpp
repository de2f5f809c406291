// Tests of the JSON nesting guard.
#include <gtest/gtest.h>

#include "core/json_depth.hpp"

namespace sw::core {
namespace {

std::string nested(std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(JsonNesting, CountsObjectsAndArraysInsideOneAnother) {
  EXPECT_FALSE(json_nesting_exceeds(R"({"a":{"b":[1,{"c":2}]}})", 4));
  EXPECT_TRUE(json_nesting_exceeds(R"({"a":{"b":[1,{"c":2}]}})", 3));
  EXPECT_FALSE(json_nesting_exceeds(R"([[1],[2],[3],{"x":1}])", 2));  // siblings do not add up
  EXPECT_FALSE(json_nesting_exceeds(nested(kMaxJsonNesting)));
  EXPECT_TRUE(json_nesting_exceeds(nested(kMaxJsonNesting + 1)));
  EXPECT_FALSE(json_nesting_exceeds("", 0));
  EXPECT_FALSE(json_nesting_exceeds("not json }}]] at all", 0));
}

TEST(JsonNesting, IgnoresBracketsInsideStrings) {
  const std::string brackets_in_string = "{\"a\":\"" + std::string(1000, '[') + "\\\"[{\"}";
  EXPECT_FALSE(json_nesting_exceeds(brackets_in_string, 1));
  EXPECT_TRUE(json_nesting_exceeds(R"({"a":"\\",[[[]]]})", 3));  // an escaped backslash ends no string
}

TEST(JsonNesting, ReadsMegabytesInConstantStack) {
  EXPECT_TRUE(json_nesting_exceeds(nested(4 << 20)));
  EXPECT_TRUE(json_nesting_exceeds(std::string(4 << 20, '{')));
  EXPECT_FALSE(json_nesting_exceeds(std::string(10 << 20, 'X')));
}

}  // namespace
}  // namespace sw::core
