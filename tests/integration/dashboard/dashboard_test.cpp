// The dashboard behind a real http::Server, over a real redis-server and DATA_DIR: a person
// logs in with a token, reads the pages, cancels a queued task, retries and deletes dead
// letters, downloads an export; and every bad request (no session, a forged form, an
// unknown task or pool, a bad filter) gets a 4xx without changing anything.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <thread>

#include "core/task_message.hpp"
#include "core/time.hpp"
#include "dashboard/dashboard.hpp"
#include "dashboard/web.hpp"
#include "exportgen/export_writer.hpp"
#include "http/testing/test_client.hpp"
#include "queue/task_queue.hpp"
#include "store/task_store.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace sw::dashboard {
namespace {

using http::testing::TestClient;
using http::testing::TestResponse;

constexpr char kToken[] = "operator-token-0123456789";

class DashboardTest : public ::testing::Test {
 protected:
  DashboardTest()
      : store_(data_.path()), queue_(queue::RedisOptions{.url = redis_.url()}, queue::QueueSettings{"test-producer"}) {
    scanners_.pools["nessus"].name = "nessus";
    config::ScannerConfig scanner;
    scanner.pool = "nessus";
    scanner.instance_id = "scanner1";
    scanner.name = "Scanner <one>";
    scanners_.pools["nessus"].scanners.push_back(scanner);
    DashboardOptions options;
    options.verify_token = [](std::string_view token) { return token == kToken; };
    options.redis = queue::RedisOptions{.url = redis_.url()};
    options.data_dir = data_.path();
    options.scanners = [this] { return scanners_; };
    dashboard_ = std::make_unique<Dashboard>(std::move(options));
    http::Handler handler = [this](const http::Request& request, http::Connection& connection) {
      return answer(request, connection);
    };
    server_ = std::make_unique<http::Server>(io_, http::ServerOptions{}, handler);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~DashboardTest() override {
    boost::asio::post(io_, [this] { server_->stop(); });
    io_.stop();
    thread_.join();
  }

  boost::asio::awaitable<void> answer(const http::Request& request, http::Connection& connection) {
    Dashboard::Reply reply = dashboard_->handle(request);
    co_await Dashboard::send(std::move(reply), connection);
  }

  // Logs in: the session cookie and the CSRF token of the forms.
  std::pair<std::string, std::string> log_in(TestClient& client) {
    const TestResponse response = client.request("POST", "/ui/login", std::string("token=") + kToken,
                                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(response.status, 303);
    const std::string set_cookie = response.header("set-cookie");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    const TestResponse overview = client.get("/ui/", {{"Cookie", cookie}});
    const auto at = overview.body.find("name=\"csrf\" value=\"");
    EXPECT_NE(at, std::string::npos);
    const auto start = at + std::string("name=\"csrf\" value=\"").size();
    return {cookie, overview.body.substr(start, overview.body.find('"', start) - start)};
  }

  TestResponse post(TestClient& client, const std::string& cookie, const std::string& target, const std::string& body) {
    return client.request("POST", target, body,
                          {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}});
  }

  core::Task write_task(const std::string& task_id, core::TaskStatus status, const std::string& name = "weekly") {
    core::Task task;
    task.task_id = task_id;
    task.trace_id = "trace-" + task_id;
    task.scan_type = "untrusted";
    task.scanner_pool = "nessus";
    task.status = status;
    task.created_at = core::SystemClock().now();
    task.payload = {{"targets", "10.1.0.0/24"}, {"name", name}};
    store_.write(task);
    return task;
  }

  testing::RedisServer redis_;
  testing::TempDir data_;
  store::TaskStore store_;
  queue::TaskQueue queue_;
  config::ScannersConfig scanners_;
  std::unique_ptr<Dashboard> dashboard_;
  boost::asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

TEST_F(DashboardTest, PagesNeedALoginAndAValidToken) {
  TestClient client(server_->port());
  const TestResponse redirected = client.get("/ui/tasks");
  EXPECT_EQ(redirected.status, 303);
  EXPECT_EQ(redirected.header("location"), "/ui/login");
  EXPECT_EQ(client.request("POST", "/ui/dlq/purge", "pool=nessus&confirm=purge").status, 403);
  const TestResponse refused = client.request("POST", "/ui/login", "token=wrong");
  EXPECT_EQ(refused.status, 401);
  EXPECT_TRUE(refused.header("set-cookie").empty());
  EXPECT_EQ(client.get("/ui/", {{"Cookie", "sw_ui=made-up"}}).status, 303);

  const auto [cookie, csrf] = log_in(client);
  const TestResponse overview = client.get("/ui/", {{"Cookie", cookie}});
  EXPECT_EQ(overview.status, 200);
  EXPECT_NE(overview.header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(overview.header("x-frame-options"), "DENY");
  EXPECT_NE(overview.body.find("Scanner &lt;one&gt;"), std::string::npos);

  EXPECT_EQ(post(client, cookie, "/ui/logout", "csrf=" + csrf).status, 303);
  EXPECT_EQ(client.get("/ui/", {{"Cookie", cookie}}).status, 303);  // the session is gone
}

TEST_F(DashboardTest, FormsWithoutTheCsrfTokenChangeNothing) {
  queue_.enqueue("nessus", R"({"task_id":"q1","scan_type":"untrusted","payload":{"targets":"10.0.0.1"}})");
  write_task("q1", core::TaskStatus::queued);
  TestClient client(server_->port());
  const auto [cookie, csrf] = log_in(client);
  EXPECT_EQ(post(client, cookie, "/ui/tasks/q1/cancel", "").status, 403);
  EXPECT_EQ(post(client, cookie, "/ui/tasks/q1/cancel", "csrf=" + std::string(csrf.size(), 'a')).status, 403);
  EXPECT_EQ(store_.read("q1")->status, core::TaskStatus::queued);
  EXPECT_EQ(queue_.stats("nessus", 0).depth, 1u);
}

TEST_F(DashboardTest, CancelsAQueuedTaskAndAsksTheWorkerForARunningOne) {
  queue_.enqueue("nessus", R"({"task_id":"q1","scan_type":"untrusted","payload":{"targets":"10.0.0.1"}})");
  write_task("q1", core::TaskStatus::queued);
  write_task("r1", core::TaskStatus::running);
  write_task("done", core::TaskStatus::completed);
  TestClient client(server_->port());
  const auto [cookie, csrf] = log_in(client);

  const TestResponse cancelled = post(client, cookie, "/ui/tasks/q1/cancel", "csrf=" + csrf);
  EXPECT_EQ(cancelled.status, 303);
  EXPECT_EQ(store_.read("q1")->status, core::TaskStatus::failed);
  EXPECT_EQ(store_.read("q1")->error_message, "cancelled by request");
  EXPECT_EQ(queue_.stats("nessus", 0).depth, 0u);
  const TestResponse page = client.get(cancelled.header("location"), {{"Cookie", cookie}});
  EXPECT_NE(page.body.find("cancelled before any worker took it"), std::string::npos);
  // A crafted link cannot put its own words on the page.
  const TestResponse crafted =
      client.get("/ui/tasks/q1?notice=Your+session+expired%2C+log+in+at+evil.example", {{"Cookie", cookie}});
  EXPECT_EQ(crafted.body.find("evil.example"), std::string::npos);
  EXPECT_EQ(crafted.body.find("class=\"notice\""), std::string::npos);

  EXPECT_EQ(post(client, cookie, "/ui/tasks/r1/cancel", "csrf=" + csrf).status, 303);
  EXPECT_TRUE(queue_.is_cancel_requested("r1"));
  EXPECT_EQ(post(client, cookie, "/ui/tasks/done/cancel", "csrf=" + csrf).status, 409);
  EXPECT_EQ(post(client, cookie, "/ui/tasks/nope/cancel", "csrf=" + csrf).status, 404);
  EXPECT_EQ(post(client, cookie, "/ui/tasks/..%2F..%2Fetc/cancel", "csrf=" + csrf).status, 400);
}

TEST_F(DashboardTest, TasksAreListedFilteredAndPaged) {
  for (int i = 0; i < 60; ++i) write_task("t" + std::to_string(i), core::TaskStatus::completed);
  write_task("markup", core::TaskStatus::failed, "<script>alert(1)</script>");
  TestClient client(server_->port());
  const auto [cookie, csrf] = log_in(client);
  const TestResponse first = client.get("/ui/tasks?status=completed", {{"Cookie", cookie}});
  EXPECT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("60 tasks"), std::string::npos);
  EXPECT_NE(first.body.find("Page 1 of 2"), std::string::npos);
  const TestResponse failed = client.get("/ui/tasks?status=failed&target=10.1.0.7", {{"Cookie", cookie}});
  EXPECT_NE(failed.body.find("1 tasks"), std::string::npos);
  EXPECT_NE(failed.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(failed.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(client.get("/ui/tasks?target=10.2.0.1", {{"Cookie", cookie}}).body.find("0 tasks"), std::string::npos);

  EXPECT_EQ(client.get("/ui/tasks?status=bogus", {{"Cookie", cookie}}).status, 400);
  EXPECT_EQ(client.get("/ui/tasks?target=10.0.0.300", {{"Cookie", cookie}}).status, 400);
  const TestResponse json_error =
      client.get("/ui/tasks?status=bogus", {{"Cookie", cookie}, {"Accept", "application/json"}});
  EXPECT_EQ(json_error.header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(json_error.body)["error"], "unknown status bogus");
}

TEST_F(DashboardTest, ATaskPageShowsFindingsAndOffersItsExport) {
  write_task("scanned", core::TaskStatus::completed);
  exportgen::ExportSpec spec;
  spec.hosts.push_back({});
  spec.hosts[0].name = "10.1.0.5";
  spec.hosts[0].ip = "10.1.0.5";
  spec.hosts[0].findings = 30;
  const std::string document = exportgen::write_export(spec);
  std::ofstream(store_.export_path("scanned"), std::ios::binary) << document;

  TestClient client(server_->port());
  const auto [cookie, csrf] = log_in(client);
  const TestResponse page = client.get("/ui/tasks/scanned", {{"Cookie", cookie}});
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("matching findings"), std::string::npos);
  const TestResponse critical = client.get("/ui/tasks/scanned?severity=4", {{"Cookie", cookie}});
  EXPECT_NE(critical.body.find("class=\"sev-4\""), std::string::npos);
  EXPECT_EQ(critical.body.find("class=\"sev-2\""), std::string::npos);
  EXPECT_EQ(client.get("/ui/tasks/scanned?severity=%3E%3Dhigh", {{"Cookie", cookie}}).status, 400);

  const TestResponse download = client.get("/ui/tasks/scanned/export", {{"Cookie", cookie}});
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body, document);
  EXPECT_NE(download.header("content-disposition").find("scanned.nessus"), std::string::npos);
  EXPECT_EQ(client.get("/ui/tasks/absent", {{"Cookie", cookie}}).status, 404);
}

TEST_F(DashboardTest, DeadLettersAreRetriedDeletedAndPurgedOnlyWhenConfirmed) {
  for (const char* id : {"d1", "d2", "d3"}) {
    queue_.enqueue("nessus", std::string(R"({"task_id":")") + id +
                                 R"(","scan_type":"untrusted","payload":{"targets":"10.0.0.1"}})");
  }
  queue::TaskQueue worker(queue::RedisOptions{.url = redis_.url()}, queue::QueueSettings{"w1"});
  for (int i = 0; i < 3; ++i) {
    const auto raw = worker.fetch("nessus", std::chrono::milliseconds(0));
    ASSERT_TRUE(raw);
    worker.dead_letter("nessus", *raw, "scanner unreachable", nlohmann::json::object(), core::task_id_of_entry(*raw));
  }
  TestClient client(server_->port());
  const auto [cookie, csrf] = log_in(client);
  const TestResponse list = client.get("/ui/dlq?pool=nessus", {{"Cookie", cookie}});
  EXPECT_NE(list.body.find("3 dead letters"), std::string::npos);
  EXPECT_NE(list.body.find("scanner unreachable"), std::string::npos);

  EXPECT_EQ(post(client, cookie, "/ui/dlq/retry", "csrf=" + csrf + "&pool=nessus&task_id=d1").status, 303);
  EXPECT_EQ(queue_.stats("nessus", 0).depth, 1u);
  EXPECT_EQ(post(client, cookie, "/ui/dlq/delete", "csrf=" + csrf + "&pool=nessus&task_id=d2").status, 303);
  EXPECT_EQ(queue_.stats("nessus", 0).dead_letters, 1u);
  EXPECT_EQ(post(client, cookie, "/ui/dlq/purge", "csrf=" + csrf + "&pool=nessus&confirm=yes").status, 400);
  EXPECT_EQ(queue_.stats("nessus", 0).dead_letters, 1u);
  EXPECT_EQ(post(client, cookie, "/ui/dlq/purge", "csrf=" + csrf + "&pool=other&confirm=purge").status, 404);
  EXPECT_EQ(post(client, cookie, "/ui/dlq/purge", "csrf=" + csrf + "&pool=nessus&confirm=purge").status, 303);
  EXPECT_EQ(queue_.stats("nessus", 0).dead_letters, 0u);
  EXPECT_EQ(client.get("/ui/dlq?pool=other", {{"Cookie", cookie}}).status, 404);
}

}  // namespace
}  // namespace sw::dashboard
