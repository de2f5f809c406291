// Tests of the HTTP server over loopback: complete, kept-alive, streamed, paced and cut-off
// responses, the header and body limits, handler failures, TLS, stop/start on the same port,
// the connection cap, the accept backoff when descriptors run out, and the read deadline
// against slowly trickled requests.
#include "http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <cerrno>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/testing/test_client.hpp"
#include "http/tls_certificate.hpp"
#include "telemetry/testing/captured_log.hpp"

namespace sw::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using testing::TestClient;

asio::awaitable<void> handle(const Request& request, Connection& connection) {
  const std::string target(request.target());
  if (target == "/hello") {
    Response response{bhttp::status::ok, 11};
    response.set(bhttp::field::content_type, "text/plain");
    response.body() = "hi";
    co_await connection.send(std::move(response));
  } else if (target == "/echo") {
    Response response{bhttp::status::ok, 11};
    response.body() = request.body();
    co_await connection.send(std::move(response));
  } else if (target == "/stream") {
    ResponseHead head{bhttp::status::ok, 11};
    head.set(bhttp::field::content_type, "application/octet-stream");
    int produced = 0;
    co_await connection.send_stream(
        std::move(head),
        [&produced](std::string& out) {
          out.append(1000, static_cast<char>('a' + produced % 26));
          return ++produced < 100;
        },
        0);
  } else if (target == "/events") {
    ResponseHead head{bhttp::status::ok, 11};
    head.set(bhttp::field::content_type, "text/event-stream");
    int sent = 0;
    AsyncBodyProducer events = [&sent](std::string& out) -> asio::awaitable<bool> {
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
      co_await pause.async_wait(asio::use_awaitable);
      out = "data: " + std::to_string(sent) + "\n\n";
      co_return ++sent < 3;
    };
    co_await connection.send_async_stream(std::move(head), std::move(events));
  } else if (target == "/paced" || target == "/paced-endless") {
    // 3000 bytes at 4000 bytes per second, or 100 bytes a quarter second without end.
    const bool endless = target == "/paced-endless";
    ResponseHead head{bhttp::status::ok, 11};
    int produced = 0;
    co_await connection.send_stream(
        std::move(head),
        [&produced, endless](std::string& out) {
          out.append(100, static_cast<char>('a' + produced % 26));
          return endless || ++produced < 30;
        },
        endless ? 400 : 4000);
  } else if (target == "/drop") {
    ResponseHead head{bhttp::status::precondition_failed, 11};
    head.set(bhttp::field::content_length, "32");
    co_await connection.send_head_and_close(std::move(head));
  } else if (target == "/reset") {
    connection.reset();
  } else if (target == "/throw") {
    throw std::runtime_error("handler failure");
  }
}

ServerOptions test_options() {
  ServerOptions options;
  options.body_limit = 1024;
  return options;
}

class ServerFixture {
 public:
  explicit ServerFixture(ServerOptions options = test_options()) {
    server_ = std::make_unique<Server>(io_, options, handle);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServerFixture() {
    on_io([this] { server_->stop(); });
    work_.reset();
    thread_.join();
  }
  template <typename F>
  void on_io(F f) {
    std::promise<void> done;
    asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
  Server& server() { return *server_; }
  ListenerStats stats() {
    ListenerStats stats;
    on_io([&] { stats = server_->stats(); });
    return stats;
  }
  // Polls the server's figures (on its thread) until `condition` holds; false after 10 s.
  template <typename Condition>
  bool wait_for_stats(Condition condition) {
    for (int i = 0; i < 1000; ++i) {
      if (condition(stats())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST(HttpServer, AnswersAndKeepsTheConnectionAlive) {
  ServerFixture fixture;
  ASSERT_NE(fixture.server().port(), 0);
  TestClient client(fixture.server().port());
  for (int i = 0; i < 3; ++i) {
    const auto response = client.get("/hello");
    ASSERT_TRUE(response.complete);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "hi");
    EXPECT_EQ(response.header("content-type"), "text/plain");
  }
  const auto echoed = client.request("POST", "/echo", "payload");
  EXPECT_EQ(echoed.body, "payload");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpServer, StreamsAChunkedBody) {
  ServerFixture fixture;
  TestClient client(fixture.server().port());
  const auto response = client.get("/stream");
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.header("transfer-encoding"), "chunked");
  ASSERT_EQ(response.body.size(), 100000U);
  EXPECT_EQ(response.body.front(), 'a');
  EXPECT_EQ(response.body.back(), 'a' + 99 % 26);
  EXPECT_EQ(client.get("/hello").body, "hi");
  EXPECT_EQ(client.connections_opened(), 1);
}

// Paced: 3000 bytes at 4000 bytes per second go out as three slices of 1000 bytes, a quarter
// second apart, whole and in order.
TEST(HttpServer, PacesAStreamedBodyAtTheRateAsked) {
  ServerFixture fixture;
  TestClient client(fixture.server().port());
  const auto started = std::chrono::steady_clock::now();
  const auto response = client.get("/paced");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(response.complete);
  ASSERT_EQ(response.body.size(), 3000U);
  EXPECT_EQ(response.body.substr(0, 100), std::string(100, 'a'));
  EXPECT_EQ(response.body.substr(2900), std::string(100, static_cast<char>('a' + 29 % 26)));
  EXPECT_GE(took, std::chrono::milliseconds(400));
  EXPECT_EQ(client.get("/hello").body, "hi");
}

TEST(HttpServer, SendsHeadersThenClosesWithoutTheBody) {
  ServerFixture fixture;
  TestClient client(fixture.server().port());
  const auto response = client.get("/drop");
  EXPECT_TRUE(response.headers_received);
  EXPECT_FALSE(response.complete);
  EXPECT_EQ(response.status, 412);
  EXPECT_EQ(response.header("content-length"), "32");
}

TEST(HttpServer, ResetsWithoutAnswering) {
  ServerFixture fixture;
  TestClient client(fixture.server().port());
  const auto response = client.get("/reset");
  EXPECT_TRUE(response.connected);
  EXPECT_FALSE(response.headers_received);
  EXPECT_EQ(client.get("/hello").body, "hi");
}

TEST(HttpServer, RejectsOversizedBodiesAndSurvivesHandlerFailures) {
  ServerFixture fixture;
  TestClient client(fixture.server().port());
  EXPECT_EQ(client.request("POST", "/echo", std::string(5000, 'x')).status, 413);
  EXPECT_EQ(client.get("/throw").status, 500);
  EXPECT_EQ(client.get("/unanswered").status, 500);
  EXPECT_EQ(client.get("/hello").status, 200);
}

TEST(HttpServer, ServesTlsWithAGeneratedCertificate) {
  const auto certificate = generate_self_signed_certificate();
  ServerOptions options = test_options();
  options.tls = make_server_tls_context(certificate.cert_pem, certificate.key_pem);
  ServerFixture fixture(options);
  EXPECT_TRUE(fixture.server().tls());
  TestClient client(fixture.server().port(), true);
  const auto response = client.get("/hello");
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.body, "hi");
  EXPECT_EQ(client.peer_fingerprint(), certificate.sha256_fingerprint);
  EXPECT_EQ(client.get("/stream").body.size(), 100000U);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST(HttpServer, StreamsPiecesThatArriveOverTime) {
  ServerFixture fixture;
  TestClient client(fixture.server().port());
  const auto response = client.get("/events");
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.header("content-type"), "text/event-stream");
  EXPECT_EQ(response.body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  EXPECT_EQ(client.get("/hello").body, "hi");
}

TEST(HttpServer, StopRefusesConnectionsAndStartReopensTheSamePort) {
  ServerFixture fixture;
  const auto port = fixture.server().port();
  TestClient kept(port);
  ASSERT_EQ(kept.get("/hello").status, 200);
  fixture.on_io([&] { fixture.server().stop(); });
  EXPECT_FALSE(TestClient(port).get("/hello").connected);
  EXPECT_FALSE(kept.get("/hello").complete);
  fixture.on_io([&] { fixture.server().start(); });
  EXPECT_EQ(fixture.server().port(), port);
  EXPECT_EQ(TestClient(port).get("/hello").status, 200);
}

// A plain TCP connection driven by hand, for requests the test client would not send.
class RawConnection {
 public:
  RawConnection() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void connect(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  // False once the peer has closed (EPIPE/ECONNRESET).
  bool send(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Waits up to `timeout` for bytes; appends them to received(). False when the peer closed.
  bool read_for(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return true;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    received_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  // Reads until the peer closes (bounded by 10 s); returns what arrived.
  std::string read_until_closed() {
    for (int i = 0; i < 100 && read_for(std::chrono::milliseconds(100)); ++i) {
    }
    return received_;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_;
  std::string received_;
};

// A paced stream that would never end stops at its next write once the peer has gone.
TEST(HttpServer, APacedStreamEndsWhenThePeerCloses) {
  ServerFixture fixture;
  {
    RawConnection reader;
    reader.connect(fixture.server().port());
    ASSERT_TRUE(reader.send("GET /paced-endless HTTP/1.1\r\nHost: x\r\n\r\n"));
    for (int i = 0; i < 100 && reader.received().find("aaaa") == std::string::npos; ++i) {
      ASSERT_TRUE(reader.read_for(std::chrono::milliseconds(100)));
    }
    ASSERT_NE(reader.received().find("aaaa"), std::string::npos) << reader.received();
  }
  EXPECT_TRUE(fixture.wait_for_stats([](const ListenerStats& s) { return s.open_connections == 0; }));
}

TEST(HttpServer, OversizedHeadersGet431) {
  ServerFixture fixture;
  TestClient client(fixture.server().port());
  const auto response = client.get("/hello", {{"X-Padding", std::string(20000, 'p')}});
  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(client.get("/hello").status, 200);
}

TEST(HttpServer, ConnectionsBeyondTheCapAreClosedWhileOpenOnesKeepWorking) {
  ServerOptions options = test_options();
  options.max_connections = 2;
  ServerFixture fixture(options);
  const auto port = fixture.server().port();
  auto first = std::make_unique<TestClient>(port);
  TestClient second(port);
  ASSERT_EQ(first->get("/hello").status, 200);
  ASSERT_EQ(second.get("/hello").status, 200);
  EXPECT_EQ(fixture.stats().open_connections, 2U);

  for (int i = 0; i < 5; ++i) {
    const auto refused = TestClient(port).get("/hello");
    EXPECT_FALSE(refused.headers_received);
  }
  EXPECT_EQ(fixture.stats().refused_connections, 5U);
  EXPECT_EQ(first->get("/hello").status, 200);
  EXPECT_EQ(second.get("/hello").status, 200);
  EXPECT_EQ(first->connections_opened(), 1);

  first.reset();
  ASSERT_TRUE(fixture.wait_for_stats([](const ListenerStats& s) { return s.open_connections == 1; }));
  EXPECT_EQ(TestClient(port).get("/hello").status, 200);
  EXPECT_EQ(fixture.stats().refused_connections, 5U);
}

TEST(HttpServer, AcceptBackoffDoublesFromTenMillisecondsToOneSecond) {
  EXPECT_EQ(accept_backoff_after(0).count(), 0);
  EXPECT_EQ(accept_backoff_after(1).count(), 10);
  EXPECT_EQ(accept_backoff_after(2).count(), 20);
  EXPECT_EQ(accept_backoff_after(7).count(), 640);
  EXPECT_EQ(accept_backoff_after(8).count(), 1000);
  EXPECT_EQ(accept_backoff_after(1000000).count(), 1000);
}

// Sets the soft RLIMIT_NOFILE for the scope and restores it.
class SoftFileLimit {
 public:
  explicit SoftFileLimit(rlim_t soft) {
    if (getrlimit(RLIMIT_NOFILE, &saved_) != 0) throw std::runtime_error("getrlimit failed");
    rlimit lowered = saved_;
    lowered.rlim_cur = std::min(soft, saved_.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &lowered) != 0) throw std::runtime_error("setrlimit failed");
  }
  ~SoftFileLimit() { setrlimit(RLIMIT_NOFILE, &saved_); }
  SoftFileLimit(const SoftFileLimit&) = delete;
  SoftFileLimit& operator=(const SoftFileLimit&) = delete;

 private:
  rlimit saved_{};
};

TEST(HttpServer, DefaultConnectionCapIsAQuarterOfTheFileLimitAtMost256) {
  {
    SoftFileLimit limit(64);
    EXPECT_EQ(default_max_connections(), 16U);
    EXPECT_EQ(ServerOptions{}.max_connections, 16U);
  }
  {
    SoftFileLimit limit(2);
    EXPECT_EQ(default_max_connections(), 1U);
  }
  rlimit current{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &current), 0);
  if (current.rlim_max >= 2048) {
    SoftFileLimit limit(2048);
    EXPECT_EQ(default_max_connections(), 256U);
  }
}

TEST(HttpServer, OutOfDescriptorsTheListenerBacksOffLogsOnceAndRecovers) {
#if defined(__SANITIZE_ADDRESS__)
  // UBSan checks a type the first time it meets it by probing memory through a pipe: with
  // no descriptor left every such check reports a false "invalid vptr".
  GTEST_SKIP() << "needs every descriptor taken, which the sanitizer runtime cannot bear";
#endif
  ServerFixture fixture;
  const telemetry::testing::CapturedLog log(telemetry::LogLevel::info, telemetry::LogFormat::text);
  RawConnection client;  // its descriptor is taken before they run out
  std::vector<int> fillers;
  {
    // Lower the limit so that filling it is cheap, then take every descriptor left.
    SoftFileLimit limit(256);
    for (int fd; (fd = ::dup(STDERR_FILENO)) >= 0;) fillers.push_back(fd);
    ASSERT_EQ(errno, EMFILE);
    client.connect(fixture.server().port());  // the kernel completes it; accept() gets EMFILE
    ASSERT_TRUE(fixture.wait_for_stats([](const ListenerStats& s) { return s.accept_failures >= 5; }));
    const auto stats = fixture.stats();
    EXPECT_EQ(stats.accept_backoff, accept_backoff_after(stats.accept_failures));
    EXPECT_GE(stats.accept_backoff.count(), 80);
    // The waits are real: failure 20 comes over 10 s after the first; a busy loop reaches
    // thousands within the first poll.
    EXPECT_LT(stats.accept_failures, 20U);
    for (const int fd : fillers) ::close(fd);
  }
  ASSERT_TRUE(client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string response = client.read_until_closed();
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0U) << response;
  EXPECT_EQ(fixture.stats().accept_backoff.count(), 0);
  // Five failures or more, one line (the next ones wait for the interval).
  fixture.on_io([] {});
  EXPECT_EQ(log.lines_with("http accept failed"), 1U) << log.text();
  EXPECT_EQ(log.lines_with("Too many open files"), 1U) << log.text();
}

TEST(HttpServer, ARequestTrickledInSlowlyIsCutAtTheReadDeadline) {
  ServerOptions options = test_options();
  options.read_timeout = std::chrono::milliseconds(300);
  ServerFixture fixture(options);
  RawConnection slow;
  slow.connect(fixture.server().port());
  ASSERT_TRUE(slow.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  // One byte every 20 ms: an idle timeout would never fire, the request deadline does.
  bool open = true;
  int bytes_sent = 0;
  for (; open && bytes_sent < 500; ++bytes_sent) {
    open = slow.read_for(std::chrono::milliseconds(20)) && slow.send("a");
  }
  EXPECT_FALSE(open) << "still open after " << bytes_sent << " bytes";
  EXPECT_EQ(slow.received(), "");
  EXPECT_TRUE(fixture.wait_for_stats([](const ListenerStats& s) { return s.open_connections == 0; }));
  EXPECT_EQ(TestClient(fixture.server().port()).get("/hello").status, 200);
}

}  // namespace
}  // namespace sw::http
