// scanner-mcp over HTTP, as a client without an SDK sees it: every refusal of a bad request
// with its status code, sessions, progress as server-sent events, the side endpoints.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/testing/test_client.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

namespace sw::mcp_test {
namespace {

using nlohmann::json;
using Headers = std::map<std::string, std::string>;

const std::string token = "s3cret-token-for-tests";

class McpHttpTest : public ::testing::Test {
 protected:
  McpHttpTest() {
    std::filesystem::create_directories(dir_.path() / "tasks");
    std::ofstream(dir_.path() / "scanners.yaml")
        << "nessus:\n  - instance_id: scanner1\n    url: https://127.0.0.1:1\n    username: u\n    password: p\n";
    std::ofstream(dir_.path() / "tokens") << "# tokens\n" << token << "\n";
    ::chmod((dir_.path() / "tokens").c_str(), 0600);
  }

  void start(Headers extra = {}) {
    Headers env{{"REDIS_URL", redis_.url()},
                {"DATA_DIR", (dir_.path() / "tasks").string()},
                {"SCANNER_CONFIG", (dir_.path() / "scanners.yaml").string()},
                {"MCP_LISTEN_ADDR", "127.0.0.1:0"},
                {"MCP_AUTH_TOKENS_FILE", (dir_.path() / "tokens").string()},
                {"MCP_STATUS_POLL_SECONDS", "0.1"},
                {"LOG_FORMAT", "text"}};
    for (const auto& [name, value] : extra) env[name] = value;
    server_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{testing::program_path("scanner-mcp")},
                                                      env, (dir_.path() / "mcp.log").string());
    const auto line = server_->wait_for_line("listening on", std::chrono::seconds(10));
    ASSERT_TRUE(line) << "scanner-mcp did not start";
    const auto colon = line->rfind(':');
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
  }

  // `headers` with a valid token, JSON content type and the Accept the spec asks for, unless
  // `headers` sets them otherwise.
  Headers auth(Headers headers = {}) {
    headers.emplace("Authorization", "Bearer " + token);
    headers.emplace("Content-Type", "application/json");
    headers.emplace("Accept", "application/json, text/event-stream");
    return headers;
  }

  http::testing::TestResponse post(const json& body, const Headers& headers) {
    http::testing::TestClient client(port_);
    return client.request("POST", "/mcp", body.dump(), headers);
  }

  std::string initialize() {
    const auto response = post({{"jsonrpc", "2.0"},
                                {"id", 1},
                                {"method", "initialize"},
                                {"params",
                                 {{"protocolVersion", "2025-11-25"},
                                  {"capabilities", json::object()},
                                  {"clientInfo", {{"name", "raw"}, {"version", "1"}}}}}},
                               auth());
    EXPECT_EQ(response.status, 200) << response.body;
    return response.header("mcp-session-id");
  }

  std::string log() const {
    std::ifstream in(dir_.path() / "mcp.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testing::RedisServer redis_;
  testing::TempDir dir_;
  std::unique_ptr<testing::ChildProcess> server_;
  std::uint16_t port_ = 0;
};

const json ping{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "ping"}};

TEST_F(McpHttpTest, RefusesBadRequestsWithTheirStatus) {
  start();
  const std::string session = initialize();
  ASSERT_EQ(session.size(), 32u);

  Headers no_token = auth();
  no_token.erase("Authorization");
  auto response = post(ping, no_token);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.header("www-authenticate"), "Bearer realm=\"scanner-mcp\"");
  response = post(ping, auth({{"Authorization", "Bearer wrong"}, {"Mcp-Session-Id", session}}));
  EXPECT_EQ(response.status, 401);
  EXPECT_NE(response.header("www-authenticate").find("invalid_token"), std::string::npos);

  EXPECT_EQ(post(ping, auth({{"Origin", "http://evil.example"}, {"Mcp-Session-Id", session}})).status, 403);
  EXPECT_EQ(post(ping, auth({{"Origin", "http://localhost:6274"}, {"Mcp-Session-Id", session}})).status, 200);
  EXPECT_EQ(post(ping, auth({{"MCP-Protocol-Version", "2024-11-05"}, {"Mcp-Session-Id", session}})).status, 400);
  EXPECT_EQ(post(ping, auth({{"MCP-Protocol-Version", "2025-06-18"}, {"Mcp-Session-Id", session}})).status, 200);
  EXPECT_EQ(post(ping, auth()).status, 400);
  EXPECT_EQ(post(ping, auth({{"Mcp-Session-Id", "0123456789abcdef0123456789abcdef"}})).status, 404);
  EXPECT_EQ(post(ping, auth({{"Mcp-Session-Id", session}, {"Content-Type", "text/plain"}})).status, 415);

  http::testing::TestClient client(port_);
  response = client.request("POST", "/mcp", "{\"jsonrpc\": ", auth({{"Mcp-Session-Id", session}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json::parse(response.body)["error"]["code"], -32700);
  response = client.request("POST", "/mcp", std::string(1100000, ' '), auth({{"Mcp-Session-Id", session}}));
  EXPECT_EQ(response.status, 413);

  http::testing::TestClient other(port_);
  EXPECT_EQ(
      other.request("GET", "/mcp", "", auth({{"Mcp-Session-Id", session}, {"Accept", "application/json"}})).status,
      405);
  {
    // With Accept: text/event-stream, GET opens the session's stream; it stays open (the client
    // gives up after its timeout with the headers and the first comment received).
    http::testing::TestClient listener(port_, false, std::chrono::milliseconds(1500));
    const auto stream =
        listener.request("GET", "/mcp", "", auth({{"Mcp-Session-Id", session}, {"Accept", "text/event-stream"}}));
    EXPECT_EQ(stream.status, 200);
    EXPECT_TRUE(stream.headers_received && !stream.complete);
    EXPECT_EQ(stream.header("content-type"), "text/event-stream");
    EXPECT_EQ(listener.request("GET", "/mcp", "", auth({{"Accept", "text/event-stream"}})).status, 400);
  }
  EXPECT_EQ(other.request("PUT", "/mcp", "", auth({{"Mcp-Session-Id", session}})).status, 405);
  EXPECT_EQ(other.request("DELETE", "/mcp", "", auth({{"Mcp-Session-Id", session}})).status, 200);
  EXPECT_EQ(post(ping, auth({{"Mcp-Session-Id", session}})).status, 404);
  EXPECT_EQ(log().find(token), std::string::npos);
}

TEST_F(McpHttpTest, AnswersJsonAndStreamsProgress) {
  start();
  const std::string session = initialize();
  const Headers headers = auth({{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2025-11-25"}});
  EXPECT_EQ(post({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, headers).status, 202);
  auto response = post({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}}, headers);
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(response.body)["result"]["tools"].size(), 13u);

  response =
      post({{"jsonrpc", "2.0"},
            {"id", 3},
            {"method", "tools/call"},
            {"params", {{"name", "run_untrusted_scan"}, {"arguments", {{"targets", "10.0.0.1"}, {"name", "n"}}}}}},
           headers);
  const json submitted = json::parse(response.body)["result"]["structuredContent"];
  const std::string task_id = submitted["task_id"];

  response = post({{"jsonrpc", "2.0"},
                   {"id", 4},
                   {"method", "tools/call"},
                   {"params",
                    {{"name", "get_scan_status"},
                     {"arguments", {{"task_id", task_id}, {"wait_seconds", 0.3}}},
                     {"_meta", {{"progressToken", "tok"}}}}}},
                  headers);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "text/event-stream");
  EXPECT_NE(response.body.find("\"notifications/progress\""), std::string::npos) << response.body;
  const auto last = response.body.rfind("data: ");
  const json answer = json::parse(response.body.substr(last + 6));
  EXPECT_EQ(answer["id"], 4);
  EXPECT_EQ(answer["result"]["structuredContent"]["status"], "queued");

  http::testing::TestClient client(port_);
  EXPECT_EQ(client.get("/healthz").status, 200);
  EXPECT_EQ(client.get("/readyz").status, 200);
  const auto metrics = client.get("/metrics");
  EXPECT_NE(metrics.body.find("mcp_tool_calls_total{tool=\"run_untrusted_scan\",outcome=\"ok\"} 1"), std::string::npos)
      << metrics.body;
  redis_.stop();
  EXPECT_EQ(client.get("/readyz").status, 503);
}

TEST_F(McpHttpTest, AWaitingCallDoesNotHoldUpTheQuickOnes) {
  start({{"MCP_WORKER_THREADS", "1"}, {"MCP_WAIT_THREADS", "1"}});
  const std::string session = initialize();
  const Headers headers = auth({{"Mcp-Session-Id", session}});
  const json submitted = json::parse(
      post({{"jsonrpc", "2.0"},
            {"id", 1},
            {"method", "tools/call"},
            {"params", {{"name", "run_untrusted_scan"}, {"arguments", {{"targets", "10.0.0.1"}, {"name", "n"}}}}}},
           headers)
          .body)["result"]["structuredContent"];
  const auto started = std::chrono::steady_clock::now();
  std::thread waiting([&] {
    const auto response =
        post({{"jsonrpc", "2.0"},
              {"id", 2},
              {"method", "tools/call"},
              {"params",
               {{"name", "get_scan_status"}, {"arguments", {{"task_id", submitted["task_id"]}, {"wait_seconds", 2}}}}}},
             headers);
    EXPECT_EQ(json::parse(response.body)["result"]["structuredContent"]["status"], "queued");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto quick =
      post({{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"}, {"params", {{"name", "list_pools"}}}}, headers);
  const auto quick_done = std::chrono::steady_clock::now() - started;
  waiting.join();
  const auto wait_done = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(quick.status, 200);
  EXPECT_LT(quick_done, std::chrono::milliseconds(1500));
  EXPECT_GE(wait_done, std::chrono::milliseconds(1900));
}

TEST_F(McpHttpTest, IdleSessionsExpire) {
  start({{"MCP_SESSION_IDLE_SECONDS", "0.2"}});
  const std::string session = initialize();
  EXPECT_EQ(post(ping, auth({{"Mcp-Session-Id", session}})).status, 200);
  EXPECT_TRUE(testing::eventually(
      [&] {
        return post(ping, auth({{"Mcp-Session-Id", session}})).status == 404;
      },
      std::chrono::seconds(5), std::chrono::milliseconds(300)));
}

TEST_F(McpHttpTest, RefusesToListenOpenlyWithoutTokensOrWithAReadableTokensFile) {
  server_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{testing::program_path("scanner-mcp")},
      Headers{{"MCP_LISTEN_ADDR", "0.0.0.0:0"}, {"SCANNER_CONFIG", (dir_.path() / "scanners.yaml").string()}},
      (dir_.path() / "mcp.log").string());
  EXPECT_EQ(server_->wait(std::chrono::seconds(10)), 2);
  EXPECT_NE(log().find("MCP_AUTH_TOKENS_FILE"), std::string::npos);
  ::chmod((dir_.path() / "tokens").c_str(), 0644);
  server_ =
      std::make_unique<testing::ChildProcess>(std::vector<std::string>{testing::program_path("scanner-mcp")},
                                              Headers{{"MCP_AUTH_TOKENS_FILE", (dir_.path() / "tokens").string()},
                                                      {"SCANNER_CONFIG", (dir_.path() / "scanners.yaml").string()}},
                                              (dir_.path() / "mcp.log").string());
  EXPECT_EQ(server_->wait(std::chrono::seconds(10)), 2);
  EXPECT_NE(log().find("chmod 600"), std::string::npos);
}

}  // namespace
}  // namespace sw::mcp_test
