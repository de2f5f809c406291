// Typed reading of configuration text: booleans, integers and numbers, strict (the whole
// text must be the value; surrounding blanks are allowed).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sw::config {

// true/false, yes/no, on/off, 1/0; case-insensitive.
std::optional<bool> parse_bool(std::string_view text);

// A decimal integer with an optional sign.
std::optional<std::int64_t> parse_integer(std::string_view text);

// A finite decimal number ("1", "0.25", "1e3").
std::optional<double> parse_number(std::string_view text);

}  // namespace sw::config
