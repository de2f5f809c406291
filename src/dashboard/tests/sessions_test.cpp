// Tests of the dashboard's login sessions.
#include <gtest/gtest.h>

#include <thread>

#include "dashboard/sessions.hpp"

namespace sw::dashboard {
namespace {

TEST(Sessions, OpenFindAndClose) {
  Sessions sessions(std::chrono::seconds(60), 10);
  const UiSession opened = sessions.open();
  EXPECT_EQ(opened.id.size(), 64u);
  EXPECT_NE(opened.id, opened.csrf);
  const auto found = sessions.find(opened.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->csrf, opened.csrf);
  EXPECT_FALSE(sessions.find(""));
  EXPECT_FALSE(sessions.find("not-a-session"));
  sessions.close(opened.id);
  EXPECT_FALSE(sessions.find(opened.id));
}

TEST(Sessions, IdleSessionsExpire) {
  Sessions sessions(std::chrono::seconds(0), 10);
  const UiSession opened = sessions.open();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // longer than the zero idle time
  EXPECT_FALSE(sessions.find(opened.id));
}

TEST(Sessions, TheTableIsBounded) {
  Sessions sessions(std::chrono::seconds(60), 3);
  const UiSession first = sessions.open();
  for (int i = 0; i < 5; ++i) sessions.open();
  EXPECT_EQ(sessions.size(), 3u);
  EXPECT_FALSE(sessions.find(first.id));
}

}  // namespace
}  // namespace sw::dashboard
