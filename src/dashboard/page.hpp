// The frame every dashboard page shares (head with the stylesheet and the script, the
// navigation, the logout form) and the pieces pages repeat: links with query strings, page
// links, forms that carry the CSRF token, times. Every value passes through escape().
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sw::dashboard {

struct PageFrame {
  std::string title;
  std::string section;      // "overview", "tasks", "dlq": the current navigation entry
  std::string csrf;         // empty on the login page (no navigation then)
  int refresh_seconds = 0;  // > 0: app.js reloads the <main> part in place this often
};

std::string render_page(const PageFrame& frame, const std::string& main_html);

// href="path?name=value&..." with every value encoded (empty values left out).
std::string link(const std::string& path, const std::map<std::string, std::string>& query);

// "Page 2 of 7" with previous/next links that keep `query`.
std::string page_links(const std::string& path, std::map<std::string, std::string> query, int page, int pages);

// A POST form to `action` with the CSRF token, the hidden `fields`, and one submit button.
std::string post_button(const std::string& action, const std::string& csrf, const std::string& label,
                        const std::map<std::string, std::string>& fields = {}, const std::string& css_class = "");

std::string time_text(const std::optional<core::TimePoint>& time);

}  // namespace sw::dashboard
