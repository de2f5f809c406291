// Character rules of XML 1.0 as the byte scanner applies them, the way expat does for
// UTF-8 input: name characters (ASCII only: anything else is left to expat), the
// characters text must stop at, UTF-8 sequences, character and entity references.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sw::results::detail {

// Byte classes: inline, since they run for every byte of every name.
enum : std::uint8_t { name_start_class = 1, name_char_class = 2, text_special_class = 4 };

constexpr std::array<std::uint8_t, 256> make_byte_classes() {
  std::array<std::uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    std::uint8_t k = 0;
    if (letter || c == '_' || c == ':') k |= name_start_class;
    if (letter || digit || c == '_' || c == ':' || c == '-' || c == '.') k |= name_char_class;
    if (c == '<' || c == '&' || c == ']' || c == '\r' || c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n')) {
      k |= text_special_class;
    }
    classes[static_cast<std::size_t>(c)] = k;
  }
  return classes;
}

inline constexpr std::array<std::uint8_t, 256> byte_classes = make_byte_classes();

inline bool is_name_start(char c) { return (byte_classes[static_cast<unsigned char>(c)] & name_start_class) != 0; }
inline bool is_name_char(char c) { return (byte_classes[static_cast<unsigned char>(c)] & name_char_class) != 0; }
inline bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Index in [begin, end) of the first byte text cannot simply pass over: '<', '&', ']',
// '\r', a control character other than tab and line feed, or a byte of a multi-byte
// UTF-8 sequence; end - begin when there is none.
std::size_t find_text_special(const char* begin, const char* end);

// Length (2-4) of the UTF-8 sequence at `text` when it is one expat accepts as a
// character (not overlong, no surrogate, not U+FFFE/U+FFFF, at most U+10FFFF); 0 when it
// is not; -1 when `text` ends before the sequence does.
int utf8_sequence_length(std::string_view text);

// Whether a code point is an XML Char (what a character reference may produce).
bool is_xml_char(std::uint32_t code_point);
void append_utf8(std::string& out, std::uint32_t code_point);

// The reference at the start of `text` (which starts with '&'): its length through ';'
// and what it stands for (one of the five predefined entities or a character reference
// to an XML Char). nullopt for anything else, or when `text` ends before ';' (check
// `text.size()` against reference_max_length to tell the two apart).
struct Reference {
  std::size_t length = 0;
  std::string replacement;
};
inline constexpr std::size_t reference_max_length = 32;
std::optional<Reference> decode_reference(std::string_view text);

}  // namespace sw::results::detail
