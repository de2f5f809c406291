// JSON-RPC 2.0 messages as MCP uses them (no batches since 2025-06-18): the error codes,
// building results, errors and notifications, and sorting an incoming message into a
// request, a notification or a response.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace sw::mcp {

namespace rpc_code {
inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int internal_error = -32603;
inline constexpr int resource_not_found = -32002;  // MCP: resources/read of an unknown URI
}  // namespace rpc_code

// A protocol error: answered as a JSON-RPC error object.
class RpcError : public std::runtime_error {
 public:
  RpcError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

nlohmann::json result_message(const nlohmann::json& id, nlohmann::json result);
nlohmann::json error_message(const nlohmann::json& id, int code, const std::string& message);
nlohmann::json notification_message(const std::string& method, nlohmann::json params);

struct Incoming {
  enum class Kind { request, notification, response };
  Kind kind = Kind::request;
  nlohmann::json id;  // requests and responses: a string or an integer
  std::string method;
  nlohmann::json params = nlohmann::json::object();
};

// Sorts a parsed message. Throws RpcError(invalid_request) for anything that is not a
// JSON-RPC 2.0 object (an array, a missing "jsonrpc", an id that is neither a string nor
// an integer, params that are not an object).
Incoming classify(const nlohmann::json& message);

// Parses text; throws RpcError(parse_error) when it is not JSON (nesting over 64 levels
// included: checked before a document is built).
nlohmann::json parse_message(const std::string& text);

}  // namespace sw::mcp
