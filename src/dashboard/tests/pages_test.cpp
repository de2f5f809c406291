// Tests of the dashboard's pages: every value from a task, a scan or a dead letter is shown
// as text (markup never reaches the page as markup), pages carry no inline script or style,
// forms that change something carry the CSRF token.
#include <gtest/gtest.h>

#include "dashboard/pages.hpp"

namespace sw::dashboard {
namespace {

const std::string kScript = "<script>alert(1)</script>";
const std::string kImage = "<img src=x onerror=alert(2)>";

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
  return found;
}

// One script element (the page's own app.js) and no markup taken from the data.
void expect_no_injected_markup(const std::string& html) {
  EXPECT_EQ(count(html, "<script"), 1u) << html;
  EXPECT_NE(html.find("<script src=\"/ui/assets/app.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(count(html, "<img"), 0u) << html;
  EXPECT_EQ(count(html, " style="), 0u) << html;
}

core::Task hostile_task() {
  core::Task task;
  task.task_id = "t_markup";
  task.trace_id = "trace";
  task.scan_type = "authenticated";
  task.scanner_pool = "nessus";
  task.status = core::TaskStatus::failed;
  task.payload = {{"name", kScript}, {"targets", kImage}};
  task.error_message = "scanner said " + kScript;
  task.authentication_status = "partial";
  task.validation_stats = {{"severity_counts", {{"critical", 1}, {"high", 2}, {"medium", 0}, {"low", 0}, {"info", 3}}},
                           {"hosts_auth", {{{"host", kImage}, {"status", "failed"}, {"evidence", kScript}}}}};
  return task;
}

TEST(Pages, TaskValuesAndFindingsAreText) {
  TaskDetail detail{hostile_task(), std::nullopt, true};
  FindingsPage findings;
  findings.findings.push_back({{"host", kImage},
                               {"severity", "4"},
                               {"plugin_id", 1},
                               {"plugin_name", kScript},
                               {"synopsis", kScript},
                               {"cve", {kImage}},
                               {"plugin_output", kScript + kImage}});
  findings.total = 1;
  const std::string html = task_page(detail, findings, {{"host", kScript}}, kScript, "csrf-token");
  expect_no_injected_markup(html);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_NE(html.find("name=\"csrf\" value=\"csrf-token\""), std::string::npos);  // logout form
  EXPECT_EQ(html.find("/cancel"), std::string::npos);                             // a failed task cannot be cancelled
  EXPECT_NE(html.find("/ui/tasks/t_markup/export"), std::string::npos);
}

TEST(Pages, ARunningTaskOffersCancelWithTheToken) {
  core::Task task = hostile_task();
  task.status = core::TaskStatus::running;
  task.error_message.reset();
  TaskDetail detail{task, nlohmann::json{{"progress", 42.4}, {"status", "running"}}, false};
  const std::string html = task_page(detail, FindingsPage{}, {}, "", "csrf-token");
  EXPECT_NE(html.find("action=\"/ui/tasks/t_markup/cancel\""), std::string::npos);
  EXPECT_NE(html.find("<progress max=\"100\" value=\"42\">"), std::string::npos);
  EXPECT_NE(html.find("data-refresh"), std::string::npos);
}

TEST(Pages, TaskListAndDeadLettersShowDataAsText) {
  config::ScannersConfig scanners;
  scanners.pools["nessus"].name = "nessus";
  TaskPage page;
  page.tasks.push_back(hostile_task());
  page.total = 1;
  expect_no_injected_markup(tasks_page(page, {{"target", kScript}}, scanners, "csrf-token"));

  DeadLetterPage letters;
  letters.pool = "nessus";
  letters.total = 1;
  queue::DeadLetter letter;
  letter.task_id = "t_markup";
  letter.error = kScript;
  letter.entry = {{"payload", {{"name", kImage}, {"credentials", {{"password", "********"}}}}}};
  letters.letters.push_back(letter);
  const std::string html = dead_letters_page(letters, scanners, kScript, "csrf-token");
  expect_no_injected_markup(html);
  EXPECT_NE(html.find("action=\"/ui/dlq/retry\""), std::string::npos);
  EXPECT_NE(html.find("name=\"confirm\""), std::string::npos);
}

TEST(Pages, OverviewShowsHealthAndTheLastDay) {
  Overview overview;
  PoolView pool;
  pool.name = "nessus";
  pool.capacity = 4;
  pool.running = 1;
  pool.scanners.push_back({"s1", kScript, 1, 2, queue::ScannerHealth{true, "ready", "", {}, "w1"}});
  pool.scanners.push_back({"s2", "two", 0, 2, queue::ScannerHealth{false, "", kImage, {}, "w1"}});
  pool.scanners.push_back({"s3", "three", 0, 0, std::nullopt});
  queue::HourlyOutcomes hour;
  hour.by_outcome = {{"completed", 3}, {"failed", 1}};
  pool.last_day = {hour};
  overview.pools.push_back(pool);
  const std::string html = overview_page(overview, "csrf-token");
  expect_no_injected_markup(html);
  EXPECT_NE(html.find("25 %"), std::string::npos);
  EXPECT_NE(html.find("answers (ready"), std::string::npos);
  EXPECT_NE(html.find("does not answer"), std::string::npos);
  EXPECT_NE(html.find("not checked lately"), std::string::npos);
  EXPECT_NE(html.find("<rect class=\"completed\""), std::string::npos);
  EXPECT_NE(html.find("4 tasks"), std::string::npos);
}

TEST(Pages, LoginPageHasNoNavigationAndEscapesItsMessage) {
  const std::string html = login_page(kScript);
  expect_no_injected_markup(html);
  EXPECT_EQ(html.find("/ui/logout"), std::string::npos);
  EXPECT_NE(html.find("type=\"password\" name=\"token\""), std::string::npos);
}

}  // namespace
}  // namespace sw::dashboard
