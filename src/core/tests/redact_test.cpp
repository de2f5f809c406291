// Tests of secret redaction.
#include <gtest/gtest.h>

#include "core/redact.hpp"

namespace sw::core {
namespace {

TEST(Redact, SecretKeys) {
  for (const char* key :
       {"password", "escalation_password", "secret_key", "access_key", "api_token", "X-Cookie", "Password", "key"}) {
    EXPECT_TRUE(is_secret_key(key)) << key;
  }
  for (const char* key : {"username", "task_id", "trace_id", "auth_method", "targets", "authentication_status"}) {
    EXPECT_FALSE(is_secret_key(key)) << key;
  }
}

TEST(Redact, NestedJson) {
  const auto in =
      nlohmann::json::parse(R"({"a":{"password":"p1","list":[{"secret_key":"s"}]},"token":"","username":"u"})");
  const auto out = redact_secrets(in);
  EXPECT_EQ(out["a"]["password"], "********");
  EXPECT_EQ(out["a"]["list"][0]["secret_key"], "********");
  EXPECT_EQ(out["token"], "");
  EXPECT_EQ(out["username"], "u");
}

TEST(Redact, RawText) {
  const std::string text =
      redact_text(R"({"password": "hun\"ter2", "user": "u", broken X-Cookie: token=abc123 accessKey=k1;)");
  EXPECT_EQ(text.find("hun"), std::string::npos);
  EXPECT_EQ(text.find("abc123"), std::string::npos);
  EXPECT_EQ(text.find("k1"), std::string::npos);
  EXPECT_NE(text.find("\"user\": \"u\""), std::string::npos);
}

TEST(Redact, SecretKeyNames) {
  for (const char* key : {"privatekey", "private-key", "ssh_key", "SSHKey", "api-key", "passwd", "sessionToken"}) {
    EXPECT_TRUE(is_secret_key(key)) << key;
  }
  for (const char* key : {"keyboard", "monkey", "name", "port"}) {
    EXPECT_FALSE(is_secret_key(key)) << key;
  }
}

TEST(Redact, SecretUnderAnyTypeIsMaskedWhole) {
  const auto out = redact_secrets(nlohmann::json::parse(
      R"({"password":{"value":"p1"},"token":["t1"],"api_key":12345,"secret":true,"passphrase":null})"));
  EXPECT_EQ(
      out,
      nlohmann::json::parse(
          R"({"password":"********","token":"********","api_key":"********","secret":"********","passphrase":null})"));
}

// The payload.credentials of a task after redact_secrets.
nlohmann::json redacted_credentials(const std::string& credentials_json) {
  const auto payload = nlohmann::json::parse(R"({"targets":"h","credentials":)" + credentials_json + "}");
  const auto out = redact_secrets(payload);
  EXPECT_EQ(out["targets"], "h");
  return out["credentials"];
}

TEST(Redact, CredentialsAreMaskedByStructure) {
  // The documented shape: only the secrets go.
  EXPECT_EQ(redacted_credentials(R"({"type":"ssh","username":"u","password":"p","auth_method":"password",
                                     "elevate_privileges_with":"sudo","escalation_account":"root",
                                     "escalation_password":"","domain":"CORP","port":22})"),
            nlohmann::json::parse(R"({"type":"ssh","username":"u","password":"********","auth_method":"password",
                                     "elevate_privileges_with":"sudo","escalation_account":"root",
                                     "escalation_password":"","domain":"CORP","port":22})"));
  // Secrets under names the key list does not know.
  EXPECT_EQ(
      redacted_credentials(R"({"username":"u","privatekey":"-----BEGIN","ssh_key":"AAAA","pin":1234,"cert":"c"})"),
      nlohmann::json::parse(
          R"({"username":"u","privatekey":"********","ssh_key":"********","pin":"********","cert":"********"})"));
  // A password given as an object or an array, a known field given as an object.
  EXPECT_EQ(
      redacted_credentials(R"({"username":{"password":"p"},"password":{"value":"p","salt":[1,2]},"keys":["k1","k2"]})"),
      nlohmann::json::parse(R"({"username":"********","password":"********","keys":"********"})"));
  // Credentials that are not an object are masked whole.
  EXPECT_EQ(redacted_credentials(R"("u:secret")"), "********");
  EXPECT_EQ(redacted_credentials(R"(["u","secret"])"), "********");
  EXPECT_EQ(redacted_credentials("31337"), "********");
  EXPECT_EQ(redacted_credentials("null"), nullptr);
  // At any depth, under any spelling of the key.
  const auto nested =
      redact_secrets(nlohmann::json::parse(R"({"a":[{"Credentials":{"user_name":"x","password":"p"}}]})"));
  EXPECT_EQ(nested["a"][0]["Credentials"], nlohmann::json::parse(R"({"user_name":"********","password":"********"})"));
}

TEST(Redact, TextFormsOfASecret) {
  EXPECT_EQ(redact_text(R"({"password":"p1","b":2})"), R"({"password":"********","b":2})");
  EXPECT_EQ(redact_text(R"("api_key" : 12345, "n": 1)"), R"("api_key" : ********, "n": 1)");
  EXPECT_EQ(redact_text(R"(password: "hunter 2" user=u)"), R"(password: "********" user=u)");
  EXPECT_EQ(redact_text("token='a b' next"), "token='********' next");
  EXPECT_EQ(redact_text("GET /x?user=u&password=p1&page=2"), "GET /x?user=u&password=********&page=2");
  EXPECT_EQ(redact_text(R"(body {"password":"p1","u":1})"), R"(body {"password":"********","u":1})");
  EXPECT_EQ(redact_text(R"({"password": {"inner": 1}, "token": ""})"),
            R"({"password": {"inner": 1}, "token": "********"})");
  EXPECT_EQ(redact_text("the password is wrong; secret"), "the password is wrong; secret");
  EXPECT_EQ(redact_text(""), "");
}

TEST(Redact, SecretCutOffByTruncation) {
  EXPECT_EQ(redact_text(R"({"task_id":"t","password":"hunt)"), R"({"task_id":"t","password":"********)");
  EXPECT_EQ(redact_text(R"({"password":"hu\"nt)"), R"({"password":"********)");
  EXPECT_EQ(redact_text(R"({"password":"hunt\)"), R"({"password":"********)");
  EXPECT_EQ(redact_text("login password=hun"), "login password=********");
  EXPECT_EQ(redact_text("secret_key: 'abc"), "secret_key: '********");
  EXPECT_EQ(redact_text(R"(x {"token":"abc)"), R"(x {"token":"********)");
}

TEST(Redact, ExcerptIsBoundedUtf8SafeAndRedacted) {
  EXPECT_EQ(redacted_excerpt(R"({"password":"hunter2"})", 17), R"({"password":"********)");
  EXPECT_EQ(redacted_excerpt("ab\xC3\xA9"
                             "cd",
                             3),
            "ab");
  EXPECT_EQ(redacted_excerpt("short", 100), "short");
  EXPECT_EQ(redacted_excerpt(std::string(1 << 20, 'x'), 10), std::string(10, 'x'));
}

TEST(Redact, MegabytesOfTextInConstantStack) {
  const std::string filler(10 << 20, 'X');
  EXPECT_EQ(redact_text(filler), filler);

  const std::string quotes = "\"password\":\"" + [] {
    std::string inner;
    for (int i = 0; i < (1 << 19); ++i) inner += "\\\"";
    return inner;
  }();  // 1 MB of escaped quotes, never closed
  EXPECT_EQ(redact_text(quotes), "\"password\":\"********");

  std::string nested_quotes;
  for (int i = 0; i < (1 << 18); ++i) nested_quotes += "{\"a\":\"";
  EXPECT_EQ(redact_text(nested_quotes), nested_quotes);

  std::string pairs;
  for (int i = 0; pairs.size() < (4u << 20); ++i) pairs += "token=t" + std::to_string(i) + "&name=n&";
  const std::string redacted = redact_text(pairs);
  EXPECT_EQ(redacted.find("=t"), std::string::npos);
  EXPECT_NE(redacted.find("token=********&name=n&"), std::string::npos);

  const std::string long_key = std::string(2 << 20, 'a') + "password=" + std::string(2 << 20, 'p');
  EXPECT_EQ(redact_text(long_key), std::string(2 << 20, 'a') + "password=********");
  EXPECT_EQ(redacted_excerpt(long_key, (2 << 20) + 12), std::string(2 << 20, 'a') + "password=********");
}

}  // namespace
}  // namespace sw::core
