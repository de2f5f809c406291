// MCP lifecycle, tools and resources over JSON-RPC.
#include "mcp/protocol.hpp"

#include <exception>

#include "core/errors.hpp"
#include "core/task_id.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/tools.hpp"
#include "store/task_store.hpp"

namespace sw::mcp {
namespace {

using nlohmann::json;

constexpr std::size_t resources_per_page = 50;
constexpr const char* instructions =
    "Vulnerability scans on Nessus through a queue of workers. Submit with run_untrusted_scan or "
    "run_authenticated_scan (each returns a task_id at once), follow with get_scan_status (wait_seconds waits for "
    "the end), then read findings with get_scan_results, page by page. list_tasks finds earlier scans by target.";

json tool_json(const ToolDefinition& tool) {
  return {{"name", tool.name},
          {"title", tool.title},
          {"description", tool.description},
          {"inputSchema", tool.input_schema},
          {"outputSchema", tool.output_schema}};
}

json tool_result_json(const ToolResult& result) {
  json content = json::array({{{"type", "text"}, {"text", result.text}}});
  if (result.is_error) return {{"content", std::move(content)}, {"isError", true}};
  return {{"content", std::move(content)}, {"structuredContent", result.structured}, {"isError", false}};
}

// scan://{task_id}/summary or scan://{task_id}/findings?page=N.
struct ResourceUri {
  std::string task_id;
  bool findings = false;
  int page = 1;
};

std::optional<ResourceUri> parse_resource_uri(const std::string& uri) {
  const std::string scheme = "scan://";
  if (uri.rfind(scheme, 0) != 0) return std::nullopt;
  const auto slash = uri.find('/', scheme.size());
  if (slash == std::string::npos) return std::nullopt;
  ResourceUri parsed;
  parsed.task_id = uri.substr(scheme.size(), slash - scheme.size());
  if (!core::is_valid_task_id(parsed.task_id)) return std::nullopt;
  const std::string rest = uri.substr(slash + 1);
  if (rest == "summary") return parsed;
  parsed.findings = true;
  if (rest == "findings") return parsed;
  const std::string prefix = "findings?page=";
  if (rest.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string number = rest.substr(prefix.size());
  if (number.empty() || number.size() > 7 || number.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  parsed.page = std::stoi(number);
  return parsed;
}

json list_resources(const json& params, Backend& backend) {
  std::size_t offset = 0;
  if (params.contains("cursor")) {
    const json& cursor = params["cursor"];
    const std::string text = cursor.is_string() ? cursor.get<std::string>() : "";
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
      throw RpcError(rpc_code::invalid_params, "bad cursor");
    }
    offset = std::stoul(text);
  }
  store::TaskFilter filter;
  filter.status = core::TaskStatus::completed;
  filter.limit = offset + resources_per_page + 1;
  const auto tasks = backend.store().list(filter);
  json resources = json::array();
  for (std::size_t i = offset; i < tasks.size() && i < offset + resources_per_page; ++i) {
    const auto& task = tasks[i];
    const std::string name = task.payload.value("name", task.task_id);
    resources.push_back({{"uri", "scan://" + task.task_id + "/summary"},
                         {"name", task.task_id + "-summary"},
                         {"title", "Summary of " + name},
                         {"mimeType", "application/json"}});
    resources.push_back({{"uri", "scan://" + task.task_id + "/findings?page=1"},
                         {"name", task.task_id + "-findings"},
                         {"title", "Findings of " + name + " (page 1)"},
                         {"mimeType", "application/x-ndjson"}});
  }
  json result{{"resources", std::move(resources)}};
  if (tasks.size() > offset + resources_per_page) result["nextCursor"] = std::to_string(offset + resources_per_page);
  return result;
}

json resource_templates() {
  return {{"resourceTemplates", json::array({{{"uriTemplate", "scan://{task_id}/summary"},
                                              {"name", "scan-summary"},
                                              {"title", "A scan's status and result summary"},
                                              {"mimeType", "application/json"}},
                                             {{"uriTemplate", "scan://{task_id}/findings?page={page}"},
                                              {"name", "scan-findings"},
                                              {"title", "A page of a completed scan's findings (JSON-NL)"},
                                              {"mimeType", "application/x-ndjson"}}})}};
}

json read_resource(const json& params, Backend& backend) {
  const std::string uri = params.value("uri", "");
  const auto parsed = parse_resource_uri(uri);
  if (!parsed) throw RpcError(rpc_code::resource_not_found, "unknown resource " + uri);
  const ToolDefinition& tool = *find_tool(parsed->findings ? "get_scan_results" : "get_scan_status");
  json arguments{{"task_id", parsed->task_id}};
  if (parsed->findings) arguments["page"] = parsed->page;
  const ToolResult result = call_tool(backend, tool, arguments, {});
  if (result.is_error) throw RpcError(rpc_code::resource_not_found, uri + ": " + result.text);
  return {{"contents", json::array({{{"uri", uri},
                                     {"mimeType", parsed->findings ? "application/x-ndjson" : "application/json"},
                                     {"text", result.text}}})}};
}

}  // namespace

const std::vector<std::string>& supported_protocol_versions() {
  static const std::vector<std::string> versions{"2025-11-25", "2025-06-18"};
  return versions;
}

bool is_supported_protocol_version(const std::string& version) {
  for (const auto& supported : supported_protocol_versions()) {
    if (supported == version) return true;
  }
  return false;
}

Protocol::Protocol(std::string server_version) : server_version_(std::move(server_version)) {}

json Protocol::error_for(int code, const std::string& message) { return error_message(nullptr, code, message); }

bool Protocol::is_initialize(const json& message) {
  return message.is_object() && message.value("method", "") == "initialize" && message.contains("id");
}

bool Protocol::waits(const json& message) {
  if (!message.is_object() || message.value("method", "") != "tools/call" || !message.contains("id")) return false;
  const json params = message.value("params", json::object());
  if (!params.is_object()) return false;
  const json name = params.value("name", json());
  return name.is_string() && tool_streams_progress(name.get<std::string>(), params.value("arguments", json::object()));
}

bool Protocol::streams_progress(const json& message) {
  if (!waits(message)) return false;
  const json meta = message["params"].value("_meta", json::object());
  return meta.is_object() && meta.contains("progressToken");
}

std::optional<json> Protocol::handle(const json& message, SessionState& session, Backend& backend,
                                     const Notify& notify) const {
  Incoming incoming;
  try {
    incoming = classify(message);
  } catch (const RpcError& e) {
    const json id = message.is_object() && message.contains("id") &&
                            (message["id"].is_string() || message["id"].is_number_integer())
                        ? message["id"]
                        : json(nullptr);
    return error_message(id, e.code(), e.what());
  }
  if (incoming.kind != Incoming::Kind::request) return std::nullopt;
  try {
    return result_message(incoming.id, dispatch(incoming.method, incoming.params, session, backend, notify));
  } catch (const RpcError& e) {
    return error_message(incoming.id, e.code(), e.what());
  } catch (const core::Error& e) {
    return error_message(incoming.id, rpc_code::internal_error, e.what());
  } catch (const std::exception& e) {
    return error_message(incoming.id, rpc_code::internal_error, std::string("internal error: ") + e.what());
  }
}

json Protocol::dispatch(const std::string& method, const json& params, SessionState& session, Backend& backend,
                        const Notify& notify) const {
  if (method == "initialize") return initialize(params, session);
  if (method == "ping") return json::object();
  if (session.protocol_version.empty()) {
    throw RpcError(rpc_code::invalid_request, "the session is not initialized: send initialize first");
  }
  if (method == "tools/list") {
    json tools = json::array();
    for (const auto& tool : tool_definitions()) tools.push_back(tool_json(tool));
    return {{"tools", std::move(tools)}};
  }
  if (method == "tools/call") return call_tool(params, backend, notify);
  if (method == "resources/list") return list_resources(params, backend);
  if (method == "resources/templates/list") return resource_templates();
  if (method == "resources/read") return read_resource(params, backend);
  throw RpcError(rpc_code::method_not_found, "method not found: " + method);
}

json Protocol::initialize(const json& params, SessionState& session) const {
  const json requested = params.value("protocolVersion", json());
  if (!requested.is_string()) throw RpcError(rpc_code::invalid_params, "initialize needs a protocolVersion string");
  const std::string version = requested.get<std::string>();
  session.protocol_version = is_supported_protocol_version(version) ? version : supported_protocol_versions().front();
  const json client = params.value("clientInfo", json::object());
  session.client_name = client.is_object() ? client.value("name", "") : "";
  return {
      {"protocolVersion", session.protocol_version},
      {"capabilities",
       {{"tools", {{"listChanged", false}}}, {"resources", {{"listChanged", false}, {"subscribe", false}}}}},
      {"serverInfo", {{"name", "scanner-mcp"}, {"title", "Scanner Worker MCP server"}, {"version", server_version_}}},
      {"instructions", instructions}};
}

json Protocol::call_tool(const json& params, Backend& backend, const Notify& notify) const {
  const json name = params.value("name", json());
  if (!name.is_string()) throw RpcError(rpc_code::invalid_params, "tools/call needs a tool name");
  const ToolDefinition* tool = find_tool(name.get<std::string>());
  if (tool == nullptr) {
    std::string known;
    for (const auto& definition : tool_definitions()) known += (known.empty() ? "" : ", ") + definition.name;
    throw RpcError(rpc_code::invalid_params, "unknown tool '" + name.get<std::string>() + "' (tools: " + known + ")");
  }
  const json arguments = params.value("arguments", json::object());
  ProgressFn progress;
  const json meta = params.value("_meta", json::object());
  if (notify && meta.is_object() && meta.contains("progressToken")) {
    const json token = meta["progressToken"];
    progress = [token, &notify](double value, std::optional<double> total, const std::string& message) {
      json notification_params{{"progressToken", token}, {"progress", value}, {"message", message}};
      if (total) notification_params["total"] = *total;
      notify(notification_message("notifications/progress", std::move(notification_params)));
    };
  }
  return tool_result_json(mcp::call_tool(backend, *tool, arguments, progress));
}

}  // namespace sw::mcp
