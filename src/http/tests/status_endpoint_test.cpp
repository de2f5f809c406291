// Tests of the listen-address parsing of the status endpoint.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "http/status_endpoint.hpp"

namespace sw::http {
namespace {

TEST(StatusEndpoint, ParsesListenAddress) {
  EXPECT_EQ(parse_listen_address("METRICS_ADDR", "127.0.0.1:9109"), (std::pair<std::string, std::uint16_t>{"127.0.0.1", 9109}));
  EXPECT_EQ(parse_listen_address("METRICS_ADDR", "[::1]:0"), (std::pair<std::string, std::uint16_t>{"::1", 0}));
  for (const char* bad : {"9109", ":9109", "host:", "host:abc", "host:70000", "host:1x"}) {
    EXPECT_THROW(parse_listen_address("METRICS_ADDR", bad), core::Error) << bad;
  }
}

}  // namespace
}  // namespace sw::http
