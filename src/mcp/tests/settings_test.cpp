// MCP_* variables and their checks.
#include "mcp/settings.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace sw::mcp {
namespace {

TEST(Settings, DefaultsAndOverrides) {
  const std::map<std::string, std::string> none;
  const McpSettings defaults = load_settings(&none);
  EXPECT_EQ(defaults.listen_host, "127.0.0.1");
  EXPECT_EQ(defaults.listen_port, 8000);
  EXPECT_EQ(defaults.max_targets, 100u);
  const std::map<std::string, std::string> vars{{"MCP_LISTEN_ADDR", "127.0.0.1:0"},
                                                {"MCP_ALLOWED_ORIGINS", "https://a.example, https://b.example/"},
                                                {"MCP_SESSION_IDLE_SECONDS", "0.5"},
                                                {"MCP_MAX_TARGETS", "3"}};
  const McpSettings settings = load_settings(&vars);
  EXPECT_EQ(settings.listen_port, 0);
  EXPECT_EQ(settings.allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(settings.session_idle, std::chrono::milliseconds(500));
  EXPECT_EQ(settings.max_targets, 3u);
}

TEST(Settings, RefusesBadValuesAndAnOpenListenerWithoutTokens) {
  for (const auto& [name, value] : std::map<std::string, std::string>{{"MCP_LISTEN_ADDR", "nope"},
                                                                      {"MCP_MAX_TARGETS", "0"},
                                                                      {"MCP_SESSION_IDLE_SECONDS", "-1"},
                                                                      {"MCP_LISTEN_ADDR", "0.0.0.0:8000"}}) {
    const std::map<std::string, std::string> vars{{name, value}};
    EXPECT_THROW(load_settings(&vars), core::Error) << name << "=" << value;
  }
  const std::map<std::string, std::string> open{{"MCP_LISTEN_ADDR", "0.0.0.0:8000"}, {"MCP_AUTH_TOKENS_FILE", "/x"}};
  EXPECT_EQ(load_settings(&open).listen_host, "0.0.0.0");
}

}  // namespace
}  // namespace sw::mcp
