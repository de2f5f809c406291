// UTF-8-safe cutting and control-character escaping.
#include "core/text.hpp"

#include <algorithm>

namespace sw::core {

namespace {

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

}  // namespace

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (max_bytes >= text.size()) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && is_utf8_continuation(text[cut])) {
    --cut;  // text[cut] starts the character that would be split
  }
  return text.substr(0, cut);
}

std::string escape_control_characters(std::string_view text) {
  if (std::none_of(text.begin(), text.end(), is_control)) return std::string(text);
  constexpr std::string_view kHexDigits = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 16);
  for (const char c : text) {
    if (!is_control(c)) {
      out.push_back(c);
      continue;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        out += "\\x";
        out.push_back(kHexDigits[byte >> 4]);
        out.push_back(kHexDigits[byte & 0x0F]);
      }
    }
  }
  return out;
}

}  // namespace sw::core
