// Character rules of XML 1.0 as the byte scanner applies them, the way expat does for
// UTF-8 input: name characters (ASCII only: anything else is left to expat), the
// characters text must stop at, UTF-8 sequences, character and entity references.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sw::results::detail {

bool is_name_start(char c);
bool is_name_char(char c);
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
