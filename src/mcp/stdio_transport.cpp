// Newline-delimited JSON-RPC over a pair of streams.
#include "mcp/stdio_transport.hpp"

#include <string>

#include "mcp/json_rpc.hpp"

namespace sw::mcp {
namespace {

void write_line(std::ostream& out, const nlohmann::json& message) {
  out << message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.flush();
}

// Reads one line of at most `limit` bytes; a longer one is consumed to its end and
// reported as too long. False at the end of the input.
bool read_line(std::istream& in, std::string& line, std::size_t limit, bool& too_long) {
  line.clear();
  too_long = false;
  char c = 0;
  bool any = false;
  while (in.get(c)) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < limit) {
      line.push_back(c);
    } else {
      too_long = true;
    }
  }
  return any;
}

}  // namespace

std::size_t serve_stdio(std::istream& in, std::ostream& out, const Protocol& protocol, Backend& backend,
                        std::size_t max_line_bytes) {
  SessionState session;
  const Notify notify = [&out](const nlohmann::json& notification) { write_line(out, notification); };
  std::size_t handled = 0;
  std::string line;
  bool too_long = false;
  while (read_line(in, line, max_line_bytes, too_long)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!too_long && line.find_first_not_of(" \t") == std::string::npos) continue;
    ++handled;
    if (too_long) {
      write_line(out, Protocol::error_for(rpc_code::invalid_request,
                                          "the message is over " + std::to_string(max_line_bytes) + " bytes"));
      continue;
    }
    nlohmann::json message;
    try {
      message = parse_message(line);
    } catch (const RpcError& e) {
      write_line(out, Protocol::error_for(e.code(), e.what()));
      continue;
    }
    if (const auto answer = protocol.handle(message, session, backend, notify)) write_line(out, *answer);
  }
  return handled;
}

}  // namespace sw::mcp
