// The byte scanner (byte_scanner.hpp): a 1 MiB window over the file, refilled as tokens
// need it; text is passed over with find_text_special and decoded only while the walker
// collects it. Leaving the subset throws Unusual, which scan_nessus turns into false.
#include "results/byte_scanner.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "results/document_walker.hpp"
#include "results/xml_chars.hpp"

namespace sw::results {
namespace {

using detail::Attribute;
using detail::is_space;

constexpr std::size_t window_bytes = 1 << 20;
constexpr std::size_t prolog_bytes = 4096;
constexpr std::size_t first_tag_bytes = 512;
constexpr std::size_t max_depth = 1024;
constexpr std::size_t max_attributes = 64;

struct Unusual {};
[[noreturn]] void unusual() { throw Unusual{}; }

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The pseudo-attributes of an XML declaration: version 1.0, then an optional encoding
// (UTF-8 only) and standalone. Anything else is for expat to judge.
void check_xml_declaration(std::string_view text) {
  static constexpr std::string_view names[] = {"version", "encoding", "standalone"};
  std::size_t next_name = 0;
  std::size_t i = 0;
  for (;;) {
    const std::size_t before = i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size()) break;
    if (i == before) unusual();
    const std::size_t name_begin = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    const std::string_view name = text.substr(name_begin, i - name_begin);
    if (next_name == 0 && name != "version") unusual();
    while (next_name < 3 && names[next_name] != name) ++next_name;
    if (next_name == 3) unusual();
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size() || text[i] != '=') unusual();
    ++i;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size() || (text[i] != '"' && text[i] != '\'')) unusual();
    const auto close = text.find(text[i], i + 1);
    if (close == std::string_view::npos) unusual();
    const std::string_view value = text.substr(i + 1, close - i - 1);
    i = close + 1;
    const bool good = name == "version"    ? value == "1.0"
                      : name == "encoding" ? iequals_ascii(value, "UTF-8")
                                           : value == "yes" || value == "no";
    if (!good) unusual();
    ++next_name;
  }
  if (next_name == 0) unusual();
}

class Scanner {
 public:
  Scanner(int fd, NessusVisitor& visitor, const ReadOptions& options)
      : fd_(fd), window_(window_bytes), walker_(visitor, options), values_(max_attributes) {}

  void run() {
    prolog();
    start_tag();
    while (!ends_.empty()) content_step();
    for (skip_spaces(); available(1); skip_spaces()) {
      if (!starts_with("<!--")) unusual();
      token(&Scanner::parse_comment);
    }
  }

 private:
  // Makes at least `n` bytes from pos_ readable, moving the unread bytes to the front of
  // the window; false when the file ends first.
  bool available(std::size_t n) {
    if (end_ - pos_ >= n) return true;
    if (n > window_.size()) unusual();
    if (eof_) return false;
    if (pos_ > 0) {
      std::memmove(window_.data(), window_.data() + pos_, end_ - pos_);
      base_ += pos_;
      end_ -= pos_;
      pos_ = 0;
    }
    while (end_ < n && !eof_) {
      const ssize_t got = ::read(fd_, window_.data() + end_, window_.size() - end_);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) unusual();
      if (got == 0) eof_ = true;
      end_ += static_cast<std::size_t>(got);
    }
    return end_ >= n;
  }

  bool starts_with(std::string_view text) {
    return available(text.size()) && std::string_view(window_.data() + pos_, text.size()) == text;
  }

  std::string_view view(std::size_t from, std::size_t to) const { return {window_.data() + from, to - from}; }

  void skip_spaces() {
    do {
      while (pos_ < end_ && is_space(window_[pos_])) ++pos_;
    } while (pos_ == end_ && available(1));
  }

  void emit(std::string_view text) {
    if (walker_.collecting()) walker_.text(text);
  }

  // The XML declaration, a plain DOCTYPE, spaces, up to the root's '<'.
  void prolog() {
    available(prolog_bytes);
    if (starts_with("\xEF\xBB\xBF")) pos_ += 3;
    if (starts_with("<?xml") && end_ - pos_ > 5 && is_space(window_[pos_ + 5])) {
      const auto close = view(pos_, end_).find("?>");
      if (close == std::string_view::npos) unusual();
      check_xml_declaration(view(pos_ + 5, pos_ + close));
      pos_ += close + 2;
    }
    bool doctype_seen = false;
    for (;;) {
      skip_spaces();
      if (!available(2) || window_[pos_] != '<') unusual();
      if (detail::is_name_start(window_[pos_ + 1])) return;
      if (starts_with("<!--")) {
        token(&Scanner::parse_comment);
        continue;
      }
      if (doctype_seen || !starts_with("<!DOCTYPE")) unusual();
      doctype_seen = true;
      available(prolog_bytes);
      std::size_t i = pos_ + 9;
      const std::size_t name_begin = i;
      while (i < end_ && is_space(window_[i])) ++i;
      if (i == name_begin || i == end_ || !detail::is_name_start(window_[i])) unusual();
      while (i < end_ && detail::is_name_char(window_[i])) ++i;
      while (i < end_ && is_space(window_[i])) ++i;
      if (i == end_ || window_[i] != '>') unusual();
      pos_ = i + 1;
    }
  }

  // Text up to the next thing that needs a look, then that thing.
  void content_step() {
    if (pos_ == end_ && !available(1)) unusual();
    const std::size_t run = detail::find_text_special(window_.data() + pos_, window_.data() + end_);
    if (run > 0) {
      emit(view(pos_, pos_ + run));
      pos_ += run;
      if (pos_ == end_) return;
    }
    switch (window_[pos_]) {
      case '<':
        if (!available(2)) unusual();
        if (window_[pos_ + 1] == '/')
          end_tag();
        else if (detail::is_name_start(window_[pos_ + 1]))
          start_tag();
        else if (starts_with("<!--"))
          token(&Scanner::parse_comment);
        else
          unusual();
        return;
      case '&': {
        available(detail::reference_max_length);
        const auto reference = detail::decode_reference(view(pos_, end_));
        if (!reference) unusual();
        emit(reference->replacement);
        pos_ += reference->length;
        return;
      }
      case ']':
        if (!available(3) || view(pos_, pos_ + 3) == "]]>") unusual();
        emit("]");
        ++pos_;
        return;
      case '\r': {
        const bool pair = available(2) && window_[pos_ + 1] == '\n';
        emit("\n");
        pos_ += pair ? 2 : 1;
        return;
      }
      default: {
        available(4);
        const int length = detail::utf8_sequence_length(view(pos_, end_));
        if (length <= 0) unusual();
        emit(view(pos_, pos_ + static_cast<std::size_t>(length)));
        pos_ += static_cast<std::size_t>(length);
      }
    }
  }

  // Parses the token at pos_ with `parse`, growing the window until it fits.
  template <typename Parse>
  void token(Parse parse) {
    for (std::size_t want = first_tag_bytes;; want *= 2) {
      if (want > window_.size()) unusual();
      available(want);
      if ((this->*parse)()) return;
      if (eof_) unusual();
    }
  }

  void start_tag() { token(&Scanner::parse_start_tag); }
  void end_tag() { token(&Scanner::parse_end_tag); }

  // An attribute value in [begin, end) that holds references or white space to
  // normalise, decoded into values_[slot].
  std::string_view decode_value(std::size_t begin, std::size_t end, std::size_t slot) {
    std::string& out = values_[slot];
    out.clear();
    for (std::size_t i = begin; i < end;) {
      const char c = window_[i];
      if (c == '&') {
        const auto reference = detail::decode_reference(view(i, end));
        if (!reference) unusual();
        out += reference->replacement;
        i += reference->length;
        continue;
      }
      if (c == '\r' && i + 1 < end && window_[i + 1] == '\n') ++i;
      out += is_space(c) ? ' ' : c;
      ++i;
    }
    return out;
  }

  // False when the window ends inside the tag.
  bool parse_start_tag() {
    const char* const data = window_.data();
    const std::size_t limit = end_;
    std::size_t i = pos_ + 1;
    while (i < limit && detail::is_name_char(data[i])) ++i;
    if (i == limit) return false;
    const std::string_view name = view(pos_ + 1, i);
    attributes_.clear();
    bool empty = false;
    for (;;) {
      const std::size_t before = i;
      while (i < limit && is_space(data[i])) ++i;
      if (i == limit) return false;
      if (data[i] == '>') {
        ++i;
        break;
      }
      if (data[i] == '/') {
        if (i + 1 == limit) return false;
        if (data[i + 1] != '>') unusual();
        i += 2;
        empty = true;
        break;
      }
      if (i == before || !detail::is_name_start(data[i])) unusual();
      const std::size_t name_begin = i;
      while (i < limit && detail::is_name_char(data[i])) ++i;
      const std::size_t name_end = i;
      while (i < limit && is_space(data[i])) ++i;
      if (i == limit) return false;
      if (data[i] != '=') unusual();
      ++i;
      while (i < limit && is_space(data[i])) ++i;
      if (i == limit) return false;
      const char quote = data[i];
      if (quote != '"' && quote != '\'') unusual();
      const std::size_t value_begin = ++i;
      bool plain = true;
      while (i < limit && data[i] != quote) {
        const auto byte = static_cast<unsigned char>(data[i]);
        if (byte == '<') unusual();
        if (byte == '&' || byte == '\t' || byte == '\n' || byte == '\r')
          plain = false;
        else if (byte < 0x20)
          unusual();
        if (byte < 0x80) {
          ++i;
          continue;
        }
        const int length = detail::utf8_sequence_length(view(i, limit));
        if (length < 0) return false;
        if (length == 0) unusual();
        i += static_cast<std::size_t>(length);
      }
      if (i == limit) return false;
      const std::string_view attribute_name = view(name_begin, name_end);
      for (const Attribute& seen : attributes_) {
        if (seen.name == attribute_name) unusual();
      }
      if (attributes_.size() == max_attributes) unusual();
      const std::string_view value = plain ? view(value_begin, i) : decode_value(value_begin, i, attributes_.size());
      attributes_.push_back({attribute_name, value});
      ++i;
    }
    if (ends_.size() == max_depth) unusual();
    names_.append(name);
    ends_.push_back(names_.size());
    if (!walker_.start(name, attributes_, base_ + pos_)) unusual();
    pos_ = i;
    if (empty) close_element();
    return true;
  }

  bool parse_end_tag() {
    const std::size_t limit = end_;
    std::size_t i = pos_ + 2;
    while (i < limit && detail::is_name_char(window_[i])) ++i;
    const std::string_view name = view(pos_ + 2, i);
    while (i < limit && is_space(window_[i])) ++i;
    if (i == limit) return false;
    const std::size_t open_begin = ends_.size() > 1 ? ends_[ends_.size() - 2] : 0;
    if (window_[i] != '>' || name != std::string_view(names_).substr(open_begin)) unusual();
    pos_ = i + 1;
    close_element();
    return true;
  }

  // A comment: no "--" inside, characters as in text.
  bool parse_comment() {
    const std::size_t limit = end_;
    for (std::size_t i = pos_ + 4;;) {
      if (i + 2 >= limit) return false;
      if (window_[i] == '-' && window_[i + 1] == '-') {
        if (window_[i + 2] != '>') unusual();
        pos_ = i + 3;
        return true;
      }
      const auto byte = static_cast<unsigned char>(window_[i]);
      if (byte < 0x80) {
        if (byte < 0x20 && !is_space(static_cast<char>(byte))) unusual();
        ++i;
        continue;
      }
      const int length = detail::utf8_sequence_length(view(i, limit));
      if (length < 0) return false;
      if (length == 0) unusual();
      i += static_cast<std::size_t>(length);
    }
  }

  void close_element() {
    walker_.end(base_ + pos_);
    ends_.pop_back();
    names_.resize(ends_.empty() ? 0 : ends_.back());
  }

  int fd_;
  std::vector<char> window_;
  std::size_t pos_ = 0;     // next byte to read in window_
  std::size_t end_ = 0;     // end of the bytes read into window_
  std::uint64_t base_ = 0;  // file offset of window_[0]
  bool eof_ = false;
  detail::DocumentWalker walker_;
  std::string names_;              // names of the open elements, concatenated
  std::vector<std::size_t> ends_;  // where each open element's name ends in names_
  std::vector<Attribute> attributes_;
  std::vector<std::string> values_;  // decoded attribute values, one per attribute slot
};

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool scan_nessus(const std::filesystem::path& file, NessusVisitor& visitor, const ReadOptions& options) {
  FileDescriptor descriptor{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (descriptor.fd < 0) return false;
  try {
    Scanner scanner(descriptor.fd, visitor, options);
    scanner.run();
    return true;
  } catch (const Unusual&) {
    return false;
  }
}

}  // namespace sw::results
