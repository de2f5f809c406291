// The task list (filters, pages, progress bars) and a task's page (state, what to do, the
// authentication verdict per host, severities, findings with filters, actions).
#include "core/text.hpp"
#include "dashboard/page.hpp"
#include "dashboard/pages.hpp"
#include "dashboard/web.hpp"
#include "service/views.hpp"

namespace sw::dashboard {

namespace {

std::string json_text(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string joined;
    for (const auto& element : value) joined += (joined.empty() ? "" : ", ") + json_text(element);
    return joined;
  }
  return value.dump();
}

std::string payload_text(const core::Task& task, const char* field) {
  return task.payload.is_object() && task.payload.contains(field) ? json_text(task.payload[field]) : "";
}

std::string progress_bar(double percent) {
  const int rounded = static_cast<int>(percent + 0.5);
  return "<progress max=\"100\" value=\"" + std::to_string(rounded) + "\">" + std::to_string(rounded) +
         " %</progress> " + std::to_string(rounded) + " %";
}

std::string select(const std::string& name, const std::vector<std::string>& options, const std::string& chosen) {
  std::string html = "<select name=\"" + escape(name) + "\"><option value=\"\">any</option>";
  for (const auto& option : options) {
    html += "<option" + std::string(option == chosen ? " selected" : "") + ">" + escape(option) + "</option>";
  }
  return html + "</select>";
}

std::string value_of(const std::map<std::string, std::string>& query, const std::string& name) {
  const auto found = query.find(name);
  return found == query.end() ? "" : found->second;
}

std::string text_input(const std::string& label, const std::string& name,
                       const std::map<std::string, std::string>& query) {
  return "<label>" + escape(label) + " <input name=\"" + escape(name) + "\" value=\"" + escape(value_of(query, name)) +
         "\"></label>";
}

std::string field_row(const std::string& label, const std::string& value_html) {
  return "<tr><th>" + escape(label) + "</th><td>" + value_html + "</td></tr>";
}

// The severity counts as one bar of five parts.
std::string severity_bar(const nlohmann::json& counts) {
  long long total = 0;
  for (const char* level : {"critical", "high", "medium", "low", "info"}) total += counts.value(level, 0LL);
  std::string svg =
      "<svg class=\"severities\" role=\"img\" viewBox=\"0 0 500 24\" aria-label=\"findings by severity\">";
  double x = 0;
  std::string legend;
  for (const char* level : {"critical", "high", "medium", "low", "info"}) {
    const long long count = counts.value(level, 0LL);
    legend += std::string(legend.empty() ? "" : " · ") + level + " " + std::to_string(count);
    if (count == 0 || total == 0) continue;
    const double width = 500.0 * static_cast<double>(count) / static_cast<double>(total);
    svg += "<rect class=\"" + std::string(level) + "\" x=\"" + std::to_string(x) + "\" y=\"0\" width=\"" +
           std::to_string(width) + "\" height=\"24\"><title>" + level + ": " + std::to_string(count) +
           "</title></rect>";
    x += width;
  }
  return svg + "</svg><p class=\"legend\">" + legend + "</p>";
}

std::string authentication_section(const core::Task& task) {
  const auto& stats = task.validation_stats;
  if (!stats.is_object() || !stats.contains("hosts_auth") || !stats["hosts_auth"].is_array()) return "";
  std::string html = "<section><h2>Authentication: " + escape(task.authentication_status.value_or("unknown")) +
                     "</h2><table class=\"auth\"><tr><th>host</th><th>verdict</th><th>evidence</th></tr>";
  for (const auto& host : stats["hosts_auth"]) {
    const std::string status = json_text(host.value("status", nlohmann::json()));
    html += "<tr><td>" + escape(json_text(host.value("host", nlohmann::json()))) + "</td><td class=\"" +
            escape(status) + "\">" + escape(status) + "</td><td>" +
            escape(json_text(host.value("evidence", nlohmann::json()))) + "</td></tr>";
  }
  return html + "</table></section>";
}

// A finding's plugin output, folded (it can be long), cut at 4 KiB for the page.
std::string output_cell(const nlohmann::json& finding) {
  const std::string output = json_text(finding.value("plugin_output", nlohmann::json()));
  if (output.empty()) return "<td></td>";
  constexpr std::size_t kShown = 4096;
  const bool cut = output.size() > kShown;
  return "<td><details><summary>output</summary><pre>" + escape(core::utf8_prefix(output, kShown)) +
         (cut ? "\n[cut: the whole output is in the export]" : "") + "</pre></details></td>";
}

std::string findings_section(const TaskDetail& detail, const FindingsPage& findings,
                             const std::map<std::string, std::string>& query) {
  const std::string path = "/ui/tasks/" + detail.task.task_id;
  std::string html = "<section><h2>Findings</h2><form method=\"get\" action=\"" + escape(path) +
                     "\" class=\"filters\">" + "<label>severity " +
                     select("severity", {"4", "3", "2", "1", "0", ">=1", ">=2", ">=3"}, value_of(query, "severity")) +
                     "</label>" + text_input("host", "host", query) + text_input("plugin id", "plugin", query) +
                     text_input("CVE", "cve", query) + "<button type=\"submit\">Filter</button></form>";
  if (!findings.error.empty()) return html + "<p>" + escape(findings.error) + "</p></section>";
  html += "<p>" + std::to_string(findings.total) +
          " matching findings</p><table class=\"findings\"><tr><th>host</th>"
          "<th>severity</th><th>plugin</th><th>name</th><th>CVE</th><th>CVSS v3</th><th>exploit</th><th>synopsis</th>"
          "<th>output</th></tr>";
  for (const auto& finding : findings.findings) {
    const auto cell = [&](const char* field) {
      return "<td>" + escape(json_text(finding.value(field, nlohmann::json()))) + "</td>";
    };
    html += "<tr class=\"sev-" + escape(json_text(finding.value("severity", nlohmann::json()))) + "\">" + cell("host") +
            cell("severity") + cell("plugin_id") + cell("plugin_name") + cell("cve") + cell("cvss3_base_score") +
            cell("exploit_available") + cell("synopsis") + output_cell(finding) + "</tr>";
  }
  return html + "</table>" + page_links(path, query, findings.page, findings.pages) + "</section>";
}

}  // namespace

std::string tasks_page(const TaskPage& page, const std::map<std::string, std::string>& query,
                       const config::ScannersConfig& scanners, const std::string& csrf) {
  std::vector<std::string> pools;
  for (const auto& [name, pool] : scanners.pools) pools.push_back(name);
  std::string html =
      "<form method=\"get\" action=\"/ui/tasks\" class=\"filters\"><label>status " +
      select("status", {"queued", "running", "completed", "failed", "timeout"}, value_of(query, "status")) +
      "</label><label>pool " + select("pool", pools, value_of(query, "pool")) + "</label>" +
      text_input("target (address, CIDR or name)", "target", query) + "<button type=\"submit\">Filter</button></form>";
  html += "<p>" + std::to_string(page.total) +
          " tasks</p><table class=\"tasks\"><tr><th>task</th><th>name</th>"
          "<th>status</th><th>pool</th><th>targets</th><th>created</th><th>progress</th></tr>";
  for (const auto& task : page.tasks) {
    const std::string status(core::to_string(task.status));
    const auto progress = page.progress.find(task.task_id);
    html += "<tr><td><a href=\"" + link("/ui/tasks/" + task.task_id, {}) + "\">" + escape(task.task_id) +
            "</a></td><td>" + escape(payload_text(task, "name")) + "</td><td class=\"" + escape(status) + "\">" +
            escape(status) + "</td><td>" + escape(task.scanner_pool) + "</td><td>" +
            escape(payload_text(task, "targets")) + "</td><td>" + time_text(task.created_at) + "</td><td>" +
            (progress != page.progress.end() ? progress_bar(progress->second) : "") + "</td></tr>";
  }
  if (page.tasks.empty()) html += "<tr><td colspan=\"7\">no task matches</td></tr>";
  html += "</table>" + page_links("/ui/tasks", query, page.page, page.pages);
  return render_page({"Tasks", "tasks", csrf, 5}, html);
}

std::string task_page(const TaskDetail& detail, const FindingsPage& findings,
                      const std::map<std::string, std::string>& query, const std::string& notice,
                      const std::string& csrf) {
  const core::Task& task = detail.task;
  const std::string status(core::to_string(task.status));
  std::string html;
  if (!notice.empty()) html += "<p class=\"notice\">" + escape(notice) + "</p>";
  html += "<table class=\"task\">" + field_row("name", escape(payload_text(task, "name"))) +
          field_row("status", "<span class=\"" + escape(status) + "\">" + escape(status) + "</span>") +
          field_row("scan type", escape(task.scan_type)) + field_row("targets", escape(payload_text(task, "targets"))) +
          field_row("pool", escape(task.scanner_pool)) +
          field_row("scanner", escape(task.scanner_instance_id.value_or("-"))) +
          field_row("Nessus scan id", task.nessus_scan_id ? std::to_string(*task.nessus_scan_id) : "-") +
          field_row("created", time_text(task.created_at)) + field_row("started", time_text(task.started_at)) +
          field_row("completed", time_text(task.completed_at)) + field_row("trace id", escape(task.trace_id));
  if (detail.live) {
    const auto& live = *detail.live;
    if (live.contains("progress") && live["progress"].is_number()) {
      html += field_row("progress", progress_bar(live["progress"].get<double>()));
    }
    if (live.contains("status") && live["status"].is_string()) {
      html += field_row("Nessus status", escape(live["status"].get<std::string>()));
    }
  }
  if (task.error_message)
    html += field_row("error", "<span class=\"error\">" + escape(*task.error_message) + "</span>");
  if (const auto hint = service::failure_hint(task)) html += field_row("what to do", escape(*hint));
  html += "</table>";
  if (!core::is_terminal(task.status)) {
    html += post_button("/ui/tasks/" + task.task_id + "/cancel", csrf, "Cancel this scan", {}, "danger");
  }
  if (detail.has_export) {
    html += "<p><a href=\"" + link("/ui/tasks/" + task.task_id + "/export", {}) +
            "\" download>Download the .nessus export</a></p>";
  }
  if (task.validation_stats.is_object() && task.validation_stats.contains("severity_counts")) {
    html += "<section><h2>Severities</h2>" + severity_bar(task.validation_stats["severity_counts"]) + "</section>";
  }
  html += authentication_section(task);
  if (detail.has_export) html += findings_section(detail, findings, query);
  return render_page({"Task " + task.task_id, "tasks", csrf, core::is_terminal(task.status) ? 0 : 5}, html);
}

}  // namespace sw::dashboard
