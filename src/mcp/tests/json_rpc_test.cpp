// JSON-RPC 2.0 classification and parsing.
#include "mcp/json_rpc.hpp"

#include <gtest/gtest.h>

namespace sw::mcp {
namespace {

int code_of(const nlohmann::json& message) {
  try {
    classify(message);
  } catch (const RpcError& e) {
    return e.code();
  }
  return 0;
}

TEST(JsonRpc, ClassifiesRequestsNotificationsAndResponses) {
  EXPECT_EQ(classify({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}).kind, Incoming::Kind::request);
  EXPECT_EQ(classify({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}).kind, Incoming::Kind::notification);
  EXPECT_EQ(classify({{"jsonrpc", "2.0"}, {"id", "a"}, {"result", nlohmann::json::object()}}).kind,
            Incoming::Kind::response);
}

TEST(JsonRpc, RefusesWhatIsNotJsonRpc) {
  EXPECT_EQ(code_of(nlohmann::json::array()), rpc_code::invalid_request);
  EXPECT_EQ(code_of({{"id", 1}, {"method", "ping"}}), rpc_code::invalid_request);
  EXPECT_EQ(code_of({{"jsonrpc", "2.0"}, {"id", 1.5}, {"method", "ping"}}), rpc_code::invalid_request);
  EXPECT_EQ(code_of({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}, {"params", 3}}), rpc_code::invalid_request);
  try {
    parse_message("{not json");
    FAIL();
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code(), rpc_code::parse_error);
  }
  EXPECT_THROW(parse_message(std::string(100, '[') + std::string(100, ']')), RpcError);
}

}  // namespace
}  // namespace sw::mcp
