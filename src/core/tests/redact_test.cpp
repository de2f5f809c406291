// Tests of secret redaction.
#include <gtest/gtest.h>

#include "core/redact.hpp"

namespace sw::core {
namespace {

TEST(Redact, SecretKeys) {
  for (const char* key : {"password", "escalation_password", "secret_key", "access_key", "api_token", "X-Cookie", "Password", "key"}) {
    EXPECT_TRUE(is_secret_key(key)) << key;
  }
  for (const char* key : {"username", "task_id", "trace_id", "auth_method", "targets", "authentication_status"}) {
    EXPECT_FALSE(is_secret_key(key)) << key;
  }
}

TEST(Redact, NestedJson) {
  const auto in = nlohmann::json::parse(R"({"a":{"password":"p1","list":[{"secret_key":"s"}]},"token":"","username":"u"})");
  const auto out = redact_secrets(in);
  EXPECT_EQ(out["a"]["password"], "********");
  EXPECT_EQ(out["a"]["list"][0]["secret_key"], "********");
  EXPECT_EQ(out["token"], "");
  EXPECT_EQ(out["username"], "u");
}

TEST(Redact, RawText) {
  const std::string text = redact_text(R"({"password": "hun\"ter2", "user": "u", broken X-Cookie: token=abc123 accessKey=k1;)");
  EXPECT_EQ(text.find("hun"), std::string::npos);
  EXPECT_EQ(text.find("abc123"), std::string::npos);
  EXPECT_EQ(text.find("k1"), std::string::npos);
  EXPECT_NE(text.find("\"user\": \"u\""), std::string::npos);
}

}  // namespace
}  // namespace sw::core
