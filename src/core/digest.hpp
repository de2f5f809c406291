// SHA-256 of text as lower-case hex, and a comparison whose time does not depend on where
// two strings differ (for secrets such as bearer tokens, compared by their hashes).
#pragma once

#include <string>
#include <string_view>

namespace sw::core {

// 64 lower-case hex digits.
std::string sha256_hex(std::string_view text);

// Equal contents; for equal sizes the time does not depend on the contents.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sw::core
