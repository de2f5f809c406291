// The HTTP transport's checks that need no server: origins and the tokens file.
#include "mcp/http_transport.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/digest.hpp"
#include "core/errors.hpp"

namespace sw::mcp {
namespace {

TEST(HttpTransport, OriginsDefaultToLoopback) {
  for (const char* origin :
       {"http://localhost", "http://localhost:6274", "https://127.0.0.1:8000", "http://[::1]:3000"}) {
    EXPECT_TRUE(origin_allowed(origin, {})) << origin;
  }
  for (const char* origin : {"http://evil.example", "http://localhost.evil.example", "null", "http://127.0.0.1.evil:80",
                             "http://localhost:80x"}) {
    EXPECT_FALSE(origin_allowed(origin, {})) << origin;
  }
  EXPECT_TRUE(origin_allowed("https://app.example/", {"https://app.example"}));
  EXPECT_FALSE(origin_allowed("http://localhost", {"https://app.example"}));
}

TEST(HttpTransport, TokensFileIsHashedAndMustBePrivate) {
  const std::string path = ::testing::TempDir() + "/mcp-tokens";
  {
    std::ofstream out(path);
    out << "# comment\n\n  token-one  \ntoken-two\n";
  }
  ::chmod(path.c_str(), 0644);
  EXPECT_THROW(load_token_hashes(path), core::Error);
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(load_token_hashes(path),
            (std::vector<std::string>{core::sha256_hex("token-one"), core::sha256_hex("token-two")}));
  EXPECT_THROW(load_token_hashes(path + ".missing"), core::Error);
}

}  // namespace
}  // namespace sw::mcp
