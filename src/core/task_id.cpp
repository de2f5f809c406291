// Task id validation and id generation.
#include "core/task_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <ctime>

#include "core/errors.hpp"
#include "core/redact.hpp"

namespace sw::core {

bool is_valid_task_id(std::string_view id) {
  if (id.empty() || id.size() > 128 || id == "." || id == "..") {
    return false;
  }
  for (char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

void require_valid_task_id(std::string_view id) {
  if (!is_valid_task_id(id)) {
    throw Error(ErrorKind::bad_input,
                "invalid task_id '" + redacted_excerpt(id, 140) + "': expected 1-128 characters of [A-Za-z0-9_.-]");
  }
}

std::string random_hex(std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string bytes((digits + 1) / 2, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
    throw Error(ErrorKind::internal, "no random bytes from OpenSSL");
  }
  std::string out;
  out.reserve(digits);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  out.resize(digits);
  return out;
}

std::string generate_task_id(std::chrono::system_clock::time_point now, std::string_view prefix) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> stamp{};
  std::strftime(stamp.data(), stamp.size(), "%Y%m%d_%H%M%S", &tm);
  return std::string(prefix) + "_" + stamp.data() + "_" + random_hex(8);
}

std::string generate_uuid4() {
  std::string hex = random_hex(32);
  hex[12] = '4';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0') & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

}  // namespace sw::core
