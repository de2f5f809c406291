// expat-driven implementation of read_nessus: a fixed-depth state machine over
// NessusClientData_v2 / Report / ReportHost / (HostProperties/tag | ReportItem/child).
#include "results/nessus_reader.hpp"

#include <expat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace sw::results {
namespace {

constexpr int read_chunk_bytes = 64 * 1024;

// Element depths (the root is 1).
constexpr int root_depth = 1;
constexpr int report_depth = 2;
constexpr int host_depth = 3;
constexpr int host_child_depth = 4;
constexpr int leaf_depth = 5;

bool equals(const XML_Char* a, const char* b) { return std::strcmp(a, b) == 0; }

const XML_Char* attribute(const XML_Char** attributes, const char* name) {
  for (int i = 0; attributes[i] != nullptr; i += 2) {
    if (equals(attributes[i], name)) return attributes[i + 1];
  }
  return nullptr;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

struct ParserFree {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

class Reader {
 public:
  Reader(NessusVisitor& visitor, const ReadOptions& options)
      : visitor_(visitor), options_(options), parser_(XML_ParserCreate(nullptr)) {
    if (!parser_) throw core::Error(core::ErrorKind::internal, "cannot create an XML parser");
    XML_SetUserData(parser_.get(), this);
    XML_SetElementHandler(parser_.get(), &Reader::start_element, &Reader::end_element);
    XML_SetCharacterDataHandler(parser_.get(), &Reader::character_data);
    XML_SetStartDoctypeDeclHandler(parser_.get(), &Reader::doctype);
    XML_SetEntityDeclHandler(parser_.get(), &Reader::entity_declaration);
    XML_SetParamEntityParsing(parser_.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  }

  void read(const std::filesystem::path& file) {
    errno = 0;
    std::unique_ptr<std::FILE, FileCloser> stream(std::fopen(file.c_str(), "rb"));
    if (!stream) {
      const int error = errno;
      if (error == ENOENT) {
        throw ReadError(ReadFailure::file_not_found, "export file not found: " + file.string());
      }
      throw ReadError(ReadFailure::unreadable,
                      "cannot open " + file.string() + ": " + std::strerror(error));
    }
    for (;;) {
      void* buffer = XML_GetBuffer(parser_.get(), read_chunk_bytes);
      if (!buffer) throw core::Error(core::ErrorKind::internal, "out of memory parsing " + file.string());
      const std::size_t n = std::fread(buffer, 1, read_chunk_bytes, stream.get());
      if (n == 0 && std::ferror(stream.get())) {
        throw ReadError(ReadFailure::unreadable, "read error on " + file.string());
      }
      const bool last = n == 0;
      if (XML_ParseBuffer(parser_.get(), static_cast<int>(n), last) != XML_STATUS_OK) fail(file);
      if (last) break;
    }
    if (!root_seen_) throw ReadError(ReadFailure::xml_invalid, file.string() + ": no root element");
  }

 private:
  [[noreturn]] void fail(const std::filesystem::path& file) {
    if (!refusal_.empty()) throw ReadError(ReadFailure::xml_invalid, file.string() + ": " + refusal_);
    XML_ParserStruct* p = parser_.get();
    throw ReadError(ReadFailure::xml_invalid,
                    file.string() + ": not well-formed XML (" + XML_ErrorString(XML_GetErrorCode(p)) +
                        "): line " + std::to_string(XML_GetCurrentLineNumber(p)) + ", column " +
                        std::to_string(XML_GetCurrentColumnNumber(p)));
  }

  void refuse(std::string reason) {
    if (refusal_.empty()) refusal_ = std::move(reason);
    XML_StopParser(parser_.get(), XML_FALSE);
  }

  static bool listed(const std::vector<std::string>& names, const XML_Char* name) {
    return std::any_of(names.begin(), names.end(), [name](const std::string& wanted) { return equals(name, wanted.c_str()); });
  }

  bool wants_child(const XML_Char* name) const {
    return options_.all_item_children || listed(options_.item_children, name) ||
           (plugin_children_wanted_ && listed(options_.plugin_children, name));
  }

  std::string* item_field(const XML_Char* name) {
    if (equals(name, "pluginID")) return &item_.plugin_id;
    if (equals(name, "severity")) return &item_.severity;
    if (equals(name, "port")) return &item_.port;
    if (equals(name, "svc_name")) return &item_.svc_name;
    if (equals(name, "protocol")) return &item_.protocol;
    if (equals(name, "pluginName")) return &item_.plugin_name;
    if (equals(name, "pluginFamily")) return &item_.plugin_family;
    return nullptr;
  }

  void start_item(const XML_Char** attributes) {
    in_item_ = true;
    item_.children.clear();
    item_.truncated_children.clear();
    item_.host = host_name_;
    for (std::string* field : {&item_.port, &item_.svc_name, &item_.protocol, &item_.severity, &item_.plugin_id,
                               &item_.plugin_name, &item_.plugin_family}) {
      field->clear();
    }
    for (int i = 0; attributes[i] != nullptr; i += 2) {
      if (std::string* field = item_field(attributes[i])) field->assign(attributes[i + 1]);
    }
    plugin_children_wanted_ =
        !options_.plugin_children.empty() &&
        std::find(options_.plugin_children_for.begin(), options_.plugin_children_for.end(), item_.plugin_id) !=
            options_.plugin_children_for.end();
    collect_item_children_ =
        options_.all_item_children || !options_.item_children.empty() || plugin_children_wanted_;
  }

  void on_start(const XML_Char* name, const XML_Char** attributes) {
    const int depth = ++depth_;
    if (depth == root_depth) {
      root_seen_ = true;
      if (!equals(name, "NessusClientData_v2")) {
        refuse("not a NessusClientData_v2 export (root <" + std::string(name) + ">)");
      }
    } else if (depth == report_depth) {
      in_report_ = equals(name, "Report");
      if (in_report_) {
        const XML_Char* report_name = attribute(attributes, "name");
        visitor_.on_report(report_name ? report_name : "");
      }
    } else if (depth == host_depth && in_report_) {
      in_host_ = equals(name, "ReportHost");
      if (in_host_) {
        const XML_Char* host_name = attribute(attributes, "name");
        host_name_.assign(host_name ? host_name : "");
        visitor_.on_host_start(host_name_);
      }
    } else if (depth == host_child_depth && in_host_) {
      if (equals(name, "ReportItem")) start_item(attributes);
      else in_properties_ = equals(name, "HostProperties");
    } else if (depth == leaf_depth) {
      if (in_properties_ && options_.host_properties && equals(name, "tag")) {
        const XML_Char* tag_name = attribute(attributes, "name");
        tag_name_.assign(tag_name ? tag_name : "");
        tag_value_.clear();
        collecting_ = &tag_value_;
        collecting_truncated_ = false;
      } else if (in_item_ && collect_item_children_ && wants_child(name)) {
        item_.children.emplace_back(name, std::string());
        collecting_ = &item_.children.back().second;
        collecting_truncated_ = false;
      }
    }
  }

  void on_end() {
    const int depth = depth_--;
    if (depth == leaf_depth) {
      if (collecting_ == &tag_value_) visitor_.on_host_property(tag_name_, tag_value_);
      collecting_ = nullptr;
    } else if (depth == host_child_depth) {
      if (in_item_) visitor_.on_item(item_);
      in_item_ = false;
      in_properties_ = false;
    } else if (depth == host_depth && in_host_) {
      visitor_.on_host_end();
      in_host_ = false;
    } else if (depth == report_depth) {
      in_report_ = false;
    }
  }

  void on_text(const XML_Char* text, int length) {
    if (!collecting_) return;
    const std::size_t room = options_.text_limit - std::min(options_.text_limit, collecting_->size());
    const auto size = static_cast<std::size_t>(length);
    collecting_->append(text, std::min(room, size));
    const bool item_child = collecting_ != &tag_value_;
    if (size > room && item_child && !collecting_truncated_) {
      collecting_truncated_ = true;
      item_.truncated_children.push_back(item_.children.back().first);
    }
  }

  static void start_element(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<Reader*>(self)->on_start(name, attributes);
  }
  static void end_element(void* self, const XML_Char* /*name*/) { static_cast<Reader*>(self)->on_end(); }
  static void character_data(void* self, const XML_Char* text, int length) {
    static_cast<Reader*>(self)->on_text(text, length);
  }
  // A plain <!DOCTYPE NessusClientData_v2> declares nothing and is accepted; an internal
  // subset or an external DTD is where entities come from, so they are refused.
  static void doctype(void* self, const XML_Char* /*name*/, const XML_Char* system_id,
                      const XML_Char* public_id, int has_internal_subset) {
    if (has_internal_subset != 0) {
      static_cast<Reader*>(self)->refuse("entity declarations are not allowed (DOCTYPE with an internal subset)");
    } else if (system_id != nullptr || public_id != nullptr) {
      static_cast<Reader*>(self)->refuse("entity declarations are not allowed (DOCTYPE with an external DTD)");
    }
  }
  static void entity_declaration(void* self, const XML_Char* /*name*/, int /*is_parameter*/,
                                 const XML_Char* /*value*/, int /*value_length*/,
                                 const XML_Char* /*base*/, const XML_Char* /*system_id*/,
                                 const XML_Char* /*public_id*/, const XML_Char* /*notation*/) {
    static_cast<Reader*>(self)->refuse("entity declarations are not allowed");
  }

  NessusVisitor& visitor_;
  const ReadOptions& options_;
  std::unique_ptr<XML_ParserStruct, ParserFree> parser_;
  std::string refusal_;
  int depth_ = 0;
  bool root_seen_ = false;
  bool in_report_ = false;
  bool in_host_ = false;
  bool in_properties_ = false;
  bool in_item_ = false;
  bool collect_item_children_ = false;
  bool plugin_children_wanted_ = false;
  bool collecting_truncated_ = false;
  std::string host_name_;
  std::string tag_name_;
  std::string tag_value_;
  std::string* collecting_ = nullptr;
  ReportItem item_;
};

}  // namespace

int ReportItem::severity_level() const {
  const auto first = severity.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return -1;
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
  Reader reader(visitor, options);
  reader.read(file);
}

}  // namespace sw::results
