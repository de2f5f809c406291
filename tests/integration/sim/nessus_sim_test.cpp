// Integration tests of nessus-sim: the real program on a free port, driven over HTTP and
// HTTPS like a Nessus client would (login, gate, scans, exports, faults, stats, outage).
#include <expat.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/testing/test_client.hpp"
#include "nessus/protocol.hpp"
#include "support/process.hpp"

namespace sw::sim {
namespace {

using http::testing::TestClient;
using http::testing::TestResponse;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view advanced = "ad629e16-03b6-8c1d-cef6-ef8c9dd3c658d24bd260ef5f9e66";

class NessusSim {
 public:
  explicit NessusSim(std::vector<std::string> flags) {
    std::vector<std::string> argv{testing::program_path("nessus-sim"),
                                  "--port",
                                  "0",
                                  "--pending-seconds",
                                  "0.2",
                                  "--scan-seconds",
                                  "1",
                                  "--export-seconds",
                                  "0.3",
                                  "--transition-seconds",
                                  "0.2"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    process_ = std::make_unique<testing::ChildProcess>(argv);
    if (std::find(flags.begin(), flags.end(), "--tls") != flags.end()) {
      const auto fingerprint_line = process_->wait_for_line("tls fingerprint sha256 ", 20s);
      fingerprint_ = fingerprint_line ? fingerprint_line->substr(fingerprint_line->rfind(' ') + 1) : "";
    }
    const auto line = process_->wait_for_line("listening on", 20s);
    if (!line) {
      throw std::runtime_error("nessus-sim did not start");
    }
    listening_line_ = *line;
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
  }
  ~NessusSim() { process_->stop(); }
  std::uint16_t port() const { return port_; }
  const std::string& listening_line() const { return listening_line_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  std::unique_ptr<testing::ChildProcess> process_;
  std::string listening_line_;
  std::string fingerprint_;
  std::uint16_t port_ = 0;
};

json parse(const TestResponse& response) { return json::parse(response.body, nullptr, false); }

std::string login(TestClient& client) {
  const auto response = client.request("POST", "/session", R"({"username":"nessus","password":"nessus"})");
  EXPECT_EQ(response.status, 200);
  return parse(response)["token"];
}

int count_report_hosts(const std::string& xml, bool& well_formed) {
  struct Counter {
    int hosts = 0;
  } counter;
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &counter);
  XML_SetStartElementHandler(parser, [](void* data, const XML_Char* name, const XML_Char**) {
    if (std::string_view(name) == "ReportHost") {
      ++static_cast<Counter*>(data)->hosts;
    }
  });
  well_formed = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_OK;
  XML_ParserFree(parser);
  return counter.hosts;
}

// Polls GET `path` until `field` of the JSON answer equals `value`.
bool wait_for_json(TestClient& client, const std::string& path, const std::map<std::string, std::string>& headers,
                   const json::json_pointer& field, const std::string& value) {
  return testing::eventually(
      [&] {
        const auto body = parse(client.get(path, headers));
        return body.contains(field) && body.at(field) == value;
      },
      20s, 50ms);
}

TEST(NessusSim, FullFlowOnTheEssentialsProfile) {
  NessusSim sim({"--profile", "essentials"});
  EXPECT_EQ(sim.listening_line(), "listening on http://127.0.0.1:" + std::to_string(sim.port()));
  TestClient client(sim.port());
  EXPECT_EQ(client.get("/server/status").status, 200);
  EXPECT_EQ(client.get("/scans").status, 401);
  const std::map<std::string, std::string> auth{{"X-Cookie", "token=" + login(client)}};

  const std::string create =
      json{{"uuid", advanced}, {"settings", {{"name", "flow-scan"}, {"text_targets", "10.0.0.1, 10.0.0.2\nweb.lab"}}}}
          .dump();
  const auto refused = client.request("POST", "/scans", create, auth);
  EXPECT_EQ(refused.status, 412);
  EXPECT_EQ(refused.body, R"({"error":"API is not available"})");
  EXPECT_EQ(refused.header("connection"), "close");

  const auto script = client.get("/nessus6.js?v=1");
  const auto api_token = nessus::extract_api_token(script.body);
  ASSERT_TRUE(api_token);
  auto gated = auth;
  gated["X-API-Token"] = *api_token;

  const auto created = client.request("POST", "/scans", create, gated);
  ASSERT_EQ(created.status, 200);
  const auto id = std::to_string(parse(created)["scan"]["id"].get<std::int64_t>());
  const auto launched = client.request("POST", "/scans/" + id + "/launch", "{}", gated);
  ASSERT_EQ(launched.status, 200);
  const std::string run_uuid = parse(launched)["scan_uuid"];
  ASSERT_TRUE(wait_for_json(client, "/scans/" + id, auth, json::json_pointer("/info/status"), "completed"));
  const auto details = parse(client.get("/scans/" + id, auth));
  EXPECT_EQ(details["info"]["uuid"], run_uuid);
  EXPECT_EQ(details["hosts"].size(), 3U);

  const auto exported = parse(client.request("POST", "/scans/" + id + "/export", R"({"format":"nessus"})", auth));
  const auto file = "/scans/" + id + "/export/" + std::to_string(exported["file"].get<std::int64_t>());
  ASSERT_TRUE(wait_for_json(client, file + "/status", auth, json::json_pointer("/status"), "ready"));
  const auto download = client.get(file + "/download", auth);
  ASSERT_TRUE(download.complete);
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.header("content-type"), "application/octet-stream");
  EXPECT_NE(download.header("content-disposition").find("attachment; filename=\"flow-scan_"), std::string::npos);
  bool well_formed = false;
  EXPECT_EQ(count_report_hosts(download.body, well_formed), 3);
  EXPECT_TRUE(well_formed);

  const auto stats = parse(client.get("/__sim/stats"));
  EXPECT_EQ(stats["scans_created"], 1);
  EXPECT_EQ(stats["launches_total"], 1);
  EXPECT_EQ(stats["launches_by_name"]["flow-scan"], 1);
  EXPECT_EQ(stats["launches_by_scan"][id], 1);
  EXPECT_EQ(stats["running_now"], 0);
  EXPECT_EQ(stats["peak_running"], 1);
  EXPECT_EQ(stats["scans"][0]["status"], "completed");
}

TEST(NessusSim, StopAndDeleteOfRunningScans) {
  NessusSim sim({});
  TestClient client(sim.port());
  const std::map<std::string, std::string> auth{{"X-Cookie", "token=" + login(client)}};
  const auto created = client.request(
      "POST", "/scans",
      json{{"uuid", advanced}, {"settings", {{"name", "endless"}, {"text_targets", "never.lab"}}}}.dump(), auth);
  const auto path = "/scans/" + std::to_string(parse(created)["scan"]["id"].get<std::int64_t>());
  ASSERT_EQ(client.request("POST", path + "/launch", "{}", auth).status, 200);
  ASSERT_TRUE(wait_for_json(client, path, auth, json::json_pointer("/info/status"), "running"));
  EXPECT_EQ(client.request("DELETE", path, {}, auth).status, 500);
  EXPECT_EQ(client.request("POST", path + "/launch", "{}", auth).status, 500);
  EXPECT_EQ(parse(client.get("/__sim/stats"))["running_now"], 1);
  EXPECT_EQ(client.request("POST", path + "/stop", "{}", auth).status, 200);
  ASSERT_TRUE(wait_for_json(client, path, auth, json::json_pointer("/info/status"), "canceled"));
  EXPECT_EQ(client.request("DELETE", path, {}, auth).status, 200);
  EXPECT_EQ(client.get(path, auth).status, 404);
  const auto stats = parse(client.get("/__sim/stats"));
  EXPECT_EQ(stats["stops"], 1);
  EXPECT_EQ(stats["deletes"], 1);
  EXPECT_EQ(client.request("POST", "/__sim/reset-stats").status, 200);
  EXPECT_EQ(parse(client.get("/__sim/stats"))["launches_total"], 0);
}

TEST(NessusSim, DropsThe412BodyWhenAsked) {
  NessusSim sim({"--profile", "professional"});
  TestClient client(sim.port());
  const std::map<std::string, std::string> auth{{"X-Cookie", "token=" + login(client)}};
  ASSERT_EQ(client.request("POST", "/__sim/faults", R"({"drop_body_on_412":true})").status, 200);
  const auto response = client.request("POST", "/scans", "{}", auth);
  EXPECT_TRUE(response.headers_received);
  EXPECT_FALSE(response.complete);
  EXPECT_EQ(response.status, 412);
  EXPECT_EQ(response.header("content-length"), "32");
  EXPECT_TRUE(response.body.empty());
}

TEST(NessusSim, ServesHttpsWithItsOwnCertificate) {
  NessusSim sim({"--tls"});
  EXPECT_EQ(sim.listening_line(), "listening on https://127.0.0.1:" + std::to_string(sim.port()));
  TestClient client(sim.port(), true);
  const auto status = client.get("/server/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(parse(status)["status"], "ready");
  EXPECT_EQ(client.peer_fingerprint().size(), 64U);
  EXPECT_EQ(sim.fingerprint(), client.peer_fingerprint());
}

TEST(NessusSim, OutageRefusesConnectionsThenRecovers) {
  NessusSim sim({});
  TestClient control(sim.port());
  ASSERT_EQ(control.request("POST", "/__sim/outage", R"({"seconds":1})").status, 200);
  EXPECT_TRUE(testing::eventually([&] { return !TestClient(sim.port(), false, 500ms).get("/server/status").connected; },
                                  5s, 20ms));
  EXPECT_TRUE(
      testing::eventually([&] { return TestClient(sim.port()).get("/server/status").status == 200; }, 10s, 50ms));
}

TEST(NessusSim, HelpNamesTheDefaultCredentials) {
  testing::ChildProcess help({testing::program_path("nessus-sim"), "--help"});
  ASSERT_EQ(help.wait(10s), 0);
  const auto text = help.drain_stdout();
  EXPECT_NE(text.find("user 'nessus' password 'nessus'"), std::string::npos);
  EXPECT_NE(text.find("accessKey="), std::string::npos);
  EXPECT_NE(text.find("X-API-Token"), std::string::npos);
  EXPECT_NE(text.find("authfail"), std::string::npos);
  EXPECT_NE(text.find("--slow-download"), std::string::npos);
}

TEST(NessusSim, MaxConnectionsClosesConnectionsBeyondTheCap) {
  NessusSim sim({"--max-connections", "1"});
  TestClient kept(sim.port());
  ASSERT_EQ(kept.get("/__sim/stats").status, 200);
  EXPECT_FALSE(TestClient(sim.port()).get("/__sim/stats").headers_received);
  EXPECT_EQ(kept.get("/__sim/stats").status, 200);
  EXPECT_EQ(kept.connections_opened(), 1);
}

}  // namespace
}  // namespace sw::sim
