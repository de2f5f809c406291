// expat-driven implementation of read_nessus and read_nessus_items: expat checks the
// XML and decodes it, the DocumentWalker interprets the elements.
#include "results/nessus_reader.hpp"

#include <expat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

#include "results/document_walker.hpp"

namespace sw::results {
namespace {

constexpr int read_chunk_bytes = 64 * 1024;

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

struct ParserFree {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

void open_file(const std::filesystem::path& file, FileDescriptor& descriptor) {
  errno = 0;
  descriptor.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor.fd >= 0) return;
  const int error = errno;
  if (error == ENOENT) throw ReadError(ReadFailure::file_not_found, "export file not found: " + file.string());
  throw ReadError(ReadFailure::unreadable, "cannot open " + file.string() + ": " + std::strerror(error));
}

// Text with the XML specials and control characters escaped, for an attribute value.
std::string escaped_attribute(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += "&#" + std::to_string(static_cast<int>(c)) + ";";
        else
          out += c;
    }
  }
  return out;
}

class Reader {
 public:
  Reader(const std::filesystem::path& file, NessusVisitor& visitor, const ReadOptions& options)
      : file_(file), walker_(visitor, options), parser_(XML_ParserCreate(nullptr)) {
    if (!parser_) throw core::Error(core::ErrorKind::internal, "cannot create an XML parser");
    XML_SetUserData(parser_.get(), this);
    XML_SetElementHandler(parser_.get(), &Reader::start_element, &Reader::end_element);
    XML_SetCharacterDataHandler(parser_.get(), &Reader::character_data);
    XML_SetStartDoctypeDeclHandler(parser_.get(), &Reader::doctype);
    XML_SetEntityDeclHandler(parser_.get(), &Reader::entity_declaration);
    XML_SetParamEntityParsing(parser_.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  }

  // Parses `length` bytes of `fd` from `offset` (to the end of the file when length is
  // unlimited); `last` ends the document there.
  void feed_file(int fd, std::uint64_t offset, std::uint64_t length, bool last) {
    for (;;) {
      void* buffer = XML_GetBuffer(parser_.get(), read_chunk_bytes);
      if (!buffer) throw core::Error(core::ErrorKind::internal, "out of memory parsing " + file_.string());
      const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(length, read_chunk_bytes));
      const ssize_t n = ::pread(fd, buffer, wanted, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ReadError(ReadFailure::unreadable, "read error on " + file_.string());
      const bool done = n == 0 || static_cast<std::uint64_t>(n) == length;
      parse(static_cast<int>(n), last && done);
      if (done) return;
      offset += static_cast<std::uint64_t>(n);
      length -= static_cast<std::uint64_t>(n);
    }
  }

  void feed_text(std::string_view text, bool last) {
    void* buffer = XML_GetBuffer(parser_.get(), static_cast<int>(text.size()));
    if (!buffer) throw core::Error(core::ErrorKind::internal, "out of memory parsing " + file_.string());
    std::memcpy(buffer, text.data(), text.size());
    parse(static_cast<int>(text.size()), last);
  }

  void check_root() const {
    if (!walker_.root_seen()) throw ReadError(ReadFailure::xml_invalid, file_.string() + ": no root element");
  }

 private:
  void parse(int length, bool last) {
    if (XML_ParseBuffer(parser_.get(), length, last) == XML_STATUS_OK) return;
    if (!walker_.refusal().empty())
      throw ReadError(ReadFailure::xml_invalid, file_.string() + ": " + walker_.refusal());
    XML_ParserStruct* p = parser_.get();
    throw ReadError(ReadFailure::xml_invalid, file_.string() + ": not well-formed XML (" +
                                                  XML_ErrorString(XML_GetErrorCode(p)) + "): line " +
                                                  std::to_string(XML_GetCurrentLineNumber(p)) + ", column " +
                                                  std::to_string(XML_GetCurrentColumnNumber(p)));
  }

  void refuse(std::string reason) {
    walker_.refuse(std::move(reason));
    XML_StopParser(parser_.get(), XML_FALSE);
  }

  void on_start(const XML_Char* name, const XML_Char** attributes) {
    attributes_.clear();
    for (int i = 0; attributes[i] != nullptr; i += 2) attributes_.push_back({attributes[i], attributes[i + 1]});
    const auto offset = static_cast<std::uint64_t>(XML_GetCurrentByteIndex(parser_.get()));
    if (!walker_.start(name, attributes_, offset)) XML_StopParser(parser_.get(), XML_FALSE);
  }

  void on_end() {
    XML_ParserStruct* p = parser_.get();
    walker_.end(static_cast<std::uint64_t>(XML_GetCurrentByteIndex(p) + XML_GetCurrentByteCount(p)));
  }

  static void start_element(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<Reader*>(self)->on_start(name, attributes);
  }
  static void end_element(void* self, const XML_Char* /*name*/) { static_cast<Reader*>(self)->on_end(); }
  static void character_data(void* self, const XML_Char* text, int length) {
    static_cast<Reader*>(self)->walker_.text(std::string_view(text, static_cast<std::size_t>(length)));
  }
  // A plain <!DOCTYPE NessusClientData_v2> declares nothing and is accepted; an internal
  // subset or an external DTD is where entities come from, so they are refused.
  static void doctype(void* self, const XML_Char* /*name*/, const XML_Char* system_id, const XML_Char* public_id,
                      int has_internal_subset) {
    if (has_internal_subset != 0) {
      static_cast<Reader*>(self)->refuse("entity declarations are not allowed (DOCTYPE with an internal subset)");
    } else if (system_id != nullptr || public_id != nullptr) {
      static_cast<Reader*>(self)->refuse("entity declarations are not allowed (DOCTYPE with an external DTD)");
    }
  }
  static void entity_declaration(void* self, const XML_Char* /*name*/, int /*is_parameter*/, const XML_Char* /*value*/,
                                 int /*value_length*/, const XML_Char* /*base*/, const XML_Char* /*system_id*/,
                                 const XML_Char* /*public_id*/, const XML_Char* /*notation*/) {
    static_cast<Reader*>(self)->refuse("entity declarations are not allowed");
  }

  const std::filesystem::path& file_;
  detail::DocumentWalker walker_;
  std::unique_ptr<XML_ParserStruct, ParserFree> parser_;
  std::vector<detail::Attribute> attributes_;
};

}  // namespace

int severity_level(std::string_view severity) {
  const auto first = severity.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return -1;
  const auto last = severity.find_last_not_of(" \t\r\n");
  if (first != last || severity[first] < '0' || severity[first] > '4') return -1;
  return severity[first] - '0';
}

bool ReportItem::truncated(std::string_view child_name) const {
  return std::find(truncated_children.begin(), truncated_children.end(), child_name) != truncated_children.end();
}

const std::string* ReportItem::child(std::string_view name) const {
  for (const auto& [child_name, text] : children) {
    if (child_name == name) return &text;
  }
  return nullptr;
}

void read_nessus(const std::filesystem::path& file, NessusVisitor& visitor, const ReadOptions& options) {
  FileDescriptor descriptor;
  open_file(file, descriptor);
  Reader reader(file, visitor, options);
  reader.feed_file(descriptor.fd, 0, std::numeric_limits<std::uint64_t>::max(), true);
  reader.check_root();
}

void read_nessus_items(const std::filesystem::path& file, std::span<const ItemLocation> items, NessusVisitor& visitor,
                       const ReadOptions& options) {
  FileDescriptor descriptor;
  open_file(file, descriptor);
  Reader reader(file, visitor, options);
  reader.feed_text("<NessusClientData_v2><Report>", false);
  for (const ItemLocation& item : items) {
    reader.feed_text("<ReportHost name=\"" + escaped_attribute(item.host) + "\">", false);
    reader.feed_file(descriptor.fd, item.offset, item.length, false);
    reader.feed_text("</ReportHost>", false);
  }
  reader.feed_text("</Report></NessusClientData_v2>", true);
}

}  // namespace sw::results
