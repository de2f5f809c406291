// The dead letters of a pool: reason, time, deliveries and the raw entry (its secrets were
// masked when it was dead-lettered), with retry and delete per task and a purge that asks
// for confirmation.
#include "dashboard/page.hpp"
#include "dashboard/pages.hpp"
#include "dashboard/web.hpp"

namespace sw::dashboard {

std::string dead_letters_page(const DeadLetterPage& page, const config::ScannersConfig& scanners,
                              const std::string& notice, const std::string& csrf) {
  std::string html;
  if (!notice.empty()) html += "<p class=\"notice\">" + escape(notice) + "</p>";
  html += "<p class=\"pools\">Pools:";
  for (const auto& [name, pool] : scanners.pools) {
    html += " <a href=\"" + link("/ui/dlq", {{"pool", name}}) + "\"" +
            (name == page.pool ? " aria-current=\"page\"" : "") + ">" + escape(name) + "</a>";
  }
  html += "</p>";
  if (page.pool.empty()) return render_page({"Dead letters", "dlq", csrf, 0}, html + "<p>Choose a pool.</p>");

  html += "<h2>" + escape(page.pool) + ": " + std::to_string(page.total) + " dead letters</h2>";
  if (page.total > 0) {
    html +=
        "<form method=\"post\" action=\"/ui/dlq/purge\" class=\"danger\"><input type=\"hidden\" name=\"csrf\" "
        "value=\"" +
        escape(csrf) + "\"><input type=\"hidden\" name=\"pool\" value=\"" + escape(page.pool) +
        "\"><label>Type <kbd>purge</kbd> to delete every dead letter of this pool "
        "<input name=\"confirm\" autocomplete=\"off\" required></label><button type=\"submit\">Purge</button></form>";
  }
  html +=
      "<table class=\"dlq\"><tr><th>task</th><th>reason</th><th>failed at</th><th>deliveries</th><th>entry</th>"
      "<th>actions</th></tr>";
  for (const auto& letter : page.letters) {
    const std::string task_cell = letter.task_id ? "<a href=\"" + link("/ui/tasks/" + *letter.task_id, {}) + "\">" +
                                                       escape(*letter.task_id) + "</a>"
                                                 : "(no task id)";
    std::string actions;
    if (letter.task_id) {
      const std::map<std::string, std::string> fields{{"pool", page.pool}, {"task_id", *letter.task_id}};
      actions = post_button("/ui/dlq/retry", csrf, "Retry", fields) +
                post_button("/ui/dlq/delete", csrf, "Delete", fields, "danger");
    }
    html += "<tr><td>" + task_cell + "</td><td>" + escape(letter.error) + "</td><td>" + time_text(letter.failed_time) +
            "</td><td>" + (letter.deliveries ? std::to_string(*letter.deliveries) : "-") +
            "</td><td><details><summary>entry</summary><pre>" +
            escape(letter.entry.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) +
            "</pre></details></td><td>" + actions + "</td></tr>";
  }
  if (page.letters.empty()) html += "<tr><td colspan=\"6\">none</td></tr>";
  html += "</table>" + page_links("/ui/dlq", {{"pool", page.pool}}, page.page, page.pages);
  return render_page({"Dead letters", "dlq", csrf, 10}, html);
}

}  // namespace sw::dashboard
