// The overview: per pool its queue, capacity and dead letters, its scanners with their
// load and whether they answer, the last day's outcomes as a chart; the live workers.
#include <algorithm>

#include "dashboard/page.hpp"
#include "dashboard/pages.hpp"
#include "dashboard/web.hpp"

namespace sw::dashboard {

namespace {

std::string percent(double part, double whole) {
  if (whole <= 0) return "-";
  return std::to_string(static_cast<int>(100.0 * part / whole + 0.5)) + " %";
}

std::string health_cell(const ScannerView& scanner) {
  if (!scanner.health) return "<td class=\"unknown\">not checked lately</td>";
  const auto& health = *scanner.health;
  if (health.reachable) {
    return "<td class=\"ok\">answers (" + escape(health.status) + ", " + time_text(health.checked_at) + ")</td>";
  }
  return "<td class=\"down\">does not answer: " + escape(health.error) + " (" + time_text(health.checked_at) + ")</td>";
}

// 24 stacked bars, one per hour, drawn from the workers' own counts.
std::string outcomes_chart(const std::vector<queue::HourlyOutcomes>& hours) {
  long long highest = 1;
  long long total = 0;
  std::map<std::string, long long> totals;
  for (const auto& hour : hours) {
    long long sum = 0;
    for (const auto& [outcome, count] : hour.by_outcome) {
      sum += count;
      totals[outcome] += count;
    }
    highest = std::max(highest, sum);
    total += sum;
  }
  constexpr int kBarWidth = 12, kHeight = 60;
  std::string svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " + std::to_string(hours.size() * kBarWidth) +
                    " " + std::to_string(kHeight) + "\" aria-label=\"tasks finished per hour, last 24 hours\">";
  for (std::size_t i = 0; i < hours.size(); ++i) {
    double y = kHeight;
    for (const char* outcome : {"completed", "failed", "timeout"}) {
      const auto found = hours[i].by_outcome.find(outcome);
      if (found == hours[i].by_outcome.end() || found->second == 0) continue;
      const double height =
          static_cast<double>(kHeight) * static_cast<double>(found->second) / static_cast<double>(highest);
      y -= height;
      svg += "<rect class=\"" + std::string(outcome) + "\" x=\"" + std::to_string(i * kBarWidth + 1) + "\" y=\"" +
             std::to_string(y) + "\" width=\"" + std::to_string(kBarWidth - 2) + "\" height=\"" +
             std::to_string(height) + "\"><title>" + escape(core::format_iso(hours[i].hour_start).substr(11, 5)) +
             " UTC: " + std::to_string(found->second) + " " + outcome + "</title></rect>";
    }
  }
  svg += "</svg><p class=\"legend\">Last 24 hours: " + std::to_string(total) + " tasks";
  for (const auto& [outcome, count] : totals) svg += " · " + escape(outcome) + " " + std::to_string(count);
  return svg + "</p>";
}

std::string pool_section(const PoolView& pool) {
  std::string html = "<section class=\"pool\"><h2>Pool " + escape(pool.name) + "</h2>";
  html +=
      "<table class=\"figures\"><tr><th>queued</th><th>running</th><th>capacity</th><th>utilisation</th>"
      "<th>dead letters</th></tr><tr><td>" +
      std::to_string(pool.queued) + "</td><td>" + std::to_string(pool.running) + "</td><td>" +
      std::to_string(pool.capacity) + "</td><td>" + percent(pool.running, pool.capacity) + "</td><td><a href=\"" +
      link("/ui/dlq", {{"pool", pool.name}}) + "\">" + std::to_string(pool.dead_letters) + "</a></td></tr></table>";
  html += "<table class=\"scanners\"><tr><th>scanner</th><th>name</th><th>active / limit</th><th>status</th></tr>";
  for (const auto& scanner : pool.scanners) {
    html += "<tr><td>" + escape(scanner.instance_id) + "</td><td>" + escape(scanner.name) + "</td><td>" +
            std::to_string(scanner.active) + " / " + std::to_string(scanner.limit) + "</td>" + health_cell(scanner) +
            "</tr>";
  }
  return html + "</table>" + outcomes_chart(pool.last_day) + "</section>";
}

std::string workers_section(const std::vector<queue::WorkerInfo>& workers) {
  std::string html =
      "<section><h2>Workers</h2><table class=\"workers\"><tr><th>worker</th><th>host</th><th>alive</th>"
      "<th>last heartbeat</th><th>active tasks</th><th>pools</th></tr>";
  for (const auto& worker : workers) {
    std::string pools;
    if (worker.info.contains("pools") && worker.info["pools"].is_array()) {
      for (const auto& pool : worker.info["pools"]) pools += (pools.empty() ? "" : ", ") + pool.get<std::string>();
    }
    const auto heartbeat = core::parse_iso(worker.info.value("heartbeat_at", ""));
    html += "<tr><td>" + escape(worker.worker_id) + "</td><td>" + escape(worker.info.value("host", "")) +
            "</td><td class=\"" + (worker.alive ? "ok\">yes" : "down\">no (awaiting a reaper)") + "</td><td>" +
            time_text(heartbeat) + "</td><td>" + std::to_string(worker.info.value("active_tasks", 0)) + "</td><td>" +
            escape(pools) + "</td></tr>";
  }
  if (workers.empty()) html += "<tr><td colspan=\"6\">no worker is registered</td></tr>";
  return html + "</table></section>";
}

}  // namespace

std::string overview_page(const Overview& overview, const std::string& csrf) {
  std::string html;
  for (const auto& pool : overview.pools) html += pool_section(pool);
  if (overview.pools.empty()) html += "<p>No pool is configured (scanners.yaml).</p>";
  html += workers_section(overview.workers);
  return render_page({"Overview", "overview", csrf, 5}, html);
}

std::string login_page(const std::string& message) {
  std::string html;
  if (!message.empty()) html += "<p class=\"error\">" + escape(message) + "</p>";
  html +=
      "<form method=\"post\" action=\"/ui/login\" class=\"login\"><label>Access token "
      "<input type=\"password\" name=\"token\" autocomplete=\"current-password\" required autofocus></label>"
      "<button type=\"submit\">Log in</button></form>"
      "<p>The token is one of the bearer tokens of the MCP endpoint (MCP_AUTH_TOKENS_FILE).</p>";
  return render_page({"Log in", "", "", 0}, html);
}

std::string error_page(const std::string& title, const std::string& message, const std::string& csrf) {
  return render_page({title, "", csrf, 0}, "<p class=\"error\">" + escape(message) + "</p>");
}

}  // namespace sw::dashboard
