// The MCP protocol over any transport: the lifecycle (initialize with version negotiation,
// notifications/initialized, ping), tools/list and tools/call, resources (each finished
// task's summary and findings). Tool failures are results with isError; malformed
// messages, unknown methods and unknown tools are JSON-RPC errors.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mcp/backend.hpp"

namespace sw::mcp {

// Newest first; the first is answered to a client asking for a version we do not speak.
const std::vector<std::string>& supported_protocol_versions();
bool is_supported_protocol_version(const std::string& version);

struct SessionState {
  std::string protocol_version;  // negotiated in initialize; empty before
  std::string client_name;
};

// Sends a notification (notifications/progress) to the client of the current request.
using Notify = std::function<void(const nlohmann::json& notification)>;

class Protocol {
 public:
  explicit Protocol(std::string server_version);

  // The answer to one parsed message: the response of a request, nullopt for a
  // notification or a response. `session` is updated by initialize. Never throws.
  std::optional<nlohmann::json> handle(const nlohmann::json& message, SessionState& session, Backend& backend,
                                       const Notify& notify) const;

  // The answer for a message that failed to parse or classify (RpcError): id null.
  static nlohmann::json error_for(int code, const std::string& message);

  static bool is_initialize(const nlohmann::json& message);
  // A tools/call that waits (get_scan_status with wait_seconds): it may hold its thread for
  // minutes, so transports run it apart from the quick calls.
  static bool waits(const nlohmann::json& message);
  // A waiting call whose request carries a progress token: it reports progress.
  static bool streams_progress(const nlohmann::json& message);

 private:
  nlohmann::json dispatch(const std::string& method, const nlohmann::json& params, SessionState& session,
                          Backend& backend, const Notify& notify) const;
  nlohmann::json initialize(const nlohmann::json& params, SessionState& session) const;
  nlohmann::json call_tool(const nlohmann::json& params, Backend& backend, const Notify& notify) const;

  std::string server_version_;
};

}  // namespace sw::mcp
