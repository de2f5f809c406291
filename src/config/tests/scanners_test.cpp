// Tests of scanners.yaml parsing: every key, ${VAR} expansion, and the errors (file, line, key).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/scanners.hpp"
#include "core/errors.hpp"
#include "support/temp_dir.hpp"
#include "telemetry/log.hpp"

namespace sw::config {
namespace {

const std::map<std::string, std::string> kEnvironment = {
    {"NESSUS_PASSWORD", "s3cret-pass"}, {"NESSUS_HOST", "nessus-a"}, {"SECRET", "sk"}};

ScannersConfig parse(const std::string& text) { return parse_scanners_config(text, "scanners.yaml", &kEnvironment); }

// The message of the bad_input error that parsing `text` throws.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    return error.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

TEST(ScannersConfig, ParsesEveryKey) {
  const auto config = parse(R"(nessus:
  - instance_id: scanner1
    name: Primary
    url: https://${NESSUS_HOST}:8834/
    username: admin
    password: ${NESSUS_PASSWORD}
    enabled: true
    max_concurrent_scans: 5
    max_connections: 8
    verify_ssl: yes
    ca_file: /etc/ssl/nessus-ca.pem
    tls_fingerprint_sha256: "AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"
    api_token: 01234567-89ab-cdef-0123-456789abcdef
  - instance_id: scanner2
    url: http://nessus-b:8834
    access_key: ak
    secret_key: ${SECRET}
    api_token: none
)");
  ASSERT_EQ(config.pools.size(), 1u);
  const PoolConfig* pool = config.find_pool("nessus");
  ASSERT_NE(pool, nullptr);
  ASSERT_EQ(pool->scanners.size(), 2u);
  EXPECT_EQ(pool->capacity(), 7);

  const ScannerConfig& first = pool->scanners[0];
  EXPECT_EQ(first.pool, "nessus");
  EXPECT_EQ(first.instance_id, "scanner1");
  EXPECT_EQ(first.name, "Primary");
  EXPECT_EQ(first.url, "https://nessus-a:8834");
  EXPECT_EQ(first.username, "admin");
  EXPECT_EQ(first.password, "s3cret-pass");
  EXPECT_FALSE(first.uses_api_keys());
  EXPECT_EQ(first.max_concurrent_scans, 5);
  EXPECT_EQ(first.max_connections, 8);
  EXPECT_TRUE(first.verify_ssl);
  EXPECT_EQ(first.ca_file, "/etc/ssl/nessus-ca.pem");
  EXPECT_EQ(first.tls_fingerprint_sha256, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ(first.api_token_mode, ApiTokenMode::fixed);
  EXPECT_EQ(first.api_token, "01234567-89ab-cdef-0123-456789abcdef");

  const ScannerConfig& second = pool->scanners[1];
  EXPECT_EQ(second.name, "scanner2");  // defaults to the instance id
  EXPECT_TRUE(second.uses_api_keys());
  EXPECT_EQ(second.secret_key, "sk");
  EXPECT_EQ(second.max_concurrent_scans, 2);
  EXPECT_EQ(second.max_connections, 4);
  EXPECT_FALSE(second.verify_ssl);
  EXPECT_EQ(second.api_token_mode, ApiTokenMode::none);

  EXPECT_EQ(config.find_scanner("nessus", "scanner2"), &second);
  EXPECT_EQ(config.find_scanner("nessus", "nope"), nullptr);
  EXPECT_EQ(config.find_scanner("nessus_dmz", "scanner1"), nullptr);
}

TEST(ScannersConfig, ApiTokenDefaultsToAutoFetch) {
  const auto config = parse(R"(nessus:
  - {instance_id: a, url: "https://a:8834", username: u, password: p}
  - {instance_id: b, url: "https://b:8834", username: u, password: p, api_token: AUTO}
  - {instance_id: c, url: "https://c:8834", username: u, password: p, api_token: "${UNSET_TOKEN:-}"}
)");
  for (const auto& scanner : config.pools.at("nessus").scanners) {
    EXPECT_EQ(scanner.api_token_mode, ApiTokenMode::auto_fetch) << scanner.instance_id;
  }
}

TEST(ScannersConfig, VariablesWorkForTypedValues) {
  const std::map<std::string, std::string> environment = {{"LIMIT", "4"}, {"ON", "false"}};
  const auto config = parse_scanners_config(R"(nessus:
  - instance_id: a
    url: https://a:8834
    username: u
    password: p
    max_concurrent_scans: ${LIMIT}
    verify_ssl: ${ON:-true}
  - instance_id: b
    url: https://b:8834
    username: u
    password: p
    enabled: ${ON}
)",
                                            "scanners.yaml", &environment);
  const auto& scanners = config.pools.at("nessus").scanners;
  ASSERT_EQ(scanners.size(), 1u);
  EXPECT_EQ(scanners[0].max_concurrent_scans, 4);
  EXPECT_FALSE(scanners[0].verify_ssl);
}

TEST(ScannersConfig, SeveralNessusPoolsAndOtherPoolsIgnoredWithAWarning) {
  std::ostringstream log;
  telemetry::configure_logging(telemetry::LogLevel::info, telemetry::LogFormat::json, &log);
  const auto config = parse(R"(nessus:
  - {instance_id: s1, url: "https://a:8834", username: u, password: p}
nessus_dmz:
  - {instance_id: s1, url: "https://b:8834", username: u, password: p, max_concurrent_scans: 1}
qualys:
  - {whatever: 1}
nessus_empty:
)");
  telemetry::configure_logging(telemetry::LogLevel::info, telemetry::LogFormat::json, nullptr);
  EXPECT_NE(log.str().find("\"pool\":\"qualys\""), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("WARNING"), std::string::npos) << log.str();
  EXPECT_EQ(config.pools.size(), 3u);
  EXPECT_EQ(config.find_pool("qualys"), nullptr);
  EXPECT_EQ(config.find_pool("nessus_dmz")->capacity(), 1);
  EXPECT_EQ(config.find_pool("nessus_empty")->capacity(), 0);
  EXPECT_EQ(config.find_scanner("nessus_dmz", "s1")->url, "https://b:8834");
}

TEST(ScannersConfig, DisabledScannersAreSkippedButStillCheckedForUnknownKeys) {
  const auto config = parse(R"(nessus:
  - instance_id: off
    enabled: false
    password: ${NOT_SET_ANYWHERE}
  - {instance_id: on, url: "https://a:8834", username: u, password: p}
)");
  ASSERT_EQ(config.pools.at("nessus").scanners.size(), 1u);
  EXPECT_EQ(config.pools.at("nessus").scanners[0].instance_id, "on");

  EXPECT_EQ(error_of(R"(nessus:
  - instance_id: off
    enabled: false
    pasword: x
)"),
            "scanners.yaml:4: key 'pasword' is unknown (pool nessus, scanner 1)");
}

TEST(ScannersConfig, EmptyFileHasNoPools) {
  EXPECT_TRUE(parse("").pools.empty());
  EXPECT_TRUE(parse("# only a comment\n").pools.empty());
}

TEST(ScannersConfig, UnknownKeyNamesFileLineKeyPoolAndScanner) {
  EXPECT_EQ(error_of(R"(nessus:
  - instance_id: scanner1
    url: https://a:8834
    username: u
    password: p
  - instance_id: scanner2
    max_concurent_scans: 3
    url: https://b:8834
    username: u
    password: p
)"),
            "scanners.yaml:7: key 'max_concurent_scans' is unknown (pool nessus, scanner 2)");
}

TEST(ScannersConfig, MissingRequiredKeys) {
  EXPECT_EQ(error_of(R"(nessus:
  - url: https://a:8834
    username: u
    password: p
)"),
            "scanners.yaml:2: key 'instance_id' is missing or empty (pool nessus, scanner 1)");
  EXPECT_EQ(error_of(R"(nessus:
  - instance_id: a
    username: u
    password: p
)"),
            "scanners.yaml:2: key 'url' is missing or empty (pool nessus, scanner 1)");
  EXPECT_EQ(error_of(R"(nessus:
  - instance_id: a
    url: ""
    username: u
    password: p
)"),
            "scanners.yaml:3: key 'url' is missing or empty (pool nessus, scanner 1)");
}

TEST(ScannersConfig, DuplicateInstanceIdInAPool) {
  EXPECT_EQ(error_of(R"(nessus:
  - {instance_id: a, url: "https://a:8834", username: u, password: p}
  - {instance_id: a, url: "https://b:8834", username: u, password: p}
)"),
            "scanners.yaml:3: key 'instance_id' repeats 'a', already used in this pool (pool nessus, scanner 2)");
}

TEST(ScannersConfig, RepeatedKeyInAScanner) {
  const std::string message = error_of(R"(nessus:
  - instance_id: a
    url: https://a:8834
    url: https://b:8834
    username: u
    password: p
)");
  EXPECT_EQ(message, "scanners.yaml:4: key 'url' appears twice (pool nessus, scanner 1)");
}

TEST(ScannersConfig, WrongTypes) {
  // A valid scanner with one more key on line 6, and the error that key must give.
  const auto with_line_6 = [](const std::string& line) {
    return "nessus:\n  - instance_id: a\n    url: https://a:8834\n    username: u\n    password: p\n    " + line + "\n";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"max_concurrent_scans: many", "key 'max_concurrent_scans' must be a whole number from 1 to 10000, not 'many'"},
      {"max_concurrent_scans: 0", "key 'max_concurrent_scans' must be a whole number from 1 to 10000, not '0'"},
      {"max_connections: 20000", "key 'max_connections' must be a whole number from 1 to 10000, not '20000'"},
      {"verify_ssl: sometimes", "key 'verify_ssl' must be true or false, not 'sometimes'"},
      {"tls_fingerprint_sha256: abc", "key 'tls_fingerprint_sha256' must be 64 hex digits (colons allowed)"},
  };
  for (const auto& [line, error] : cases) {
    EXPECT_EQ(error_of(with_line_6(line)), "scanners.yaml:6: " + error + " (pool nessus, scanner 1)");
  }
  EXPECT_EQ(error_of(R"(nessus:
  - instance_id: a
    url: [https://a:8834]
    username: u
    password: p
)"),
            "scanners.yaml:3: key 'url' must be a single value, not a list or a map (pool nessus, scanner 1)");
  EXPECT_EQ(error_of(R"(nessus:
  - instance_id: a
    url: ftp://a
    username: u
    password: p
)"),
            "scanners.yaml:3: key 'url' must start with https:// or http:// (pool nessus, scanner 1)");
}

TEST(ScannersConfig, StructureErrors) {
  EXPECT_EQ(error_of("- a\n- b\n"), "scanners.yaml:1: the top level must be a map of pool names to lists of scanners");
  EXPECT_EQ(error_of("nessus:\n  instance_id: a\n"), "scanners.yaml:2: pool 'nessus' must be a list of scanners");
  EXPECT_EQ(error_of("nessus:\n  - just a string\n"),
            "scanners.yaml:2: a scanner must be a map of keys (pool nessus, scanner 1)");
  const std::string syntax = error_of("nessus:\n  - instance_id: a\n    url: [unclosed\n");
  EXPECT_EQ(syntax.rfind("scanners.yaml:", 0), 0u) << syntax;
  EXPECT_NE(syntax.find("not valid YAML"), std::string::npos) << syntax;
}

TEST(ScannersConfig, CredentialRules) {
  const auto with = [](const std::string& credentials) {
    return "nessus:\n  - instance_id: a\n    url: https://a:8834\n" + credentials;
  };
  EXPECT_EQ(error_of(with("")),
            "scanners.yaml:2: keys 'username'+'password' or 'access_key'+'secret_key' are required "
            "(pool nessus, scanner 1)");
  EXPECT_EQ(error_of(with("    username: u\n")),
            "scanners.yaml:2: key 'password' is missing or empty while 'username' is set (pool nessus, scanner 1)");
  EXPECT_EQ(error_of(with("    password: p\n")),
            "scanners.yaml:2: key 'username' is missing or empty while 'password' is set (pool nessus, scanner 1)");
  EXPECT_EQ(error_of(with("    access_key: a\n")),
            "scanners.yaml:2: key 'secret_key' is missing or empty while 'access_key' is set "
            "(pool nessus, scanner 1)");
  EXPECT_EQ(error_of(with("    access_key: a\n    secret_key: \"\"\n")),
            "scanners.yaml:5: key 'secret_key' is missing or empty while 'access_key' is set "
            "(pool nessus, scanner 1)");
  EXPECT_EQ(error_of(with("    secret_key: s\n")),
            "scanners.yaml:2: key 'access_key' is missing or empty while 'secret_key' is set "
            "(pool nessus, scanner 1)");
}

TEST(ScannersConfig, UnsetVariableNamesTheVariableButNoSecret) {
  const std::string message = error_of(R"(nessus:
  - instance_id: a
    url: https://a:8834
    username: admin
    password: ${NESSUS_PASSWORD_UNSET}
)");
  EXPECT_EQ(message,
            "scanners.yaml:5: key 'password': environment variable 'NESSUS_PASSWORD_UNSET' is not set "
            "(pool nessus, scanner 1)");
}

TEST(ScannersConfig, ErrorsNeverShowSecretValues) {
  const std::string message = error_of(R"(nessus:
  - instance_id: a
    url: https://a:8834
    username: admin
    password: ${NESSUS_PASSWORD}
    max_concurrent_scans: -1
)");
  EXPECT_EQ(message.find("s3cret-pass"), std::string::npos) << message;
}

TEST(ScannersConfig, LoadsFromAFileAndNamesItInErrors) {
  testing::TempDir dir;
  const auto path = dir.path() / "scanners.yaml";
  std::ofstream(path) << "nessus:\n  - {instance_id: a, url: \"https://a:8834\", username: u, password: p}\n";
  const auto config = load_scanners_config(path, &kEnvironment);
  EXPECT_EQ(config.source, path);
  EXPECT_EQ(config.pools.at("nessus").scanners.size(), 1u);

  std::ofstream(path) << "nessus:\n  - {instance_id: a, url: \"https://a:8834\", usr: u}\n";
  try {
    load_scanners_config(path, &kEnvironment);
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(std::string(error.what()), path.string() + ":2: key 'usr' is unknown (pool nessus, scanner 1)");
  }
  EXPECT_THROW(load_scanners_config(dir.path() / "missing.yaml", &kEnvironment), core::Error);
}

TEST(ScannersConfig, TheExampleFileIsValid) {
  const char* source_dir = std::getenv("SW_SOURCE_DIR");
  if (source_dir == nullptr) {
    GTEST_SKIP() << "SW_SOURCE_DIR is not set";
  }
  const std::map<std::string, std::string> environment = {
      {"NESSUS_PASSWORD", "p"}, {"NESSUS_DMZ_ACCESS_KEY", "a"}, {"NESSUS_DMZ_SECRET_KEY", "s"}};
  const auto config =
      load_scanners_config(std::filesystem::path(source_dir) / "config" / "scanners.example.yaml", &environment);
  EXPECT_FALSE(config.pools.empty());
}

}  // namespace
}  // namespace sw::config
