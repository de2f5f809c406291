// Tests of UTF-8-safe cutting and control-character escaping.
#include <gtest/gtest.h>

#include "core/text.hpp"

namespace sw::core {
namespace {

TEST(Utf8Prefix, CutsBeforeASplitCharacter) {
  const std::string text =
      "ab\xC3\xA9"
      "c";  // a b é c
  EXPECT_EQ(utf8_prefix(text, 0), "");
  EXPECT_EQ(utf8_prefix(text, 2), "ab");
  EXPECT_EQ(utf8_prefix(text, 3), "ab");  // would split é
  EXPECT_EQ(utf8_prefix(text, 4), "ab\xC3\xA9");
  EXPECT_EQ(utf8_prefix(text, 100), text);
  EXPECT_EQ(utf8_prefix("\xF0\x9F\x98\x80", 3), "");  // a 4-byte character
}

TEST(EscapeControlCharacters, MakesEveryControlByteVisible) {
  EXPECT_EQ(escape_control_characters("plain text \xC3\xA9"), "plain text \xC3\xA9");
  EXPECT_EQ(escape_control_characters("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_control_characters(std::string("cut\0here", 8)), "cut\\0here");
  EXPECT_EQ(escape_control_characters("\x01\x1b[31m\x1f\x7f"), "\\x01\\x1b[31m\\x1f\\x7f");
  EXPECT_EQ(escape_control_characters(""), "");
}

}  // namespace
}  // namespace sw::core
