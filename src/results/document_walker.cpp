// The element state machine of both readers (document_walker.hpp).
#include "results/document_walker.hpp"

#include <algorithm>

namespace sw::results::detail {
namespace {

// Element depths (the root is 1).
constexpr int root_depth = 1;
constexpr int report_depth = 2;
constexpr int host_depth = 3;
constexpr int host_child_depth = 4;
constexpr int leaf_depth = 5;

std::string_view attribute(std::span<const Attribute> attributes, std::string_view name) {
  for (const Attribute& a : attributes) {
    if (a.name == name) return a.value;
  }
  return {};
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

DocumentWalker::DocumentWalker(NessusVisitor& visitor, const ReadOptions& options)
    : visitor_(visitor),
      options_(options),
      item_children_(options.item_children.begin(), options.item_children.end()),
      plugin_children_(options.plugin_children.begin(), options.plugin_children.end()) {}

void DocumentWalker::refuse(std::string reason) {
  if (refusal_.empty()) refusal_ = std::move(reason);
}

bool DocumentWalker::wants_child(std::string_view name) const {
  return options_.all_item_children || item_children_.contains(name) ||
         (plugin_children_wanted_ && plugin_children_.contains(name));
}

void DocumentWalker::start_item(std::span<const Attribute> attributes, std::uint64_t offset) {
  in_item_ = true;
  for (auto& child : item_.children) spare_children_.push_back(std::move(child));
  item_.children.clear();
  item_.truncated_children.clear();
  item_.host = host_name_;
  item_.offset = offset;
  item_.length = 0;
  for (std::string* field : {&item_.port, &item_.svc_name, &item_.protocol, &item_.severity, &item_.plugin_id,
                             &item_.plugin_name, &item_.plugin_family}) {
    field->clear();
  }
  for (const Attribute& a : attributes) {
    std::string* field = a.name == "pluginID"       ? &item_.plugin_id
                         : a.name == "severity"     ? &item_.severity
                         : a.name == "port"         ? &item_.port
                         : a.name == "svc_name"     ? &item_.svc_name
                         : a.name == "protocol"     ? &item_.protocol
                         : a.name == "pluginName"   ? &item_.plugin_name
                         : a.name == "pluginFamily" ? &item_.plugin_family
                                                    : nullptr;
    if (field) field->assign(a.value);
  }
  plugin_children_wanted_ = !options_.plugin_children.empty() && listed(options_.plugin_children_for, item_.plugin_id);
  collect_item_children_ = options_.all_item_children || !options_.item_children.empty() || plugin_children_wanted_;
}

bool DocumentWalker::start(std::string_view name, std::span<const Attribute> attributes, std::uint64_t offset) {
  const int depth = ++depth_;
  if (depth == root_depth) {
    root_seen_ = true;
    if (name != "NessusClientData_v2") {
      refuse("not a NessusClientData_v2 export (root <" + std::string(name) + ">)");
      return false;
    }
  } else if (depth == report_depth) {
    in_report_ = name == "Report";
    if (in_report_) visitor_.on_report(attribute(attributes, "name"));
  } else if (depth == host_depth && in_report_) {
    in_host_ = name == "ReportHost";
    if (in_host_) {
      host_name_.assign(attribute(attributes, "name"));
      visitor_.on_host_start(host_name_);
    }
  } else if (depth == host_child_depth && in_host_) {
    if (name == "ReportItem")
      start_item(attributes, offset);
    else
      in_properties_ = name == "HostProperties";
  } else if (depth == leaf_depth) {
    if (in_properties_ && options_.host_properties && name == "tag") {
      tag_name_.assign(attribute(attributes, "name"));
      tag_value_.clear();
      collecting_ = &tag_value_;
      collecting_truncated_ = false;
    } else if (in_item_ && collect_item_children_ && wants_child(name)) {
      if (spare_children_.empty()) spare_children_.emplace_back();
      item_.children.push_back(std::move(spare_children_.back()));
      spare_children_.pop_back();
      item_.children.back().first.assign(name);
      item_.children.back().second.clear();
      collecting_ = &item_.children.back().second;
      collecting_truncated_ = false;
    }
  }
  return true;
}

void DocumentWalker::end(std::uint64_t end_offset) {
  const int depth = depth_--;
  if (depth == leaf_depth) {
    if (collecting_ == &tag_value_) visitor_.on_host_property(tag_name_, tag_value_);
    collecting_ = nullptr;
  } else if (depth == host_child_depth) {
    if (in_item_) {
      item_.length = end_offset - item_.offset;
      visitor_.on_item(item_);
    }
    in_item_ = false;
    in_properties_ = false;
  } else if (depth == host_depth && in_host_) {
    visitor_.on_host_end();
    in_host_ = false;
  } else if (depth == report_depth) {
    in_report_ = false;
  }
}

void DocumentWalker::text(std::string_view piece) {
  if (!collecting_) return;
  const std::size_t room = options_.text_limit - std::min(options_.text_limit, collecting_->size());
  collecting_->append(piece.data(), std::min(room, piece.size()));
  const bool item_child = collecting_ != &tag_value_;
  if (piece.size() > room && item_child && !collecting_truncated_) {
    collecting_truncated_ = true;
    item_.truncated_children.push_back(item_.children.back().first);
  }
}

}  // namespace sw::results::detail
