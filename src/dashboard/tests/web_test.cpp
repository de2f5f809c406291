// Tests of the dashboard's escaping, URL encoding and bounded parsing.
#include <gtest/gtest.h>

#include "dashboard/web.hpp"

namespace sw::dashboard {
namespace {

TEST(Web, EscapesEverythingThatCouldOpenMarkup) {
  EXPECT_EQ(escape(R"(<script>alert("x")</script> & 'y')"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
  EXPECT_EQ(escape("plain 10.0.0.1/24"), "plain 10.0.0.1/24");
}

TEST(Web, EncodesQueryValues) {
  EXPECT_EQ(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(url_encode("task_1.x-y~"), "task_1.x-y~");
}

TEST(Web, ParsesFormsAndQueries) {
  const auto form = parse_form("a=1&b=x+y%21&empty=&flag&a=2&bad=%zz&=v");
  EXPECT_EQ(form.at("a"), "2");
  EXPECT_EQ(form.at("b"), "x y!");
  EXPECT_EQ(form.at("empty"), "");
  EXPECT_EQ(form.at("flag"), "");
  EXPECT_EQ(form.at("bad"), "%zz");
  EXPECT_EQ(form.at(""), "v");
  EXPECT_EQ(parse_form("a=1&b=2&c=3", 2).size(), 2u);
  EXPECT_EQ(query_of("/ui/tasks?page=2&pool=nessus"), "page=2&pool=nessus");
  EXPECT_EQ(query_of("/ui/tasks"), "");
  EXPECT_EQ(path_of("/ui/tasks?page=2"), "/ui/tasks");
}

TEST(Web, FindsACookieAmongOthers) {
  EXPECT_EQ(cookie_value("theme=dark; sw_ui=abc123; other=1", "sw_ui"), "abc123");
  EXPECT_EQ(cookie_value("sw_uix=1; xsw_ui=2", "sw_ui"), "");
  EXPECT_EQ(cookie_value("", "sw_ui"), "");
}

}  // namespace
}  // namespace sw::dashboard
