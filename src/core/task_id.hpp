// Task ids and trace ids: validation (an id is never trusted as a path) and generation
// in the Python producer's formats.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sw::core {

// [A-Za-z0-9_.-]{1,128}, and neither "." nor "..".
bool is_valid_task_id(std::string_view id);

// Throws Error(bad_input) naming the id when it is not valid.
void require_valid_task_id(std::string_view id);

// "ne_scan_20251201_143022_a1b2c3d4": prefix, UTC date and time, 8 random hex digits.
std::string generate_task_id(std::chrono::system_clock::time_point now, std::string_view prefix = "ne_scan");

// A random RFC 4122 version 4 UUID, lower case.
std::string generate_uuid4();

// n random lower-case hex digits from a cryptographic source.
std::string random_hex(std::size_t digits);

}  // namespace sw::core
