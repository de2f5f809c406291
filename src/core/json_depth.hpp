// A guard for JSON from outside (queue entries, dead letters) before a document is built:
// nlohmann's DOM, its copies, dumps and our redaction recurse once per nesting level, so
// an entry like [[[[...]]]] a million levels deep would overflow the stack. The guard
// counts brackets in one pass with constant stack.
#pragma once

#include <cstddef>
#include <string_view>

namespace sw::core {

// The deepest nesting a queue entry or dead letter may have; a task message needs 3.
inline constexpr std::size_t kMaxJsonNesting = 64;

// True when `text`, read as JSON, opens more than `max_depth` objects and arrays inside
// one another (brackets inside strings do not count). Any text is accepted: what is not
// JSON is left to the parser.
bool json_nesting_exceeds(std::string_view text, std::size_t max_depth = kMaxJsonNesting);

}  // namespace sw::core
