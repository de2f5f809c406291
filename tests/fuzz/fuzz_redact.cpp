// libFuzzer target for secret redaction and the other readers of foreign text in core:
// redact_text, redacted_excerpt, escape_control_characters, json_nesting_exceeds and
// redact_secrets (on what parses, after the nesting guard). Any text, of any size, must
// be read in linear time and constant stack, and a secret planted in front of the input
// must never survive, whatever follows it and wherever the text is cut.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_depth.hpp"
#include "core/redact.hpp"
#include "core/text.hpp"

namespace {

constexpr std::string_view kSecret = "Q9x7hunter2";
constexpr std::string_view kSecretStart = kSecret.substr(0, 4);

// The ways a secret value starts in the text the worker redacts: JSON, key=value, a
// quoted assignment, JSON escaped inside a JSON string.
constexpr std::string_view kSecretPrefixes[] = {R"({"password":")", "password=", "api_key: '", R"({\"token\":\")"};

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  (void)sw::core::redact_text(input);
  (void)sw::core::redacted_excerpt(input, size / 2);

  for (const char c : sw::core::escape_control_characters(input)) {
    require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  }

  if (!sw::core::json_nesting_exceeds(input)) {
    const auto json = nlohmann::json::parse(input, nullptr, false);
    if (!json.is_discarded()) {
      (void)sw::core::redact_secrets(json).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }

  if (input.find(kSecretStart) == std::string_view::npos) {
    const std::string_view prefix = kSecretPrefixes[size % std::size(kSecretPrefixes)];
    const std::string text = std::string(prefix) + std::string(kSecret) + std::string(input);
    require(sw::core::redact_text(text).find(kSecretStart) == std::string::npos);
    // Cut inside the secret or just after it.
    const std::size_t cut = prefix.size() + (size / std::size(kSecretPrefixes)) % (kSecret.size() + 1);
    require(sw::core::redacted_excerpt(text, cut).find(kSecretStart) == std::string::npos);
  }
  return 0;
}
