// Chaos test of the worker's metrics/health listener under a connection flood (issue 12):
// the worker runs with a low RLIMIT_NOFILE; while a task runs, hundreds of connections are
// held open without a request (slowloris) and thousands more are opened and closed. The
// task must complete with task.json written, the endpoint must answer again afterwards, no
// descriptor shortage may appear, and the log must stay a handful of lines.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "chaos_fixture.hpp"
#include "http/testing/test_client.hpp"

namespace sw::chaos {
namespace {

using std::chrono::seconds;

// A client socket connected to 127.0.0.1:port (the kernel completes the handshake whether or
// not the server accepts it), closed on destruction.
class FloodConnection {
 public:
  explicit FloodConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~FloodConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  FloodConnection(const FloodConnection&) = delete;
  FloodConnection& operator=(const FloodConnection&) = delete;

  bool connected() const { return connected_; }
  void send(const std::string& text) const { (void)::send(fd_, text.data(), text.size(), MSG_NOSIGNAL); }

 private:
  int fd_;
  bool connected_ = false;
};

std::size_t count_lines(const std::string& text, const std::string& needle = {}) {
  std::istringstream in(text);
  std::size_t count = 0;
  for (std::string line; std::getline(in, line);) count += line.find(needle) != std::string::npos ? 1 : 0;
  return count;
}

int healthz_status(int port) {
  return http::testing::TestClient(static_cast<std::uint16_t>(port), false, std::chrono::milliseconds(2000))
      .get("/healthz")
      .status;
}

TEST_F(ChaosTest, ConnectionFloodOnTheMetricsPortLeavesARunningTaskAlone) {
  // The derived connection cap is 128 / 4 = 32. The worker itself holds about 55 descriptors
  // with one scanner (each Redis lane's connection has an event loop of its own: 3 each), and
  // a finishing task opens a few files: at 80 (a cap of 20) that left no room under load.
  constexpr int max_open_files = 128;
  add_scanner("scanner1", 2, {"--scan-seconds", "3"});
  const int metrics_port = testing::free_port();
  start_worker("w1", {{{"METRICS_ADDR", "127.0.0.1:" + std::to_string(metrics_port)}}, max_open_files});
  ASSERT_TRUE(testing::eventually([&] { return healthz_status(metrics_port) == 200; }, seconds(20)))
      << worker_log("w1");

  const std::string id = submit("10.40.0.1");
  ASSERT_TRUE(testing::eventually(
      [&] {
        const auto record = task(id);
        return record && record->status == core::TaskStatus::running;
      },
      seconds(30)))
      << worker_log("w1");

  // Far more idle connections than the worker has descriptors, held through the whole run.
  std::vector<std::unique_ptr<FloodConnection>> held;
  for (int i = 0; i < 400; ++i) held.push_back(std::make_unique<FloodConnection>(metrics_port));
  int flooded = 0;
  const bool ended = run_until_terminal(seconds(60), [&] {
    for (int i = 0; i < 100; ++i, ++flooded) {
      const FloodConnection connection(metrics_port);
      connection.send("GET /metrics HTTP/1.1\r\nHost: flood\r\n\r\n");
    }
  });
  const std::string log_during_flood = worker_log("w1");
  held.clear();

  EXPECT_TRUE(ended) << log_during_flood;
  const auto record = task(id);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->status, core::TaskStatus::completed) << record->error_message.value_or("");
  EXPECT_TRUE(worker_running("w1"));
  EXPECT_TRUE(testing::eventually([&] { return healthz_status(metrics_port) == 200; }, seconds(40)));

  const std::string log = worker_log("w1");
  const std::size_t lines = count_lines(log);
  const std::size_t refused_lines = count_lines(log, "connection limit reached");
  std::cout << "CHAOS connection flood: held=400 flooded=" << flooded << " log_lines=" << lines
            << " refused_lines=" << refused_lines << std::endl;
  EXPECT_GE(refused_lines, 1U) << log;
  EXPECT_LE(refused_lines, 10U) << log;
  EXPECT_EQ(count_lines(log, "Too many open files"), 0U) << log;
  EXPECT_LT(lines, 80U) << log;
  report_and_check(figures());
}

}  // namespace
}  // namespace sw::chaos
