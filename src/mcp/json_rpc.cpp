// JSON-RPC 2.0 messages.
#include "mcp/json_rpc.hpp"

#include "core/json_depth.hpp"

namespace sw::mcp {

nlohmann::json result_message(const nlohmann::json& id, nlohmann::json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json error_message(const nlohmann::json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

nlohmann::json notification_message(const std::string& method, nlohmann::json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

Incoming classify(const nlohmann::json& message) {
  if (!message.is_object()) {
    throw RpcError(rpc_code::invalid_request, "a message must be one JSON-RPC 2.0 object (batches are not supported)");
  }
  const auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    throw RpcError(rpc_code::invalid_request, "\"jsonrpc\": \"2.0\" is required");
  }
  Incoming incoming;
  const auto id = message.find("id");
  const bool has_id = id != message.end();
  if (has_id && !id->is_string() && !id->is_number_integer()) {
    throw RpcError(rpc_code::invalid_request, "the id must be a string or an integer");
  }
  if (has_id) incoming.id = *id;
  const auto method = message.find("method");
  if (method == message.end()) {
    if (!has_id || (!message.contains("result") && !message.contains("error"))) {
      throw RpcError(rpc_code::invalid_request, "a message needs a method, or an id with a result or an error");
    }
    incoming.kind = Incoming::Kind::response;
    return incoming;
  }
  if (!method->is_string()) throw RpcError(rpc_code::invalid_request, "the method must be a string");
  incoming.method = method->get<std::string>();
  incoming.kind = has_id ? Incoming::Kind::request : Incoming::Kind::notification;
  const auto params = message.find("params");
  if (params != message.end() && !params->is_null()) {
    if (!params->is_object()) throw RpcError(rpc_code::invalid_request, "params must be an object");
    incoming.params = *params;
  }
  return incoming;
}

nlohmann::json parse_message(const std::string& text) {
  if (core::json_nesting_exceeds(text, core::kMaxJsonNesting)) {
    throw RpcError(rpc_code::parse_error, "the message is nested too deeply");
  }
  nlohmann::json message = nlohmann::json::parse(text, nullptr, false);
  if (message.is_discarded()) throw RpcError(rpc_code::parse_error, "the message is not JSON");
  return message;
}

}  // namespace sw::mcp
