// Tests of the simulator's request handling, driven with explicit times (no network).
#include "sim/simulator.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

namespace sw::sim {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;

constexpr double t0 = 1764599422;
constexpr std::string_view advanced = "ad629e16-03b6-8c1d-cef6-ef8c9dd3c658d24bd260ef5f9e66";

class SimulatorTest : public ::testing::Test {
 protected:
  void make(SimOptions options) { sim_ = std::make_unique<Simulator>(std::move(options)); }

  Reply call(bhttp::verb method, const std::string& target, const std::string& body = {}, double at = t0,
             std::map<std::string, std::string> headers = {}) {
    http::Request request{method, target, 11};
    for (const auto& [name, value] : headers) {
      request.set(name, value);
    }
    if (!token_.empty() && headers.count("X-Cookie") == 0) {
      request.set("X-Cookie", "token=" + token_);
    }
    if (!body.empty()) {
      request.set(bhttp::field::content_type, "application/json");
    }
    request.body() = body;
    return sim_->handle(request, at);
  }
  static int status(const Reply& reply) { return static_cast<int>(reply.response.result_int()); }
  static json body(const Reply& reply) { return json::parse(reply.response.body()); }

  void login() {
    const auto reply = call(bhttp::verb::post, "/session", R"({"username":"nessus","password":"nessus"})");
    ASSERT_EQ(status(reply), 200);
    token_ = body(reply)["token"];
  }
  std::int64_t create(const std::string& targets, bool ssh = false, const std::string& name = "scan-a") {
    json request{{"uuid", advanced}, {"settings", {{"name", name}, {"text_targets", targets}}}};
    if (ssh) {
      request["credentials"] = json::parse(R"({"add": {"Host": {"SSH": [{"auth_method": "password",
          "username": "svc", "password": "pw"}]}}, "edit": {}, "delete": []})");
    }
    const auto reply = call(bhttp::verb::post, "/scans", request.dump(), t0, gate_headers_);
    EXPECT_EQ(status(reply), 200);
    return body(reply)["scan"]["id"];
  }

  SimOptions fast_options() {
    SimOptions options;
    options.timing = RunTiming{2, 10, 1};
    options.export_seconds = 1;
    return options;
  }

  std::unique_ptr<Simulator> sim_;
  std::string token_;
  std::map<std::string, std::string> gate_headers_;
};

TEST_F(SimulatorTest, LoginWithJsonOrFormAndRefusesWithoutSession) {
  make(fast_options());
  EXPECT_EQ(status(call(bhttp::verb::get, "/scans")), 401);
  http::Request form{bhttp::verb::post, "/session", 11};
  form.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
  form.body() = "username=nessus&password=nessus";
  const auto reply = sim_->handle(form, t0);
  ASSERT_EQ(status(reply), 200);
  EXPECT_EQ(body(reply)["token"].get<std::string>().size(), 48U);
  login();
  const auto scans = call(bhttp::verb::get, "/scans");
  EXPECT_EQ(status(scans), 200);
  EXPECT_TRUE(body(scans)["scans"].is_null());
  EXPECT_EQ(body(scans)["folders"][0]["type"], "trash");
  EXPECT_EQ(body(scans)["folders"][0]["id"], 2);
}

TEST_F(SimulatorTest, ApiKeysAuthenticate) {
  make(fast_options());
  const SimOptions defaults;
  const auto keys = "accessKey=" + defaults.access_key + "; secretKey=" + defaults.secret_key;
  EXPECT_EQ(status(call(bhttp::verb::get, "/folders", {}, t0, {{"X-ApiKeys", keys}})), 200);
  EXPECT_EQ(status(call(bhttp::verb::get, "/folders", {}, t0, {{"X-ApiKeys", "accessKey=x; secretKey=y"}})), 401);
}

TEST_F(SimulatorTest, LocksTheAccountAfterRepeatedFailures) {
  auto options = fast_options();
  options.max_login_attempts = 2;
  make(options);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(status(call(bhttp::verb::post, "/session", R"({"username":"nessus","password":"bad"})")), 401);
  }
  EXPECT_EQ(status(call(bhttp::verb::post, "/session", R"({"username":"nessus","password":"nessus"})")), 401);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/unlock")), 200);
  login();
}

TEST_F(SimulatorTest, SessionsExpireWhenIdle) {
  auto options = fast_options();
  options.session_idle_timeout = 5;
  make(options);
  login();
  EXPECT_EQ(status(call(bhttp::verb::get, "/folders", {}, t0 + 4)), 200);
  EXPECT_EQ(status(call(bhttp::verb::get, "/folders", {}, t0 + 8)), 200);
  const auto expired = call(bhttp::verb::get, "/folders", {}, t0 + 14);
  EXPECT_EQ(status(expired), 401);
  EXPECT_EQ(body(expired)["error"], "Invalid Credentials");  // a token was sent: as real servers answer
  token_.clear();
  EXPECT_EQ(body(call(bhttp::verb::get, "/folders", {}, t0 + 14))["error"],
            "You need to log in to perform this request");
}

TEST_F(SimulatorTest, GatesScanControlWithoutTheApiToken) {
  auto options = fast_options();
  options.profile = Profile::essentials;
  make(options);
  login();
  const std::string create_body =
      json{{"uuid", advanced}, {"settings", {{"name", "n"}, {"text_targets", "10.0.0.1"}}}}.dump();
  const auto refused = call(bhttp::verb::post, "/scans", create_body);
  EXPECT_EQ(status(refused), 412);
  EXPECT_EQ(refused.response.body(), R"({"error":"API is not available"})");
  EXPECT_FALSE(refused.response.keep_alive());
  EXPECT_EQ(status(call(bhttp::verb::get, "/scans")), 200);  // reads are not gated

  const auto script = call(bhttp::verb::get, "/nessus6.js?v=123", {}, t0, {{"X-Cookie", ""}});
  EXPECT_NE(script.response.body().find(R"({key:"getApiToken",value:function(){return")" + options.api_token + "\"}}"),
            std::string::npos);
  EXPECT_NE(script.response.body().find("CUSTOM_SCAN_TEMPLATE=\"" + options.custom_scan_template + "\""),
            std::string::npos);
  gate_headers_ = {{"X-API-Token", options.api_token}};
  create("10.0.0.1");

  call(bhttp::verb::post, "/__sim/faults", R"({"drop_body_on_412":true})");
  const auto dropped = call(bhttp::verb::post, "/scans", create_body);
  EXPECT_EQ(dropped.kind, Reply::Kind::head_then_close);
  EXPECT_EQ(dropped.response[bhttp::field::content_length], "32");
}

TEST_F(SimulatorTest, ValidatesCreate) {
  make(fast_options());
  login();
  EXPECT_EQ(status(call(bhttp::verb::post, "/scans", R"({"uuid":"nope","settings":{"name":"a","text_targets":"x"}})")),
            400);
  EXPECT_EQ(status(call(bhttp::verb::post, "/scans",
                        json{{"uuid", advanced}, {"settings", {{"name", "a"}, {"text_targets", ""}}}}.dump())),
            400);
  EXPECT_EQ(status(call(bhttp::verb::patch, "/scans")), 405);
  EXPECT_EQ(status(call(bhttp::verb::get, "/nothing/here")), 404);
}

// The route table: a path no route fits is 404 (after a login under /scans and /editor), a
// known path with another method 405 (after a login when the path needs one), a {scan} that
// is not ours 404; the gate comes before that 404, and the loading server before all but
// /nessus6.js and /server/status.
TEST_F(SimulatorTest, RoutesAnswerAsRealServers) {
  auto options = fast_options();
  options.profile = Profile::essentials;
  make(options);
  EXPECT_EQ(status(call(bhttp::verb::get, "/scans/5/bogus")), 401);
  EXPECT_EQ(status(call(bhttp::verb::put, "/session")), 401);
  EXPECT_EQ(status(call(bhttp::verb::post, "/nessus6.js")), 405);
  login();
  EXPECT_EQ(status(call(bhttp::verb::get, "/scans/5/bogus")), 404);
  EXPECT_EQ(status(call(bhttp::verb::put, "/session")), 405);
  EXPECT_EQ(status(call(bhttp::verb::get, "/scans/5/launch")), 405);
  EXPECT_EQ(status(call(bhttp::verb::get, "/scans/999")), 404);
  EXPECT_EQ(status(call(bhttp::verb::post, "/scans/999/launch")), 412);
  EXPECT_EQ(status(call(bhttp::verb::get, "/editor/scan/templates")), 200);
  EXPECT_EQ(status(call(bhttp::verb::get, "/editor/other/templates")), 404);
  EXPECT_EQ(status(call(bhttp::verb::get, "/__sim/nothing")), 404);
  EXPECT_EQ(status(call(bhttp::verb::get, "/__sim/reset-stats")), 404);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"server_loading": true})")), 200);
  EXPECT_EQ(status(call(bhttp::verb::get, "/nessus6.js")), 200);
  EXPECT_EQ(status(call(bhttp::verb::get, "/server/status")), 503);
  EXPECT_EQ(status(call(bhttp::verb::get, "/nothing/here")), 503);
  EXPECT_EQ(status(call(bhttp::verb::post, "/session", R"({"username":"nessus","password":"nessus"})")), 503);
}

TEST_F(SimulatorTest, ScanLifecycleWithHostsAndHistory) {
  make(fast_options());
  login();
  const auto id = create("10.0.0.1, 10.0.0.2");
  const auto path = "/scans/" + std::to_string(id);
  EXPECT_EQ(body(call(bhttp::verb::get, path))["info"]["status"], "empty");
  const auto launched = call(bhttp::verb::post, path + "/launch", "{}");
  ASSERT_EQ(status(launched), 200);
  const std::string run_uuid = body(launched)["scan_uuid"];
  EXPECT_EQ(run_uuid.size(), 52U);
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 1))["info"]["status"], "pending");
  const auto running = body(call(bhttp::verb::get, path, {}, t0 + 8));
  EXPECT_EQ(running["info"]["status"], "running");
  EXPECT_EQ(running["info"]["uuid"], run_uuid);
  EXPECT_EQ(running["hosts"].size(), 2U);
  EXPECT_LT(running["hosts"][1]["scanprogresscurrent"].get<int>(), running["hosts"][1]["scanprogresstotal"].get<int>());
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/launch", "{}", t0 + 8)), 500);
  EXPECT_EQ(status(call(bhttp::verb::delete_, path, {}, t0 + 8)), 500);
  const auto done = body(call(bhttp::verb::get, path, {}, t0 + 13));
  EXPECT_EQ(done["info"]["status"], "completed");
  EXPECT_EQ(done["info"]["scan_end"], static_cast<std::int64_t>(t0) + 12);
  EXPECT_EQ(done["history"][0]["uuid"], run_uuid);
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/stop", "{}", t0 + 13)), 409);
  EXPECT_EQ(status(call(bhttp::verb::delete_, path, {}, t0 + 13)), 200);
  EXPECT_EQ(status(call(bhttp::verb::get, path, {}, t0 + 13)), 404);

  const auto stats = sim_->stats(t0 + 13);
  EXPECT_EQ(stats["scans_created"], 1);
  EXPECT_EQ(stats["launches_total"], 1);
  EXPECT_EQ(stats["launches_by_name"]["scan-a"], 1);
  EXPECT_EQ(stats["deletes"], 1);
  EXPECT_EQ(stats["peak_running"], 1);
}

TEST_F(SimulatorTest, StaleStatusAndConfigurableConflictCodes) {
  auto options = fast_options();
  options.faults.stale_status_after_launch = 3;
  options.faults.launch_running_code = 409;
  make(options);
  login();
  const auto path = "/scans/" + std::to_string(create("10.0.0.1"));
  call(bhttp::verb::post, path + "/launch", "{}");
  const auto stale = body(call(bhttp::verb::get, path, {}, t0 + 1));
  EXPECT_EQ(stale["info"]["status"], "empty");
  EXPECT_TRUE(stale["info"]["uuid"].is_null());
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 3.5))["info"]["status"], "running");
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/launch", "{}", t0 + 4)), 409);
}

TEST_F(SimulatorTest, StopPauseResumeAndRelaunch) {
  make(fast_options());
  login();
  const auto path = "/scans/" + std::to_string(create("never.lab"));
  call(bhttp::verb::post, path + "/launch", "{}");
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/pause", "{}", t0 + 3)), 200);
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 5))["info"]["status"], "paused");
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/resume", "{}", t0 + 5)), 200);
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/stop", "{}", t0 + 7)), 200);
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 7.5))["info"]["status"], "stopping");
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 9))["info"]["status"], "canceled");
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/launch", "{}", t0 + 9)), 200);
  const auto details = body(call(bhttp::verb::get, path, {}, t0 + 9));
  EXPECT_EQ(details["history"].size(), 2U);
  EXPECT_EQ(sim_->stats(t0 + 9)["stops"], 1);
  EXPECT_EQ(sim_->stats(t0 + 9)["launches_by_scan"][path.substr(7)], 2);
}

TEST_F(SimulatorTest, ExportLoadsThenDownloadsTheRunsHosts) {
  make(fast_options());
  login();
  const auto path = "/scans/" + std::to_string(create("10.0.0.1, authfail.lab", true));
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/export", R"({"format":"nessus"})")), 400);  // no run yet
  call(bhttp::verb::post, path + "/launch", "{}");
  EXPECT_EQ(status(call(bhttp::verb::post, path + "/export", R"({"format":"xml"})", t0 + 13)), 400);
  const auto exported = body(call(bhttp::verb::post, path + "/export", R"({"format":"nessus"})", t0 + 13));
  const auto file = path + "/export/" + std::to_string(exported["file"].get<std::int64_t>());
  EXPECT_EQ(body(call(bhttp::verb::get, file + "/status", {}, t0 + 13.5))["status"], "loading");
  EXPECT_EQ(status(call(bhttp::verb::get, file + "/download", {}, t0 + 13.5)), 409);
  EXPECT_EQ(body(call(bhttp::verb::get, file + "/status", {}, t0 + 14.1))["status"], "ready");
  const auto download = call(bhttp::verb::get, file + "/download", {}, t0 + 14.1);
  ASSERT_EQ(download.kind, Reply::Kind::stream_download);
  EXPECT_EQ(download.response[bhttp::field::content_type], "application/octet-stream");
  ASSERT_EQ(download.download.hosts.size(), 2U);
  EXPECT_EQ(download.download.hosts[0].auth, exportgen::HostAuth::success);
  EXPECT_EQ(download.download.hosts[1].auth, exportgen::HostAuth::failure);
  EXPECT_EQ(download.download.username, "svc");
  EXPECT_EQ(download.download_bytes_per_second, 0U);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"slow_download_bytes_per_second": 500})")), 200);
  EXPECT_EQ(call(bhttp::verb::get, file + "/download", {}, t0 + 14.1).download_bytes_per_second, 500U);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"slow_download_bytes_per_second": 0})")), 200);

  const std::string token = exported["token"];
  token_.clear();
  EXPECT_EQ(body(call(bhttp::verb::get, "/tokens/" + token + "/status", {}, t0 + 14.1))["status"], "ready");
  EXPECT_EQ(call(bhttp::verb::get, "/tokens/" + token + "/download", {}, t0 + 14.1).kind, Reply::Kind::stream_download);
}

// As real servers: exporting a running scan is refused; a failed export's status poll is
// 500 {"status":"error"} and its file id answers 404 afterwards; the next export works.
TEST_F(SimulatorTest, ExportsFailTheRealWay) {
  make(fast_options());
  login();
  const auto path = "/scans/" + std::to_string(create("10.0.0.1"));
  call(bhttp::verb::post, path + "/launch", "{}");
  const auto running = call(bhttp::verb::post, path + "/export", R"({"format":"nessus"})", t0 + 5);
  EXPECT_EQ(status(running), 409);
  EXPECT_EQ(body(running)["error"], "Can not export running scans");

  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"export_failures":1})")), 200);
  const auto failing = body(call(bhttp::verb::post, path + "/export", R"({"format":"nessus"})", t0 + 13));
  const auto file = path + "/export/" + std::to_string(failing["file"].get<std::int64_t>());
  EXPECT_EQ(body(call(bhttp::verb::get, file + "/status", {}, t0 + 13.5))["status"], "loading");
  const auto failed = call(bhttp::verb::get, file + "/status", {}, t0 + 14.1);
  EXPECT_EQ(status(failed), 500);
  EXPECT_EQ(body(failed), json({{"status", "error"}}));
  const auto gone = call(bhttp::verb::get, file + "/status", {}, t0 + 14.2);
  EXPECT_EQ(status(gone), 404);
  EXPECT_EQ(body(gone)["error"], "The requested file was not found");
  EXPECT_EQ(status(call(bhttp::verb::get, file + "/download", {}, t0 + 14.2)), 404);

  const auto second = body(call(bhttp::verb::post, path + "/export", R"({"format":"nessus"})", t0 + 15));
  const auto second_file = path + "/export/" + std::to_string(second["file"].get<std::int64_t>());
  EXPECT_EQ(body(call(bhttp::verb::get, second_file + "/status", {}, t0 + 16.1))["status"], "ready");
}

// Scan list shapes of real servers, logout's empty body, folder ids of Nessus 10, a person
// pausing and stopping a scan in the UI, and a token rotation.
TEST_F(SimulatorTest, AnswersAsRealServers) {
  auto options = fast_options();
  options.folder_layout = FolderLayout::nessus10;
  make(options);
  login();
  const auto id = create("10.0.0.1");
  const auto path = "/scans/" + std::to_string(id);
  auto listed = body(call(bhttp::verb::get, "/scans", {}, t0 + 1));
  EXPECT_EQ(listed["folders"][1]["id"], 137);
  EXPECT_TRUE(listed["folders"][1]["unread_count"].is_null());
  auto entry = listed["scans"][0];
  EXPECT_EQ(entry["folder_id"], 137);
  EXPECT_EQ(entry["status"], "empty");
  EXPECT_EQ(entry["creation_date"], 0);
  EXPECT_EQ(entry["last_modification_date"], 0);
  EXPECT_TRUE(entry["type"].is_null());
  EXPECT_TRUE(entry["uuid"].is_null());

  call(bhttp::verb::post, path + "/launch", "{}", t0 + 2);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/scans/" + std::to_string(id) + "/pause", {}, t0 + 5)), 200);
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 7))["info"]["status"], "paused");
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/scans/" + std::to_string(id) + "/stop", {}, t0 + 7)), 200);
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 9))["info"]["status"], "canceled");
  entry = body(call(bhttp::verb::get, "/scans", {}, t0 + 9))["scans"][0];
  EXPECT_EQ(entry["type"], "local");
  EXPECT_EQ(entry["creation_date"], static_cast<std::int64_t>(t0 + 2));
  EXPECT_EQ(entry["last_modification_date"], static_cast<std::int64_t>(t0 + 8));
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/scans/999/pause")), 404);
  const auto done = "/scans/" + std::to_string(create("10.0.0.2", false, "scan-b"));
  call(bhttp::verb::post, done + "/launch", "{}", t0 + 10);
  EXPECT_EQ(body(call(bhttp::verb::get, done, {}, t0 + 30))["hosts"][0]["scanprogresstotal"], 100);

  const auto before = call(bhttp::verb::get, "/nessus6.js").response.body();
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/rotate-token")), 200);
  EXPECT_NE(call(bhttp::verb::get, "/nessus6.js").response.body(), before);
  const auto stats = sim_->stats(t0 + 9);
  EXPECT_EQ(stats["token_rotations"], 1);
  EXPECT_EQ(stats["api_token_fetches"], 2);

  const auto logout = call(bhttp::verb::delete_, "/session", {}, t0 + 9);
  EXPECT_EQ(status(logout), 200);
  EXPECT_TRUE(logout.response.body().empty());
}

TEST_F(SimulatorTest, SlowEndpointsDelayOnlyTheirCalls) {
  make(fast_options());
  login();
  const auto id = create("10.0.0.1");
  EXPECT_EQ(
      status(call(bhttp::verb::post, "/__sim/faults", R"({"slow_ms": 5, "slow_endpoints": {"GET /scans/{id}": 700}})")),
      200);
  EXPECT_EQ(call(bhttp::verb::get, "/scans/" + std::to_string(id)).delay.count(), 705);
  EXPECT_EQ(call(bhttp::verb::get, "/scans").delay.count(), 5);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"slow_endpoints": {"GET /scans": -1}})")), 400);
}

TEST_F(SimulatorTest, RefusedWritesCloseTheConnectionWhenAsked) {
  auto options = fast_options();
  options.profile = Profile::essentials;
  options.faults.close_on_refused_write = true;
  make(options);
  login();
  const json request{{"uuid", advanced}, {"settings", {{"name", "x"}, {"text_targets", "10.0.0.1"}}}};
  EXPECT_EQ(call(bhttp::verb::post, "/scans", request.dump()).kind, Reply::Kind::reset);
  EXPECT_EQ(sim_->stats(t0)["refused_writes"], 1);
  EXPECT_EQ(sim_->stats(t0)["scans_created"], 0);
}

// A scanner whose scan API is off refuses scan control even with the right X-API-Token.
TEST_F(SimulatorTest, RefusedScanControlIgnoresTheToken) {
  auto options = fast_options();
  options.profile = Profile::essentials;
  options.faults.refuse_scan_control = true;
  make(options);
  login();
  const json request{{"uuid", advanced}, {"settings", {{"name", "x"}, {"text_targets", "10.0.0.1"}}}};
  const std::map<std::string, std::string> right_token{{"X-API-Token", options.api_token}};
  EXPECT_EQ(status(call(bhttp::verb::post, "/scans", request.dump(), t0, right_token)), 412);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"close_on_refused_write": true})")), 200);
  EXPECT_EQ(call(bhttp::verb::post, "/scans", request.dump(), t0, right_token).kind, Reply::Kind::reset);
  EXPECT_EQ(status(call(bhttp::verb::get, "/scans")), 200);
  EXPECT_EQ(sim_->stats(t0)["refused_writes"], 2);
  EXPECT_EQ(sim_->stats(t0)["scans_created"], 0);
}

TEST_F(SimulatorTest, ForcedUnauthorizedOnceEndsTheSession) {
  make(fast_options());
  login();
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"force_401_once":true})")), 200);
  EXPECT_EQ(status(call(bhttp::verb::get, "/folders")), 401);
  EXPECT_EQ(status(call(bhttp::verb::get, "/folders")), 401);
  login();
  EXPECT_EQ(status(call(bhttp::verb::get, "/folders")), 200);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/faults", R"({"no_such_fault":1})")), 400);
}

TEST_F(SimulatorTest, ServerLoadingAndErrorRate) {
  make(fast_options());
  call(bhttp::verb::post, "/__sim/faults", R"({"server_loading":true})");
  const auto loading = call(bhttp::verb::get, "/server/status");
  EXPECT_EQ(status(loading), 503);
  EXPECT_EQ(body(loading)["status"], "loading");
  call(bhttp::verb::post, "/__sim/faults", R"({"server_loading":false,"error_rate_5xx":1,"slow_ms":50})");
  const auto failing = call(bhttp::verb::get, "/server/status");
  EXPECT_EQ(status(failing), 500);
  EXPECT_EQ(failing.delay.count(), 50);
  EXPECT_EQ(status(call(bhttp::verb::get, "/__sim/stats")), 200);
  call(bhttp::verb::post, "/__sim/faults", R"({"error_rate_5xx":0,"reset_rate":1})");
  EXPECT_EQ(call(bhttp::verb::get, "/server/status").kind, Reply::Kind::reset);
}

TEST_F(SimulatorTest, ScenarioOverridesAtRunTime) {
  make(fast_options());
  login();
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/scenario", R"({"match":"10.9.","scenario":"abort"})")), 200);
  EXPECT_EQ(status(call(bhttp::verb::post, "/__sim/scenario", R"({"match":"x","scenario":"bogus"})")), 400);
  const auto path = "/scans/" + std::to_string(create("10.9.0.1"));
  call(bhttp::verb::post, path + "/launch", "{}");
  EXPECT_EQ(body(call(bhttp::verb::get, path, {}, t0 + 7.5))["info"]["status"], "aborted");
}

TEST_F(SimulatorTest, CountsRunningAndPeakOverThousandsOfScans) {
  make(fast_options());
  login();
  constexpr int scans = 2000;
  for (int i = 0; i < scans; ++i) {
    const auto path = "/scans/" + std::to_string(create("10.0.0.1", false, "bulk-" + std::to_string(i)));
    // Half launched at t0 (done by t0 + 12), half at t0 + 6.
    ASSERT_EQ(status(call(bhttp::verb::post, path + "/launch", "{}", i % 2 == 0 ? t0 : t0 + 6)), 200);
  }
  EXPECT_EQ(sim_->stats(t0 + 6)["running_now"], scans);
  EXPECT_EQ(sim_->stats(t0 + 13)["running_now"], scans / 2);
  EXPECT_EQ(sim_->stats(t0 + 20)["running_now"], 0);
  EXPECT_EQ(sim_->stats(t0 + 20)["peak_running"], scans);
  EXPECT_EQ(sim_->stats(t0 + 20)["launches_total"], scans);
}

}  // namespace
}  // namespace sw::sim
