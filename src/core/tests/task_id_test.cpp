// Tests of task id validation and id generation.
#include <gtest/gtest.h>

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

// True when `text` has the shape of `pattern`: '#' stands for a lower-case hex digit,
// any other character for itself.
bool has_shape(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool hex = (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
    if (pattern[i] == '#' ? !hex : text[i] != pattern[i]) return false;
  }
  return true;
}

TEST(TaskId, GeneratesProducerFormat) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1764599422));
  const std::string id = generate_task_id(t);
  EXPECT_TRUE(has_shape(id, "ne_scan_20251201_143022_########")) << id;
  EXPECT_NE(generate_task_id(t), id);
  const std::string uuid = generate_uuid4();
  EXPECT_TRUE(has_shape(uuid, "########-####-4###-####-############")) << uuid;
  EXPECT_NE(std::string_view("89ab").find(uuid[19]), std::string_view::npos) << uuid;  // RFC 4122 variant
}

}  // namespace
}  // namespace sw::core
