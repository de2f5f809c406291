// The shared page frame and its small pieces.
#include "dashboard/page.hpp"

#include "dashboard/web.hpp"

namespace sw::dashboard {

std::string render_page(const PageFrame& frame, const std::string& main_html) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      escape(frame.title) +
      " · Scanner Worker</title>"
      "<link rel=\"stylesheet\" href=\"/ui/assets/style.css\">"
      "<script src=\"/ui/assets/app.js\" defer></script></head><body>";
  if (!frame.csrf.empty()) {
    html += "<header><nav><strong>Scanner Worker</strong>";
    for (const auto& [section, label, path] :
         {std::tuple{"overview", "Overview", "/ui/"}, std::tuple{"tasks", "Tasks", "/ui/tasks"},
          std::tuple{"dlq", "Dead letters", "/ui/dlq"}}) {
      html += "<a href=\"" + std::string(path) + "\"" + (frame.section == section ? " aria-current=\"page\"" : "") +
              ">" + label + "</a>";
    }
    html += post_button("/ui/logout", frame.csrf, "Log out", {}, "logout") + "</nav></header>";
  }
  html += "<main";
  if (frame.refresh_seconds > 0) html += " data-refresh=\"" + std::to_string(frame.refresh_seconds) + "\"";
  html += "><h1>" + escape(frame.title) + "</h1>" + main_html + "</main></body></html>\n";
  return html;
}

std::string link(const std::string& path, const std::map<std::string, std::string>& query) {
  std::string href = path;
  char separator = '?';
  for (const auto& [name, value] : query) {
    if (value.empty()) continue;
    href += separator + url_encode(name) + "=" + url_encode(value);
    separator = '&';
  }
  return escape(href);
}

std::string page_links(const std::string& path, std::map<std::string, std::string> query, int page, int pages) {
  std::string html = "<p class=\"pages\">";
  if (page > 1) {
    query["page"] = std::to_string(page - 1);
    html += "<a rel=\"prev\" href=\"" + link(path, query) + "\">&larr; previous</a> ";
  }
  html += "Page " + std::to_string(page) + " of " + std::to_string(pages);
  if (page < pages) {
    query["page"] = std::to_string(page + 1);
    html += " <a rel=\"next\" href=\"" + link(path, query) + "\">next &rarr;</a>";
  }
  return html + "</p>";
}

std::string post_button(const std::string& action, const std::string& csrf, const std::string& label,
                        const std::map<std::string, std::string>& fields, const std::string& css_class) {
  std::string html = "<form method=\"post\" action=\"" + escape(action) + "\"";
  if (!css_class.empty()) html += " class=\"" + escape(css_class) + "\"";
  html += "><input type=\"hidden\" name=\"csrf\" value=\"" + escape(csrf) + "\">";
  for (const auto& [name, value] : fields) {
    html += "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">";
  }
  return html + "<button type=\"submit\">" + escape(label) + "</button></form>";
}

std::string time_text(const std::optional<core::TimePoint>& time) {
  if (!time) return "-";
  return "<time datetime=\"" + escape(core::format_iso(*time)) + "Z\">" +
         escape(core::format_iso(*time).substr(0, 19)) + "</time>";
}

}  // namespace sw::dashboard
