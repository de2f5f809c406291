// XML character rules of the byte scanner (xml_chars.hpp); the text search uses SSE2,
// 16 bytes a step, where the compiler targets it.
#include "results/xml_chars.hpp"

#include <charconv>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sw::results::detail {

std::size_t find_text_special(const char* begin, const char* end) {
  const char* p = begin;
#if defined(__SSE2__)
  const __m128i lt = _mm_set1_epi8('<');
  const __m128i amp = _mm_set1_epi8('&');
  const __m128i bracket = _mm_set1_epi8(']');
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i newline = _mm_set1_epi8('\n');
  for (; end - p >= 16; p += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so "below space" catches them too.
    const __m128i low = _mm_cmplt_epi8(v, space);
    const __m128i allowed_low = _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, newline));
    const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)),
                                         _mm_or_si128(_mm_cmpeq_epi8(v, bracket), _mm_andnot_si128(allowed_low, low)));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return static_cast<std::size_t>(p - begin) + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  for (; p < end; ++p) {
    if (byte_classes[static_cast<unsigned char>(*p)] & text_special_class) break;
  }
  return static_cast<std::size_t>(p - begin);
}

int utf8_sequence_length(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  int length = 0;
  std::uint32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07u;
  } else {
    return 0;
  }
  for (int i = 1; i < length; ++i) {
    if (static_cast<std::size_t>(i) >= text.size()) return -1;
    if ((byte(static_cast<std::size_t>(i)) & 0xC0u) != 0x80u) return 0;
    code_point = (code_point << 6) | (byte(static_cast<std::size_t>(i)) & 0x3Fu);
  }
  const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < smallest[length] || !is_xml_char(code_point)) return 0;
  return length;
}

bool is_xml_char(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

void append_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::optional<Reference> decode_reference(std::string_view text) {
  const auto semicolon = text.substr(0, reference_max_length).find(';');
  if (semicolon == std::string_view::npos) return std::nullopt;
  const std::string_view body = text.substr(1, semicolon - 1);
  Reference reference{semicolon + 1, {}};
  if (body == "lt")
    reference.replacement = "<";
  else if (body == "gt")
    reference.replacement = ">";
  else if (body == "amp")
    reference.replacement = "&";
  else if (body == "quot")
    reference.replacement = "\"";
  else if (body == "apos")
    reference.replacement = "'";
  if (!reference.replacement.empty()) return reference;
  if (body.size() < 2 || body[0] != '#') return std::nullopt;
  const bool hex = body[1] == 'x';
  const std::string_view digits = body.substr(hex ? 2 : 1);
  std::uint32_t code_point = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), code_point, hex ? 16 : 10);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || !is_xml_char(code_point)) {
    return std::nullopt;
  }
  append_utf8(reference.replacement, code_point);
  return reference;
}

}  // namespace sw::results::detail
