// Tests of the status endpoint over a real listener: /healthz, /readyz as the program's
// readiness says, /metrics as text, and 404/405 with a JSON error.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include "http/status_endpoint.hpp"
#include "http/testing/test_client.hpp"

namespace sw::http {
namespace {

TEST(StatusEndpoint, AnswersHealthReadinessAndMetrics) {
  boost::asio::io_context io;
  std::atomic<bool> ready = false;
  Server server(io, ServerOptions{},
                make_status_handler([] { return std::string("up 1\n"); },
                                    [&ready] {
                                      return Readiness{ready.load(), ready ? "fine" : "redis unreachable"};
                                    }));
  server.start();
  std::thread loop([&io] { io.run(); });
  testing::TestClient client(server.port());
  EXPECT_EQ(client.get("/healthz").status, 200);
  const auto not_ready = client.get("/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_NE(not_ready.body.find("redis unreachable"), std::string::npos);
  ready = true;
  EXPECT_EQ(client.get("/readyz").status, 200);
  const auto metrics = client.get("/metrics");
  EXPECT_EQ(metrics.body, "up 1\n");
  EXPECT_NE(metrics.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_EQ(client.get("/other").status, 404);
  EXPECT_EQ(client.request("POST", "/metrics").status, 405);
  boost::asio::post(io, [&server] { server.stop(); });
  io.stop();
  loop.join();
}

}  // namespace
}  // namespace sw::http
