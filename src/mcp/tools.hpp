// The MCP tools: the Python server's nine (run_untrusted_scan, run_authenticated_scan,
// get_scan_status, list_scanners, list_pools, get_pool_status, get_queue_status,
// list_tasks, get_scan_results) with its names, arguments and result shapes, and ours
// (cancel_scan, get_dead_letters, retry_failed_task, list_workers). Each has an input
// schema (unknown arguments refused) and an output schema; docs/mcp.md describes them.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mcp/backend.hpp"

namespace sw::mcp {

struct ToolDefinition {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;
  nlohmann::json output_schema;
};

// A tool's answer: structured (an object matching the output schema) and its text form
// (the JSON, or get_scan_results' JSON-NL). A tool error has is_error and the text only.
struct ToolResult {
  nlohmann::json structured = nlohmann::json::object();
  std::string text;
  bool is_error = false;
};

// progress (rising), total (when known), message.
using ProgressFn = std::function<void(double progress, std::optional<double> total, const std::string& message)>;

const std::vector<ToolDefinition>& tool_definitions();
const ToolDefinition* find_tool(const std::string& name);

// Whether the call reports progress while it runs (get_scan_status with wait_seconds > 0).
bool tool_streams_progress(const std::string& name, const nlohmann::json& arguments);

// Checks the arguments against the tool's input schema and runs it. Bad arguments and
// failures (unknown pool, bad target, task not finished, Redis unreachable...) come back as
// a tool error whose text says what to do; nothing reaches Redis or disk before the
// arguments are checked. `progress` may be empty. The tool must exist (find_tool).
ToolResult call_tool(Backend& backend, const ToolDefinition& tool, const nlohmann::json& arguments,
                     const ProgressFn& progress);

}  // namespace sw::mcp
