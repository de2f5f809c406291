// Byte-level helpers for foreign text (queue entries, scanner bodies, task ids) that is
// put into messages, log lines and DLQ entries: cutting it short without splitting a UTF-8
// character, and making control characters visible so that no input can start a new line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sw::core {

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a
// UTF-8 multi-byte sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// `text` with every control character escaped: \n, \r, \t and NUL as "\n", "\r", "\t" and
// "\0", the other bytes below 0x20 and 0x7f as "\xHH". Other bytes are kept as they are.
std::string escape_control_characters(std::string_view text);

}  // namespace sw::core
