// scanner-mcp benchmark: tool calls per second over Streamable HTTP with concurrent sessions
// (get_scan_status, and page 1 of get_scan_results on a ~50 MB export), and the server's
// memory with many idle sessions. Starts its own redis-server and scanner-mcp (from
// --build) on free loopback ports, writes a completed task with a generated export, runs one
// client thread per session (keep-alive, one call at a time), and prints a table on stderr
// and JSON as the last line on stdout.
//
// Usage: mcp_bench --build DIR [--sessions 50] [--seconds 20] [--idle-sessions 1000] [--export-mb 50]
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/task.hpp"
#include "core/time.hpp"
#include "exportgen/export_writer.hpp"
#include "store/task_store.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string task_id = "ne_scan_20251201_000000_bench001";

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

// A child process; its stdout is a pipe when `capture` is set.
struct Child {
  pid_t pid = -1;
  int out = -1;

  Child(const std::vector<std::string>& argv, const std::vector<std::string>& env, bool capture) {
    int fds[2] = {-1, -1};
    if (capture && ::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid = ::fork();
    if (pid == 0) {
      if (capture) ::dup2(fds[1], STDOUT_FILENO);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDERR_FILENO);
      if (!capture) ::dup2(null, STDOUT_FILENO);
      for (const auto& variable : env) ::putenv(const_cast<char*>(variable.c_str()));
      std::vector<char*> args;
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    if (capture) {
      ::close(fds[1]);
      out = fds[0];
    }
  }
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
    if (out >= 0) ::close(out);
  }
  std::string read_line() {
    std::string line;
    char c = 0;
    while (::read(out, &c, 1) == 1 && c != '\n') line.push_back(c);
    return line;
  }
  long rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
  }
};

// MCP sessions over one keep-alive connection: initialize() makes one more (the server
// keys sessions by Mcp-Session-Id, not by connection); calls go to the latest.
class Session {
 public:
  explicit Session(int port) : stream_(io_) {
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    stream_.connect(endpoint);
    initialize();
  }

  void initialize() {
    id_.clear();
    const json init{{"jsonrpc", "2.0"},
                    {"id", 0},
                    {"method", "initialize"},
                    {"params",
                     {{"protocolVersion", "2025-11-25"},
                      {"capabilities", json::object()},
                      {"clientInfo", {{"name", "bench"}, {"version", "1"}}}}}};
    auto response = post(init);
    id_ = std::string(response["Mcp-Session-Id"]);
    if (id_.empty()) throw std::runtime_error("initialize refused: " + response.body());
    post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  bhttp::response<bhttp::string_body> post(const json& message) {
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, "/mcp", 11};
    request.set(bhttp::field::host, "127.0.0.1");
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::accept, "application/json, text/event-stream");
    if (!id_.empty()) request.set("Mcp-Session-Id", id_);
    request.body() = message.dump();
    request.prepare_payload();
    bhttp::write(stream_, request);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(stream_, buffer_, parser);
    return parser.release();
  }

  // One tools/call; true when it succeeded.
  bool call(const std::string& tool, const json& arguments) {
    const auto response = post({{"jsonrpc", "2.0"},
                                {"id", ++next_id_},
                                {"method", "tools/call"},
                                {"params", {{"name", tool}, {"arguments", arguments}}}});
    if (response.result() != bhttp::status::ok) return false;
    const json answer = json::parse(response.body(), nullptr, false);
    return answer.is_object() && answer.contains("result") && !answer["result"].value("isError", true);
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string id_;
  int next_id_ = 0;
};

struct Throughput {
  double calls_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::size_t failures = 0;
};

Throughput measure(int port, int sessions, double seconds, const std::string& tool, const json& arguments) {
  std::vector<std::unique_ptr<Session>> clients;
  for (int i = 0; i < sessions; ++i) clients.push_back(std::make_unique<Session>(port));
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(sessions));
  std::atomic<std::size_t> failures{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < sessions; ++i) {
    threads.emplace_back([&, i] {
      while (Clock::now() < end) {
        const auto before = Clock::now();
        if (!clients[static_cast<std::size_t>(i)]->call(tool, arguments)) ++failures;
        latencies[static_cast<std::size_t>(i)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - before).count());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& list : latencies) all.insert(all.end(), list.begin(), list.end());
  std::sort(all.begin(), all.end());
  Throughput result;
  result.calls_per_s = static_cast<double>(all.size()) / elapsed;
  result.p50_ms = all.empty() ? 0 : all[all.size() / 2];
  result.p99_ms = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  result.failures = failures;
  return result;
}

void write_export(const std::filesystem::path& file, double megabytes) {
  const auto spec_for = [](std::size_t hosts) {
    sw::exportgen::ExportSpec spec;
    spec.scan_name = "benchmark";
    for (std::size_t i = 0; i < hosts; ++i) {
      const std::string ip = "10.0." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
      spec.hosts.push_back({ip, ip, sw::exportgen::HostAuth::not_attempted, 500});
    }
    return spec;
  };
  const std::size_t sample_hosts = 10;
  const double sample_bytes = static_cast<double>(sw::exportgen::write_export(spec_for(sample_hosts)).size());
  const auto hosts = static_cast<std::size_t>(megabytes * 1e6 / (sample_bytes / sample_hosts)) + 1;
  sw::exportgen::ExportWriter writer(spec_for(hosts));
  std::ofstream out(file, std::ios::binary);
  std::string piece;
  bool more = true;
  while (more) {
    piece.clear();
    more = writer.next(piece);
    out << piece;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string build;
  int sessions = 50;
  double seconds = 20;
  int idle_sessions = 1000;
  double export_mb = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--build")
      build = value;
    else if (flag == "--sessions")
      sessions = std::stoi(value);
    else if (flag == "--seconds")
      seconds = std::stod(value);
    else if (flag == "--idle-sessions")
      idle_sessions = std::stoi(value);
    else if (flag == "--export-mb")
      export_mb = std::stod(value);
  }
  if (build.empty()) {
    std::cerr << "usage: mcp_bench --build DIR [--sessions N] [--seconds S] [--idle-sessions N] [--export-mb MB]\n";
    return 2;
  }
  char pattern[] = "/tmp/mcp-bench-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(pattern);
  const std::filesystem::path tasks = dir / "tasks";
  std::filesystem::create_directories(tasks);
  std::ofstream(dir / "scanners.yaml") << "nessus:\n  - instance_id: scanner1\n    url: https://127.0.0.1:1\n"
                                          "    username: u\n    password: p\n";

  sw::store::TaskStore store(tasks);
  sw::core::Task task;
  task.task_id = task_id;
  task.trace_id = "bench";
  task.scan_type = "untrusted";
  task.scanner_pool = "nessus";
  task.status = sw::core::TaskStatus::completed;
  task.payload = {{"targets", "10.0.0.0/16"}, {"name", "benchmark"}};
  task.created_at = std::chrono::system_clock::now();
  task.started_at = task.created_at;
  task.completed_at = task.created_at;
  task.validation_stats = {{"hosts_scanned", 1}};
  store.write(task);
  write_export(store.export_path(task_id), export_mb);
  const double file_mb = static_cast<double>(std::filesystem::file_size(store.export_path(task_id))) / 1e6;

  const int redis_port = free_port();
  Child redis({"redis-server", "--port", std::to_string(redis_port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", dir.string()},
              {}, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Child mcp({build + "/apps/scanner-mcp/scanner-mcp"},
            {"REDIS_URL=redis://127.0.0.1:" + std::to_string(redis_port), "DATA_DIR=" + tasks.string(),
             "SCANNER_CONFIG=" + (dir / "scanners.yaml").string(), "MCP_LISTEN_ADDR=127.0.0.1:0", "LOG_LEVEL=WARNING"},
            true);
  const std::string line = mcp.read_line();
  const auto colon = line.rfind(':');
  const int port = std::stoi(line.substr(colon + 1));

  const Throughput status = measure(port, sessions, seconds, "get_scan_status", {{"task_id", task_id}});
  const json page_one{{"task_id", task_id}, {"page", 1}, {"page_size", 40}};
  // The first read of a page streams the whole export; later reads of it come from the cache.
  Session cold(port);
  const auto cold_start = Clock::now();
  cold.call("get_scan_results", page_one);
  const double cold_ms = std::chrono::duration<double, std::milli>(Clock::now() - cold_start).count();
  const Throughput results = measure(port, sessions, seconds, "get_scan_results", page_one);

  const long rss_before = mcp.rss_kib();
  Session idle(port);
  for (int i = 1; i < idle_sessions; ++i) idle.initialize();
  const long rss_after = mcp.rss_kib();
  Session probe(port);
  const bool still_serving = probe.call("list_pools", json::object());

  const json report{{"sessions", sessions},
                    {"seconds", seconds},
                    {"export_mb", file_mb},
                    {"get_scan_status",
                     {{"calls_per_s", status.calls_per_s},
                      {"p50_ms", status.p50_ms},
                      {"p99_ms", status.p99_ms},
                      {"failures", status.failures}}},
                    {"get_scan_results_page1",
                     {{"calls_per_s", results.calls_per_s},
                      {"p50_ms", results.p50_ms},
                      {"p99_ms", results.p99_ms},
                      {"failures", results.failures},
                      {"first_ms", cold_ms}}},
                    {"idle_sessions", idle_sessions},
                    {"rss_before_idle_mb", static_cast<double>(rss_before) / 1024},
                    {"rss_after_idle_mb", static_cast<double>(rss_after) / 1024},
                    {"kib_per_idle_session", static_cast<double>(rss_after - rss_before) / idle_sessions},
                    {"serving_after_idle_sessions", still_serving}};
  std::fprintf(stderr, "scanner-mcp, %d sessions, %.0f s each, export %.1f MB\n", sessions, seconds, file_mb);
  std::fprintf(stderr, "  get_scan_status          %8.1f calls/s  p50 %7.2f ms  p99 %7.2f ms  failures %zu\n",
               status.calls_per_s, status.p50_ms, status.p99_ms, status.failures);
  std::fprintf(stderr,
               "  get_scan_results page 1  %8.1f calls/s  p50 %7.2f ms  p99 %7.2f ms  failures %zu"
               "  (first read, whole export streamed: %.0f ms)\n",
               results.calls_per_s, results.p50_ms, results.p99_ms, results.failures, cold_ms);
  std::fprintf(stderr, "  %d idle sessions: RSS %.1f MB -> %.1f MB (%.2f KiB each), still serving: %s\n", idle_sessions,
               static_cast<double>(rss_before) / 1024, static_cast<double>(rss_after) / 1024,
               static_cast<double>(rss_after - rss_before) / idle_sessions, still_serving ? "yes" : "no");
  std::cout << report.dump() << std::endl;
  std::filesystem::remove_all(dir);
  return still_serving ? 0 : 1;
}
