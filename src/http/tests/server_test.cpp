// Tests of the HTTP server over loopback: complete, kept-alive, streamed and cut-off
// responses, the body limit, handler failures, TLS, and stop/start on the same port.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "http/testing/test_client.hpp"
#include "http/tls_certificate.hpp"

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
    co_await connection.send_stream(std::move(head), [&produced](std::string& out) {
      out.append(1000, static_cast<char>('a' + produced % 26));
      return ++produced < 100;
    });
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

class ServerFixture {
 public:
  explicit ServerFixture(std::shared_ptr<asio::ssl::context> tls = nullptr) {
    ServerOptions options;
    options.body_limit = 1024;
    options.tls = std::move(tls);
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
  ServerFixture fixture(make_server_tls_context(certificate.cert_pem, certificate.key_pem));
  EXPECT_TRUE(fixture.server().tls());
  TestClient client(fixture.server().port(), true);
  const auto response = client.get("/hello");
  ASSERT_TRUE(response.complete);
  EXPECT_EQ(response.body, "hi");
  EXPECT_EQ(client.peer_fingerprint(), certificate.sha256_fingerprint);
  EXPECT_EQ(client.get("/stream").body.size(), 100000U);
  EXPECT_EQ(client.connections_opened(), 1);
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

}  // namespace
}  // namespace sw::http
