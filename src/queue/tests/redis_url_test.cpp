// Tests of REDIS_URL parsing.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "queue/redis_connection.hpp"
#include "queue/redis_url.hpp"

namespace sw::queue {
namespace {

TEST(RedisUrl, HostAndPort) {
  const auto endpoint = parse_redis_url("redis://redis:6380");
  EXPECT_EQ(endpoint.transport, RedisEndpoint::Transport::tcp);
  EXPECT_EQ(endpoint.host, "redis");
  EXPECT_EQ(endpoint.port, 6380);
  EXPECT_EQ(endpoint.database, 0);
  EXPECT_TRUE(endpoint.password.empty());
}

TEST(RedisUrl, DefaultPort) {
  const auto endpoint = parse_redis_url("redis://redis");
  EXPECT_EQ(endpoint.host, "redis");
  EXPECT_EQ(endpoint.port, 6379);
}

TEST(RedisUrl, PasswordAndDatabase) {
  const auto endpoint = parse_redis_url("redis://:s3cr%40t@10.0.0.5:6379/2");
  EXPECT_EQ(endpoint.host, "10.0.0.5");
  EXPECT_EQ(endpoint.password, "s3cr@t");
  EXPECT_TRUE(endpoint.username.empty());
  EXPECT_EQ(endpoint.database, 2);
  EXPECT_EQ(endpoint.describe(), "redis://10.0.0.5:6379/2");
}

TEST(RedisUrl, UserAndPassword) {
  const auto endpoint = parse_redis_url("redis://worker:pw@host:1/0");
  EXPECT_EQ(endpoint.username, "worker");
  EXPECT_EQ(endpoint.password, "pw");
}

TEST(RedisUrl, Ipv6) {
  const auto endpoint = parse_redis_url("redis://[::1]:7000");
  EXPECT_EQ(endpoint.host, "::1");
  EXPECT_EQ(endpoint.port, 7000);
}

TEST(RedisUrl, TlsScheme) {
  const auto endpoint = parse_redis_url("rediss://worker:pw@cache.internal:6380/1");
  EXPECT_TRUE(endpoint.tls);
  EXPECT_EQ(endpoint.host, "cache.internal");
  EXPECT_EQ(endpoint.port, 6380);
  EXPECT_EQ(endpoint.username, "worker");
  EXPECT_EQ(endpoint.database, 1);
  EXPECT_EQ(endpoint.describe(), "rediss://cache.internal:6380/1");
  EXPECT_FALSE(parse_redis_url("redis://cache.internal").tls);
}

TEST(RedisUrl, EncodedSlashInPassword) {
  const auto endpoint = parse_redis_url("redis://:ab%2Fcd@host:6379/3");
  EXPECT_EQ(endpoint.password, "ab/cd");
  EXPECT_EQ(endpoint.host, "host");
  EXPECT_EQ(endpoint.database, 3);
}

// Item 9: an unencoded '/', '?' or '#' in the password used to end the user-info early,
// so the rest of the password became the "database" and was quoted in the error.
TEST(RedisUrl, UnencodedDelimiterInPasswordIsRefusedWithoutQuotingIt) {
  for (const char* url : {"redis://:hunter2/secretpart@host:6379/0", "redis://user:hunter2?secretpart@host:6379",
                          "rediss://:hunter2#secretpart@host", "redis://:hunter2/12@host:6379"}) {
    try {
      parse_redis_url(url);
      ADD_FAILURE() << "accepted " << url;
    } catch (const core::Error& error) {
      const std::string message = error.what();
      EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
      EXPECT_NE(message.find("percent-encode"), std::string::npos) << message;
      for (const char* part : {"hunter2", "secretpart", "12@"}) {
        EXPECT_EQ(message.find(part), std::string::npos) << message;
      }
    }
  }
}

TEST(RedisUrl, Ipv6Describe) { EXPECT_EQ(parse_redis_url("redis://[::1]:7000").describe(), "redis://[::1]:7000"); }

TEST(RedisUrl, UnixSocket) {
  const auto endpoint = parse_redis_url("unix:///run/redis/redis.sock?db=3&password=pw");
  EXPECT_EQ(endpoint.transport, RedisEndpoint::Transport::unix_socket);
  EXPECT_EQ(endpoint.socket_path, "/run/redis/redis.sock");
  EXPECT_EQ(endpoint.database, 3);
  EXPECT_EQ(endpoint.password, "pw");
  EXPECT_EQ(endpoint.describe(), "unix:///run/redis/redis.sock?db=3");
}

TEST(RedisUrl, Rejections) {
  for (const char* url :
       {"", "http://host:1", "rediss://", "redis://", "redis://host:0", "redis://host:99999", "redis://host:abc",
        "redis://host/x", "unix://relative.sock", "unix:///tmp/r.sock?color=red", "redis://[::1"}) {
    try {
      parse_redis_url(url);
      ADD_FAILURE() << "accepted " << url;
    } catch (const core::Error& error) {
      EXPECT_EQ(error.kind(), core::ErrorKind::bad_input) << url;
    }
  }
}

TEST(RedisUrl, ErrorsNeverShowThePassword) {
  try {
    parse_redis_url("redis://:hunter2@host:bad");
    FAIL();
  } catch (const core::Error& error) {
    EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos) << error.what();
  }
}

TEST(RedisOptionsFromEnvironment, CarriesTlsAndSentinels) {
  config::Environment environment;
  environment.redis_url = "rediss://scanner:pw@cache:6380/2";
  environment.redis_ca_file = "/etc/ssl/redis-ca.pem";
  environment.redis_client_cert = "/etc/ssl/client.pem";
  environment.redis_client_key = "/etc/ssl/client.key";
  environment.redis_sentinels = {{"10.0.0.1", 26379}, {"10.0.0.2", 26380}};
  environment.redis_sentinel_master = "mymaster";
  const RedisOptions options = redis_options(environment);
  EXPECT_EQ(options.url, environment.redis_url);
  EXPECT_EQ(options.tls.ca_file, "/etc/ssl/redis-ca.pem");
  EXPECT_EQ(options.tls.client_cert_file, "/etc/ssl/client.pem");
  EXPECT_EQ(options.tls.client_key_file, "/etc/ssl/client.key");
  EXPECT_EQ(options.sentinels, environment.redis_sentinels);
  EXPECT_EQ(options.sentinel_master, "mymaster");
}

// What the worker calls first at start: a bad URL stops it there (exit 2).
TEST(RedisOptionsFromEnvironment, RefusesAnUnencodedSlashWithoutShowingThePassword) {
  config::Environment environment;
  environment.redis_url = "redis://:hunter2/secretpart@cache:6379/0";
  try {
    redis_options(environment);
    FAIL() << "accepted";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::bad_input);
    EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("secretpart"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace sw::queue
