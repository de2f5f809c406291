// The stdio transport (scanner-mcp --stdio): newline-delimited JSON-RPC messages on the
// input, answers and notifications on the output, one line each; logs go elsewhere
// (stderr). Messages are handled one after the other; a line over the size limit or that
// is not JSON is answered with a JSON-RPC error and the session goes on.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>

#include "mcp/backend.hpp"
#include "mcp/protocol.hpp"

namespace sw::mcp {

// Until the input ends. Returns the number of messages handled.
std::size_t serve_stdio(std::istream& in, std::ostream& out, const Protocol& protocol, Backend& backend,
                        std::size_t max_line_bytes = 1 << 20);

}  // namespace sw::mcp
