// The one interpretation of a NessusClientData_v2 document's elements, shared by the
// expat reader and the byte scanner: a fixed-depth state machine over
// NessusClientData_v2 / Report / ReportHost / (HostProperties/tag | ReportItem/child) that
// turns start tags, end tags and decoded text into NessusVisitor callbacks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

#include "results/nessus_reader.hpp"

namespace sw::results::detail {

// One attribute of a start tag, its value decoded and normalised as XML requires.
struct Attribute {
  std::string_view name;
  std::string_view value;
};

class DocumentWalker {
 public:
  DocumentWalker(NessusVisitor& visitor, const ReadOptions& options);

  // A start tag at byte `offset` of the file. False when the document is refused
  // (refusal() says why); no further events are expected then.
  bool start(std::string_view name, std::span<const Attribute> attributes, std::uint64_t offset);
  // The end of the element opened last; `end_offset` is the byte after its end tag.
  void end(std::uint64_t end_offset);
  // Decoded character data (line ends normalised), in pieces of any size.
  void text(std::string_view piece);

  // Whether text() keeps what it is given at this point (a reader may skip decoding).
  bool collecting() const noexcept { return collecting_ != nullptr; }
  bool root_seen() const noexcept { return root_seen_; }
  // Refuses the document for a reason found outside the elements (DOCTYPE).
  void refuse(std::string reason);
  const std::string& refusal() const noexcept { return refusal_; }

 private:
  bool wants_child(std::string_view name) const;
  void start_item(std::span<const Attribute> attributes, std::uint64_t offset);

  NessusVisitor& visitor_;
  const ReadOptions& options_;
  const std::unordered_set<std::string_view> item_children_;    // of options_
  const std::unordered_set<std::string_view> plugin_children_;  // of options_
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
  // Children of earlier items, kept so that their strings' memory is used again.
  std::vector<std::pair<std::string, std::string>> spare_children_;
};

}  // namespace sw::results::detail
