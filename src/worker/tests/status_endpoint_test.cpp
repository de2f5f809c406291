// Tests of the listen-address parsing of the status endpoint.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "config/environment.hpp"
#include "worker/status_endpoint.hpp"

namespace sw::worker {
namespace {

TEST(StatusEndpoint, ParsesListenAddress) {
  EXPECT_EQ(config::parse_listen_address("127.0.0.1:9109"), (std::pair<std::string, std::uint16_t>{"127.0.0.1", 9109}));
  EXPECT_EQ(config::parse_listen_address("[::1]:0"), (std::pair<std::string, std::uint16_t>{"::1", 0}));
  for (const char* bad : {"9109", ":9109", "host:", "host:abc", "host:70000", "host:1x"}) {
    EXPECT_THROW(config::parse_listen_address(bad), core::Error) << bad;
  }
}

}  // namespace
}  // namespace sw::worker
