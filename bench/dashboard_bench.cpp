// How fast the dashboard answers (issue 17: the overview under 50 ms with 10,000 task folders
// and 1,000 dead letters): fills a DATA_DIR with task folders and a pool's DLQ in the Redis
// given, logs in, then times whole requests through Dashboard::handle (Redis reads and HTML
// rendering included, no network) for the overview, the dead-letter page and the task list.
// Prints one JSON line: per page the median, min and max in ms.
// Usage: dashboard_bench --redis-url URL [--tasks N] [--dead-letters N] [--runs N]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "dashboard/dashboard.hpp"
#include "dashboard/web.hpp"
#include "queue/redis_connection.hpp"
#include "store/task_store.hpp"

namespace {

using namespace sw;
namespace beast_http = boost::beast::http;

void fill(const std::filesystem::path& data_dir, const std::string& redis_url, int tasks, int dead_letters) {
  store::TaskStore store(data_dir);
  const auto now = core::SystemClock().now();
  for (int i = 0; i < tasks; ++i) {
    core::Task task;
    task.task_id = "bench_" + std::to_string(i);
    task.trace_id = "trace";
    task.scan_type = "untrusted";
    task.scanner_pool = "nessus";
    task.status = i % 10 == 0 ? core::TaskStatus::failed : core::TaskStatus::completed;
    task.created_at = now - std::chrono::seconds(i);
    task.payload = {{"targets", "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250)}, {"name", "bench"}};
    store.write(task);
  }
  queue::RedisConnection redis(queue::RedisOptions{.url = redis_url});
  for (int i = 0; i < dead_letters; ++i) {
    const nlohmann::json entry{{"task_id", "dead_" + std::to_string(i)},
                               {"scan_type", "untrusted"},
                               {"scanner_pool", "nessus"},
                               {"payload", {{"targets", "10.9.0.1"}}},
                               {"error", "Scanner unreachable"},
                               {"failed_at", "2026-12-01T10:00:00.000000"}};
    redis.command({"ZADD", "nessus:queue:dead", std::to_string(1764583200 + i), entry.dump()});
  }
}

http::Request request(beast_http::verb verb, const std::string& target, const std::string& cookie,
                      const std::string& body = {}) {
  http::Request req(verb, target, 11);
  if (!cookie.empty()) req.set(beast_http::field::cookie, cookie);
  req.body() = body;
  req.prepare_payload();
  return req;
}

nlohmann::json time_page(dashboard::Dashboard& board, const std::string& target, const std::string& cookie, int runs) {
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto reply = board.handle(request(beast_http::verb::get, target, cookie));
    samples.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (reply.response.result() != beast_http::status::ok) {
      throw std::runtime_error(target + " answered " + std::to_string(reply.response.result_int()));
    }
  }
  std::sort(samples.begin(), samples.end());
  return {{"median_ms", samples[samples.size() / 2]},
          {"min_ms", samples.front()},
          {"max_ms", samples.back()},
          {"runs", runs}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dashboard_bench"};
  std::string redis_url;
  int tasks = 10000, dead_letters = 1000, runs = 20;
  app.add_option("--redis-url", redis_url)->required();
  app.add_option("--tasks", tasks);
  app.add_option("--dead-letters", dead_letters);
  app.add_option("--runs", runs);
  CLI11_PARSE(app, argc, argv);

  const auto data_dir = std::filesystem::temp_directory_path() / ("dashboard-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(data_dir);
  fill(data_dir, redis_url, tasks, dead_letters);

  config::ScannersConfig scanners;
  scanners.pools["nessus"].name = "nessus";
  for (const char* id : {"scanner1", "scanner2"}) {
    config::ScannerConfig scanner;
    scanner.pool = "nessus";
    scanner.instance_id = id;
    scanner.name = id;
    scanners.pools["nessus"].scanners.push_back(scanner);
  }
  dashboard::DashboardOptions options;
  options.verify_token = [](std::string_view token) { return token == "bench"; };
  options.redis = queue::RedisOptions{.url = redis_url};
  options.data_dir = data_dir;
  options.scanners = [&scanners] { return scanners; };
  dashboard::Dashboard board(std::move(options));
  const auto login = board.handle(request(beast_http::verb::post, "/ui/login", "", "token=bench"));
  const std::string set_cookie(login.response[beast_http::field::set_cookie]);
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));

  const nlohmann::json report{{"tasks", tasks},
                              {"dead_letters", dead_letters},
                              {"overview", time_page(board, "/ui/", cookie, runs)},
                              {"dead_letters_page", time_page(board, "/ui/dlq?pool=nessus", cookie, runs)},
                              {"tasks_page", time_page(board, "/ui/tasks", cookie, std::max(3, runs / 4))}};
  std::filesystem::remove_all(data_dir);
  std::cout << report.dump() << std::endl;
  return 0;
}
