// Tests of task id validation and id generation.
#include <gtest/gtest.h>

#include <regex>

#include "core/errors.hpp"
#include "core/task_id.hpp"

namespace sw::core {
namespace {

TEST(TaskId, AcceptsProducerIds) {
  EXPECT_TRUE(is_valid_task_id("ne_scan_20251201_143022_a1b2c3d4"));
  EXPECT_TRUE(is_valid_task_id("a.b-c_D9"));
  EXPECT_TRUE(is_valid_task_id(std::string(128, 'x')));
}

TEST(TaskId, RejectsPathsAndOddCharacters) {
  for (const char* bad : {"", ".", "..", "../../etc/x", "a/b", "a\\b", "a b", "é", "a\nb"}) {
    EXPECT_FALSE(is_valid_task_id(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_task_id(std::string(129, 'x')));
  try {
    require_valid_task_id("../x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::bad_input);
    EXPECT_NE(std::string(e.what()).find("../x"), std::string::npos);
  }
}

TEST(TaskId, GeneratesProducerFormat) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1764599422));
  const std::string id = generate_task_id(t);
  EXPECT_TRUE(std::regex_match(id, std::regex("ne_scan_20251201_143022_[0-9a-f]{8}"))) << id;
  EXPECT_NE(generate_task_id(t), id);
  EXPECT_TRUE(std::regex_match(generate_uuid4(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
}

}  // namespace
}  // namespace sw::core
