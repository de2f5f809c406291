// Integration tests of nessus::ScannerClient against the real nessus-sim program: every
// operation over HTTP and HTTPS, session and API-key auth, the X-API-Token of the essentials
// profile, a 412 whose body is dropped, expired and forced-out sessions, lost create
// responses, 5xx retries, certificate checks, export size limits, and the replies of real
// servers (docs/nessus-api.md): failed exports, exports of running scans, runs paused and
// stopped in the UI, one login at a time, token rotation, scan control refused by closing
// the connection, large scan details, and a download that trickles (the export timeout and
// a cancellation both end it, leaving no file).
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/errors.hpp"
#include "http/testing/test_client.hpp"
#include "http/tls_certificate.hpp"
#include "nessus/export_file.hpp"
#include "nessus/scanner_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kStartTimeout = 20s;

// One nessus-sim process with fast runs, stopped on destruction.
class Sim {
 public:
  Sim(bool tls, std::vector<std::string> extra = {}) : tls_(tls) {
    std::vector<std::string> argv{sw::testing::program_path("nessus-sim"),
                                  "--port",
                                  "0",
                                  "--scan-seconds",
                                  "1",
                                  "--pending-seconds",
                                  "0.2",
                                  "--export-seconds",
                                  "0.2",
                                  "--transition-seconds",
                                  "0.2"};
    if (tls) {
      argv.push_back("--tls");
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<sw::testing::ChildProcess>(argv, std::map<std::string, std::string>{},
                                                           (logs_.path() / "sim.log").string());
    if (tls) {
      const auto line = process_->wait_for_line("tls fingerprint sha256 ", kStartTimeout);
      if (line) {
        fingerprint_ = line->substr(line->rfind(' ') + 1);
      }
    }
    const auto line = process_->wait_for_line("listening on ", kStartTimeout);
    if (line) {
      url_ = line->substr(line->find("http"));
      while (!url_.empty() && std::isspace(static_cast<unsigned char>(url_.back()))) {
        url_.pop_back();
      }
      port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
    }
  }
  ~Sim() { process_->stop(); }

  bool started() const { return port_ != 0; }
  const std::string& url() const { return url_; }
  const std::string& fingerprint() const { return fingerprint_; }

  json stats() { return json::parse(control().get("/__sim/stats").body); }
  void control(const std::string& target) {
    const auto response = control().request("POST", target, "{}", {{"Content-Type", "application/json"}});
    ASSERT_EQ(response.status, 200) << target << ": " << response.body;
  }
  void faults(const json& settings) {
    const auto response =
        control().request("POST", "/__sim/faults", settings.dump(), {{"Content-Type", "application/json"}});
    ASSERT_EQ(response.status, 200) << response.body;
  }

  config::ScannerConfig scanner() const {
    config::ScannerConfig scanner;
    scanner.pool = "nessus";
    scanner.instance_id = "sim1";
    scanner.name = "simulator";
    scanner.url = url_;
    scanner.username = "nessus";
    scanner.password = "nessus";
    return scanner;
  }

 private:
  sw::http::testing::TestClient& control() {
    if (!control_) {
      control_ = std::make_unique<sw::http::testing::TestClient>(port_, tls_);
    }
    return *control_;
  }

  bool tls_;
  sw::testing::TempDir logs_;
  std::unique_ptr<sw::testing::ChildProcess> process_;
  std::unique_ptr<sw::http::testing::TestClient> control_;
  std::string url_;
  std::string fingerprint_;
  std::uint16_t port_ = 0;
};

ClientOptions fast_options() {
  ClientOptions options;
  options.request_timeout = 5s;
  options.read_retries = 3;
  options.retry_base_delay = 20ms;
  return options;
}

// Runs one coroutine on `io` to completion and returns its result (or rethrows).
template <typename T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

template <typename T>
core::Error run_expecting_error(asio::io_context& io, asio::awaitable<T> task) {
  try {
    run(io, std::move(task));
  } catch (const core::Error& error) {
    return error;
  }
  ADD_FAILURE() << "the call succeeded";
  return core::Error(core::ErrorKind::internal, "no error");
}

// Polls run_state until the run reports `status` or `timeout` passes; returns the last state.
asio::awaitable<RunState> wait_for_status(ScannerApi& client, std::int64_t scan_id, std::string run_uuid,
                                          std::string status, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    auto state = co_await client.run_state(scan_id, run_uuid);
    if ((state.run_found && state.status == status) || std::chrono::steady_clock::now() > deadline) {
      co_return state;
    }
    timer.expires_after(50ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// Export files are written on strands of this pool, as on the worker's file-work pool.
asio::thread_pool& file_work() {
  static asio::thread_pool pool(1);
  return pool;
}

// The export of `scan_id` stored at `destination`, as the worker asks for it.
asio::awaitable<std::uint64_t> export_to(ScannerApi& client, std::int64_t scan_id,
                                         const std::filesystem::path& destination, std::uint64_t max_bytes,
                                         std::chrono::milliseconds timeout) {
  return client.export_scan(scan_id, std::make_unique<ExportFile>(destination, file_work().get_executor()), max_bytes,
                            timeout);
}

// The folder's entries once the file work queued so far has run (a dropped export removes
// its temporary file there; one thread runs that work in order).
std::size_t entries_in(const std::filesystem::path& folder) {
  asio::post(file_work(), asio::use_future).get();
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(folder), {}));
}

NewScan scan_named(std::string name, std::string targets = "10.0.0.1, 10.0.0.2") {
  NewScan scan;
  scan.name = std::move(name);
  scan.description = "integration test";
  scan.targets = std::move(targets);
  return scan;
}

class NessusClientTransport : public ::testing::TestWithParam<bool> {};

TEST_P(NessusClientTransport, EveryOperation) {
  Sim sim(GetParam());
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  sw::testing::TempDir dir;

  EXPECT_EQ(run(io, client.server_status()), "ready");

  auto scan = scan_named("it-every-op");
  scan.ssh = SshCredentials{"svc", "secret-pw", "password", "sudo", "root", "secret-escalation"};
  const auto scan_id = run(io, client.create_scan(scan));
  EXPECT_GT(scan_id, 0);
  EXPECT_EQ(run(io, client.find_scan_by_name("it-every-op")), std::optional<std::int64_t>(scan_id));
  EXPECT_EQ(run(io, client.find_scan_by_name("no-such-scan")), std::nullopt);
  EXPECT_EQ(run(io, client.current_run_uuid(scan_id)), "");

  const auto run_uuid = run(io, client.launch_scan(scan_id));
  EXPECT_FALSE(run_uuid.empty());
  EXPECT_EQ(run(io, client.current_run_uuid(scan_id)), run_uuid);
  const auto done = run(io, wait_for_status(client, scan_id, run_uuid, "completed"));
  EXPECT_TRUE(done.run_found);
  EXPECT_EQ(done.status, "completed");
  EXPECT_EQ(done.hosts, 2);
  EXPECT_DOUBLE_EQ(done.progress, 100.0);

  const auto scans = run(io, client.list_scans());
  const auto listed = std::find_if(scans.begin(), scans.end(), [&](const auto& e) { return e.id == scan_id; });
  ASSERT_NE(listed, scans.end());
  EXPECT_EQ(listed->name, "it-every-op");
  EXPECT_EQ(listed->status, "completed");
  EXPECT_GT(listed->folder_id, 0);

  const auto destination = dir.path() / "scan_native.nessus";
  const auto bytes = run(io, export_to(client, scan_id, destination, 512u * 1024 * 1024, 20s));
  ASSERT_TRUE(std::filesystem::exists(destination));
  EXPECT_EQ(std::filesystem::file_size(destination), bytes);
  EXPECT_EQ(entries_in(dir.path()), 1u);  // no temporary file left beside it
  std::ifstream exported(destination);
  std::string head(200, '\0');
  exported.read(head.data(), static_cast<std::streamsize>(head.size()));
  EXPECT_NE(head.find("<?xml"), std::string::npos);
  EXPECT_NE(head.find("NessusClientData_v2"), std::string::npos);

  const auto too_small = dir.path() / "small.nessus";
  const auto limit = run_expecting_error(io, export_to(client, scan_id, too_small, 1000, 20s));
  EXPECT_EQ(limit.kind(), core::ErrorKind::client);
  EXPECT_FALSE(std::filesystem::exists(too_small));
  EXPECT_EQ(entries_in(dir.path()), 1u);

  run(io, client.delete_scan(scan_id));
  run(io, client.delete_scan(scan_id));  // 404: already gone
  EXPECT_EQ(run(io, client.find_scan_by_name("it-every-op")), std::nullopt);
  const auto gone = run_expecting_error(io, client.run_state(scan_id, run_uuid));
  EXPECT_EQ(gone.kind(), core::ErrorKind::not_found);
  EXPECT_EQ(gone.http_status(), 404);
  EXPECT_EQ(std::string(gone.what()).find("secret"), std::string::npos);

  run(io, client.logout());
  EXPECT_EQ(sim.stats()["scans_created"], 1);
}

TEST_P(NessusClientTransport, StopRelaunchAndDeleteWhileRunning) {
  Sim sim(GetParam());
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());

  const auto scan_id = run(io, client.create_scan(scan_named("it-never", "never-1.example")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  EXPECT_EQ(run(io, wait_for_status(client, scan_id, run_uuid, "running")).status, "running");

  // Launching an active scan is refused (500 by default); the client adopts the active run.
  EXPECT_EQ(run(io, client.launch_scan(scan_id)), run_uuid);
  // Deleting it is refused while it runs.
  const auto busy = run_expecting_error(io, client.delete_scan(scan_id));
  EXPECT_EQ(busy.kind(), core::ErrorKind::conflict);

  run(io, client.stop_scan(scan_id));
  EXPECT_EQ(run(io, wait_for_status(client, scan_id, run_uuid, "canceled")).status, "canceled");
  run(io, client.stop_scan(scan_id));  // 409: not active, counts as stopped

  // A new run gets a new uuid; the old one is still found in the history.
  const auto second = run(io, client.launch_scan(scan_id));
  EXPECT_NE(second, run_uuid);
  const auto old_run = run(io, client.run_state(scan_id, run_uuid));
  EXPECT_TRUE(old_run.run_found);
  EXPECT_EQ(old_run.status, "canceled");
  run(io, client.stop_scan(scan_id));
  run(io, wait_for_status(client, scan_id, second, "canceled"));
  run(io, client.delete_scan(scan_id));
  EXPECT_EQ(sim.stats()["launches_total"], 2);
}

INSTANTIATE_TEST_SUITE_P(HttpAndHttps, NessusClientTransport, ::testing::Values(false, true),
                         [](const auto& param_info) { return param_info.param ? "https" : "http"; });

TEST(NessusClient, LaunchRefusedWith409AdoptsTheActiveRun) {
  Sim sim(false, {"--launch-running-code", "409", "--delete-running-code", "409"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-409", "never-2.example")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  EXPECT_EQ(run(io, client.launch_scan(scan_id)), run_uuid);
  EXPECT_EQ(run_expecting_error(io, client.delete_scan(scan_id)).kind(), core::ErrorKind::conflict);
  run(io, client.stop_scan(scan_id));
}

TEST(NessusClient, EssentialsWithAutoFetchedToken) {
  Sim sim(false, {"--profile", "essentials"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-essentials")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, client.stop_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "canceled"));
  run(io, client.delete_scan(scan_id));
  EXPECT_EQ(sim.stats()["scans_created"], 1);
}

TEST(NessusClient, EssentialsWithoutTokenIsApiDisabledEvenWhenThe412BodyIsDropped) {
  Sim sim(false, {"--profile", "essentials", "--drop-body-on-412"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto scanner = sim.scanner();
  scanner.api_token_mode = config::ApiTokenMode::none;
  ScannerClient client(io.get_executor(), scanner, fast_options());
  const auto refused = run_expecting_error(io, client.create_scan(scan_named("it-412")));
  EXPECT_EQ(refused.kind(), core::ErrorKind::api_disabled);
  EXPECT_EQ(refused.http_status(), 412);
  EXPECT_NE(std::string(refused.what()).find("sim1"), std::string::npos);
  EXPECT_EQ(sim.stats()["scans_created"], 0);
  // Reads are not gated.
  EXPECT_NO_THROW(run(io, client.list_scans()));

  auto fixed = sim.scanner();
  fixed.api_token_mode = config::ApiTokenMode::fixed;
  fixed.api_token = "00000000-0000-0000-0000-000000000000";
  ScannerClient wrong_token(io.get_executor(), fixed, fast_options());
  EXPECT_EQ(run_expecting_error(io, wrong_token.create_scan(scan_named("it-412b"))).kind(),
            core::ErrorKind::api_disabled);
}

TEST(NessusClient, EssentialsWithAutoFetchedTokenAndDroppedBodies) {
  Sim sim(false, {"--profile", "essentials", "--drop-body-on-412"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-412-auto")));
  EXPECT_GT(scan_id, 0);
  run(io, client.delete_scan(scan_id));
}

TEST(NessusClient, SessionForcedOutMidPollLogsInOnceAgain) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-401")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, client.run_state(scan_id, run_uuid));
  sim.faults({{"force_401_once", true}});
  const auto state = run(io, client.run_state(scan_id, run_uuid));
  EXPECT_TRUE(state.run_found);
  run(io, wait_for_status(client, scan_id, run_uuid, "completed"));
}

TEST(NessusClient, SessionExpiredByIdleTimeoutMidPoll) {
  Sim sim(false, {"--session-idle-timeout", "0.3"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-idle")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, client.run_state(scan_id, run_uuid));
  // Being idle longer than the session timeout is the condition under test.
  std::this_thread::sleep_for(600ms);
  const auto state = run(io, client.run_state(scan_id, run_uuid));
  EXPECT_TRUE(state.run_found);
  std::this_thread::sleep_for(600ms);
  run(io, client.stop_scan(scan_id));
}

TEST(NessusClient, ApiKeysAreRefusedWithoutRelogin) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto scanner = sim.scanner();
  scanner.username.clear();
  scanner.password.clear();
  scanner.access_key = "6a2f1c0e9b8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29";
  scanner.secret_key = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
  ScannerClient client(io.get_executor(), scanner, fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-keys")));
  run(io, client.delete_scan(scan_id));

  scanner.secret_key = std::string(64, 'f');
  ScannerClient wrong(io.get_executor(), scanner, fast_options());
  const auto refused = run_expecting_error(io, wrong.list_scans());
  EXPECT_EQ(refused.kind(), core::ErrorKind::auth);
  EXPECT_EQ(refused.http_status(), 401);
  EXPECT_EQ(std::string(refused.what()).find("ffffffff"), std::string::npos);
}

TEST(NessusClient, WrongPasswordFailsWithoutLooping) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto scanner = sim.scanner();
  scanner.password = "wrong-password";
  ScannerClient client(io.get_executor(), scanner, fast_options());
  const auto refused = run_expecting_error(io, client.list_scans());
  EXPECT_EQ(refused.kind(), core::ErrorKind::auth);
  EXPECT_EQ(std::string(refused.what()).find("wrong-password"), std::string::npos);
  EXPECT_LE(sim.stats()["requests"].get<int>(), 3);  // token fetch and one login, no loop
}

TEST(NessusClient, LostCreateResponseIsRecoveredByName) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto options = fast_options();
  options.request_timeout = 700ms;
  ScannerClient client(io.get_executor(), sim.scanner(), options);
  run(io, client.create_scan(scan_named("it-warm-up")));  // login, folders and templates cached

  // The simulator creates the scan at once but holds its answer past the client's deadline;
  // once the scan exists the test makes the simulator fast again for the lookup by name.
  sim.faults({{"slow_ms", 3000}});
  std::thread fixer([&] {
    sw::testing::eventually([&] { return sim.stats()["scans_created"] == 2; }, 10s);
    sim.faults({{"slow_ms", 0}});
  });
  const auto scan_id = run(io, client.create_scan(scan_named("it-lost-create")));
  fixer.join();
  EXPECT_EQ(run(io, client.find_scan_by_name("it-lost-create")), std::optional<std::int64_t>(scan_id));
  EXPECT_EQ(sim.stats()["scans_created"], 2);
}

TEST(NessusClient, ConnectionResetsNeverCreateTwice) {
  Sim sim(false, {"--reset-rate", "0.3"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto options = fast_options();
  options.read_retries = 6;
  ScannerClient client(io.get_executor(), sim.scanner(), options);
  int created = 0;
  for (int i = 0; i < 8; ++i) {
    const auto name = "it-reset-" + std::to_string(i);
    try {
      run(io, client.create_scan(scan_named(name)));
      ++created;
    } catch (const core::Error& error) {
      EXPECT_TRUE(core::is_transient(error.kind())) << error.what();
    }
  }
  sim.faults({{"reset_rate", 0}});
  const auto scans = run(io, client.list_scans());
  for (int i = 0; i < 8; ++i) {
    const auto name = "it-reset-" + std::to_string(i);
    EXPECT_LE(std::count_if(scans.begin(), scans.end(), [&](const auto& e) { return e.name == name; }), 1) << name;
  }
  EXPECT_GE(created, 1);
  EXPECT_EQ(sim.stats()["scans_created"].get<int>(), static_cast<int>(scans.size()));
}

TEST(NessusClient, ReadsRetryServerErrors) {
  Sim sim(false, {"--error-rate-5xx", "0.4"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto options = fast_options();
  options.read_retries = 10;
  options.retry_base_delay = 1ms;
  ScannerClient client(io.get_executor(), sim.scanner(), options);
  for (int i = 0; i < 10; ++i) {
    EXPECT_NO_THROW(run(io, client.list_scans()));
  }
}

// Many calls at once wait their turn: the scanner never sees more than max_connections.
TEST(NessusClient, ConcurrentCallsStayWithinMaxConnections) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  sim.faults({{"slow_ms", 100}});
  asio::io_context io;
  auto scanner = sim.scanner();
  scanner.max_connections = 2;
  ScannerClient client(io.get_executor(), scanner, fast_options());
  std::vector<std::future<std::vector<ScanListEntry>>> calls;
  for (int i = 0; i < 8; ++i) calls.push_back(asio::co_spawn(io, client.list_scans(), asio::use_future));
  io.run();
  for (auto& call : calls) EXPECT_NO_THROW(call.get());
  const auto stats = sim.stats();
  EXPECT_EQ(stats["peak_requests_in_flight"].get<int>(), 2);
  // Without the cap the same burst reaches the scanner all at once.
  scanner.max_connections = 8;
  ScannerClient uncapped(io.get_executor(), scanner, fast_options());
  calls.clear();
  for (int i = 0; i < 8; ++i) calls.push_back(asio::co_spawn(io, uncapped.list_scans(), asio::use_future));
  io.restart();
  io.run();
  for (auto& call : calls) EXPECT_NO_THROW(call.get());
  EXPECT_EQ(sim.stats()["peak_requests_in_flight"].get<int>(), 8);
}

TEST(NessusClient, LoadingServerAndExportErrors) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-export-error", "10.0.0.9")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "completed"));
  sw::testing::TempDir dir;
  sim.faults({{"export_error", true}});
  const auto failed = run_expecting_error(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 10s));
  EXPECT_EQ(failed.kind(), core::ErrorKind::server);
  EXPECT_NE(std::string(failed.what()).find("a new export is needed"), std::string::npos) << failed.what();
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));

  sim.faults({{"export_error", false}, {"server_loading", true}});
  EXPECT_EQ(run(io, client.server_status()), "loading");
}

// What happened to a MemorySink; shared with the test because the client owns the sink.
struct SinkLog {
  std::string body;
  int writes = 0;
  bool overlapping_writes = false;  // a write began before the previous one returned
  bool finished = false;
  bool destroyed = false;
};

// An ExportSink (the seam the client streams into) that keeps the body in memory; each write
// may take a while (a slow disk) or fail, as may finish().
class MemorySink final : public ExportSink {
 public:
  enum class Fault { none, write_fails, finish_fails };

  MemorySink(std::shared_ptr<SinkLog> log, Fault fault, std::chrono::milliseconds write_time)
      : log_(std::move(log)), fault_(fault), write_time_(write_time) {}
  ~MemorySink() override { log_->destroyed = true; }

  asio::awaitable<void> write(std::string_view bytes) override {
    if (fault_ == Fault::write_fails) {
      throw core::Error(core::ErrorKind::internal, "cannot write /data/t1/scan_native.nessus: No space left on device");
    }
    log_->overlapping_writes |= writing_;
    writing_ = true;
    asio::steady_timer disk(co_await asio::this_coro::executor, write_time_);
    co_await disk.async_wait(asio::use_awaitable);
    log_->body.append(bytes);
    ++log_->writes;
    writing_ = false;
  }

  asio::awaitable<void> finish() override {
    if (fault_ == Fault::finish_fails) {
      throw core::Error(core::ErrorKind::internal, "cannot sync /data/t1/scan_native.nessus: Input/output error");
    }
    log_->finished = true;
    co_return;
  }

 private:
  std::shared_ptr<SinkLog> log_;
  Fault fault_;
  std::chrono::milliseconds write_time_;
  bool writing_ = false;
};

// The client streams the download into the sink it is given, one write at a time and
// waiting for each (a slow sink slows the download down, nothing is lost or reordered),
// then finishes and releases it; a file export of the same run has the same bytes.
TEST(NessusClient, ExportStreamsIntoTheSinkItIsGiven) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  std::string targets;
  for (int host = 1; host <= 40; ++host) targets += (host > 1 ? "," : "") + ("10.1.0." + std::to_string(host));
  const auto scan_id = run(io, client.create_scan(scan_named("it-export-sink", targets)));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "completed"));

  auto log = std::make_shared<SinkLog>();
  auto sink = std::make_unique<MemorySink>(log, MemorySink::Fault::none, 5ms);
  const auto bytes = run(io, client.export_scan(scan_id, std::move(sink), 1u << 30, 20s));
  EXPECT_EQ(bytes, log->body.size());
  EXPECT_GT(log->writes, 1) << "the body came in one piece: too small to show streaming";
  EXPECT_FALSE(log->overlapping_writes);
  EXPECT_TRUE(log->finished);
  EXPECT_TRUE(log->destroyed);
  EXPECT_NE(log->body.find("NessusClientData_v2"), std::string::npos);

  sw::testing::TempDir dir;
  run(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 20s));
  std::ifstream file(dir.path() / "x.nessus", std::ios::binary);
  const std::string stored((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(stored.size(), log->body.size());
}

// A sink that cannot store the export fails it with the sink's error kind and reason, named
// after the scanner and the call; an export over the size cap is never finished. The sink
// is released unfinished either way.
TEST(NessusClient, ExportFailuresLeaveTheSinkUnfinished) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-export-sink-fails", "10.0.0.5")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "completed"));

  const auto export_into = [&](MemorySink::Fault fault, std::uint64_t max_bytes, std::shared_ptr<SinkLog> log) {
    return run_expecting_error(
        io, client.export_scan(scan_id, std::make_unique<MemorySink>(log, fault, 0ms), max_bytes, 20s));
  };
  auto log = std::make_shared<SinkLog>();
  const auto full = export_into(MemorySink::Fault::write_fails, 1u << 30, log);
  EXPECT_EQ(full.kind(), core::ErrorKind::internal);
  EXPECT_NE(std::string(full.what()).find("sim1"), std::string::npos) << full.what();
  EXPECT_NE(std::string(full.what()).find("No space left on device"), std::string::npos) << full.what();
  EXPECT_FALSE(log->finished);
  EXPECT_TRUE(log->destroyed);

  log = std::make_shared<SinkLog>();
  const auto unsynced = export_into(MemorySink::Fault::finish_fails, 1u << 30, log);
  EXPECT_EQ(unsynced.kind(), core::ErrorKind::internal);
  EXPECT_NE(std::string(unsynced.what()).find("Input/output error"), std::string::npos) << unsynced.what();
  EXPECT_TRUE(log->destroyed);

  log = std::make_shared<SinkLog>();
  const auto too_large = export_into(MemorySink::Fault::none, 100, log);
  EXPECT_EQ(too_large.kind(), core::ErrorKind::client);
  EXPECT_FALSE(log->finished);
  EXPECT_TRUE(log->destroyed);
}

TEST(NessusClient, StaleStatusAfterLaunchIsNotMistakenForTheNewRun) {
  Sim sim(false, {"--stale-status-after-launch", "1"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-stale", "10.0.0.7")));
  const auto first = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, first, "completed"));
  const auto second = run(io, client.launch_scan(scan_id));
  const auto right_after = run(io, client.run_state(scan_id, second));
  EXPECT_FALSE(right_after.run_found && right_after.status == "completed");
  EXPECT_EQ(run(io, wait_for_status(client, scan_id, second, "completed")).status, "completed");
}

TEST(NessusClient, PinnedFingerprint) {
  Sim sim(true);
  ASSERT_TRUE(sim.started());
  ASSERT_FALSE(sim.fingerprint().empty());
  asio::io_context io;

  auto pinned = sim.scanner();
  pinned.tls_fingerprint_sha256 = sim.fingerprint();
  ScannerClient good(io.get_executor(), pinned, fast_options());
  EXPECT_NO_THROW(run(io, good.list_scans()));

  pinned.tls_fingerprint_sha256 = std::string(64, 'a');
  ScannerClient bad(io.get_executor(), pinned, fast_options());
  const auto mismatch = run_expecting_error(io, bad.list_scans());
  EXPECT_EQ(mismatch.kind(), core::ErrorKind::bad_input);  // not transient: a setting must change
  EXPECT_NE(std::string(mismatch.what()).find("fingerprint mismatch"), std::string::npos);
  EXPECT_NE(std::string(mismatch.what()).find(sim.fingerprint()), std::string::npos);
  EXPECT_NE(std::string(mismatch.what()).find("tls_fingerprint_sha256"), std::string::npos);

  // With verification on, the simulator's self-signed certificate is refused at once.
  auto verifying = sim.scanner();
  verifying.verify_ssl = true;
  ScannerClient strict(io.get_executor(), verifying, fast_options());
  const auto untrusted = run_expecting_error(io, strict.server_status());
  EXPECT_EQ(untrusted.kind(), core::ErrorKind::bad_input);
  EXPECT_NE(std::string(untrusted.what()).find("ca_file"), std::string::npos) << untrusted.what();
}

// A certificate that fails verification names what failed and the setting that fixes it:
// the right CA verifies; a wrong CA and a host name the certificate was not issued for fail.
TEST(NessusClient, CertificateVerificationFailuresNameTheSetting) {
  sw::testing::TempDir dir;
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
    return (dir.path() / name).string();
  };
  const auto server = sw::http::generate_self_signed_certificate("127.0.0.1");
  const auto other = sw::http::generate_self_signed_certificate("127.0.0.1");
  const auto cert = write("server.pem", server.cert_pem);
  const auto key = write("server.key", server.key_pem);
  const auto wrong_ca = write("other.pem", other.cert_pem);
  // The certificate names 127.0.0.1 and localhost; the simulator listens on 127.0.0.2.
  Sim sim(true, {"--cert", cert, "--key", key, "--bind", "127.0.0.2"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;

  auto scanner = sim.scanner();
  scanner.verify_ssl = true;
  scanner.ca_file = cert;
  ScannerClient wrong_host(io.get_executor(), scanner, fast_options());
  const auto host_error = run_expecting_error(io, wrong_host.server_status());
  EXPECT_EQ(host_error.kind(), core::ErrorKind::bad_input);
  EXPECT_NE(std::string(host_error.what()).find("does not match the host name '127.0.0.2'"), std::string::npos)
      << host_error.what();
  EXPECT_NE(std::string(host_error.what()).find("verify_ssl"), std::string::npos);

  scanner.ca_file = wrong_ca;
  ScannerClient untrusted(io.get_executor(), scanner, fast_options());
  const auto trust_error = run_expecting_error(io, untrusted.server_status());
  EXPECT_EQ(trust_error.kind(), core::ErrorKind::bad_input);
  EXPECT_NE(std::string(trust_error.what()).find("not trusted by ca_file " + wrong_ca), std::string::npos)
      << trust_error.what();

  // Pinning the certificate works where the host name does not match.
  scanner.verify_ssl = false;
  scanner.ca_file.clear();
  scanner.tls_fingerprint_sha256 = server.sha256_fingerprint;
  ScannerClient pinned(io.get_executor(), scanner, fast_options());
  EXPECT_EQ(run(io, pinned.server_status()), "ready");
}

TEST(NessusClient, CertificateSignedByTheConfiguredCaVerifies) {
  sw::testing::TempDir dir;
  const auto server = sw::http::generate_self_signed_certificate("127.0.0.1");
  std::ofstream(dir.path() / "server.pem") << server.cert_pem;
  std::ofstream(dir.path() / "server.key") << server.key_pem;
  Sim sim(true, {"--cert", (dir.path() / "server.pem").string(), "--key", (dir.path() / "server.key").string()});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto scanner = sim.scanner();
  scanner.verify_ssl = true;
  scanner.ca_file = (dir.path() / "server.pem").string();
  ScannerClient client(io.get_executor(), scanner, fast_options());
  EXPECT_NO_THROW(run(io, client.list_scans()));
}

// Item 1: the first export fails the real way (500 {"status":"error"}, then 404 for its file
// id): that export fails at once as "a new export is needed", without retrying into the 404;
// the next export (a new file id) succeeds.
TEST(NessusClient, FailedExportAsksForANewOne) {
  Sim sim(false, {"--export-failures", "1"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-export-fails-once", "10.0.0.3")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "completed"));
  sw::testing::TempDir dir;
  const auto failed = run_expecting_error(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 10s));
  EXPECT_EQ(failed.kind(), core::ErrorKind::server);
  EXPECT_EQ(failed.http_status(), 500);
  EXPECT_NE(std::string(failed.what()).find("a new export is needed"), std::string::npos) << failed.what();
  EXPECT_GT(run(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 10s)), 0u);
}

// Item 4: exporting a running scan answers 409; the client waits until it can export.
TEST(NessusClient, ExportOfARunningScanWaitsForTheEnd) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-export-running", "10.0.0.4")));
  run(io, client.launch_scan(scan_id));
  sw::testing::TempDir dir;
  EXPECT_GT(run(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 20s)), 0u);

  const auto never = run(io, client.create_scan(scan_named("it-export-never", "never-9.example")));
  run(io, client.launch_scan(never));
  const auto waited = run_expecting_error(io, export_to(client, never, dir.path() / "y.nessus", 1u << 30, 500ms));
  EXPECT_EQ(waited.kind(), core::ErrorKind::timeout);
  EXPECT_NE(std::string(waited.what()).find("running scan"), std::string::npos) << waited.what();
  run(io, client.stop_scan(never));
}

// Item 5: a run paused, resumed and stopped by a person in the UI passes through the states
// real servers report.
TEST(NessusClient, RunsPausedAndStoppedInTheUi) {
  Sim sim(false);
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-ui", "never-3.example")));
  EXPECT_EQ(run(io, client.run_state(scan_id, "")).status, "empty");
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "running"));
  const auto ui = "/__sim/scans/" + std::to_string(scan_id);
  sim.control(ui + "/pause");
  EXPECT_EQ(run(io, client.run_state(scan_id, run_uuid)).status, "pausing");
  EXPECT_EQ(run(io, wait_for_status(client, scan_id, run_uuid, "paused")).status, "paused");
  sim.control(ui + "/resume");
  EXPECT_EQ(run(io, wait_for_status(client, scan_id, run_uuid, "running")).status, "running");
  sim.control(ui + "/stop");
  EXPECT_EQ(run(io, wait_for_status(client, scan_id, run_uuid, "canceled")).status, "canceled");
  EXPECT_EQ(sim.stats()["launches_total"], 1);
}

// Item 7: an expired session is refused with "Invalid Credentials" and the client logs in
// again once; DELETE /session answers with an empty body or `null`, both fine.
TEST(NessusClient, SessionRepliesOfRealServers) {
  for (const bool null_body : {false, true}) {
    Sim sim(false, null_body ? std::vector<std::string>{"--logout-null-body"} : std::vector<std::string>{});
    ASSERT_TRUE(sim.started());
    asio::io_context io;
    ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
    run(io, client.list_scans());
    sim.faults({{"force_401_once", true}});
    run(io, client.list_scans());
    EXPECT_EQ(sim.stats()["logins"], 2);
    EXPECT_NO_THROW(run(io, client.logout()));
    EXPECT_EQ(sim.stats()["active_sessions"], 0);
  }
}

// Item 8: a burst of calls on a fresh client (start-up) sends one token fetch, one login,
// one template read and one folder read; no scan control leaves without the X-API-Token.
TEST(NessusClient, OneLoginAndOneTokenFetchAtATime) {
  Sim sim(false, {"--profile", "essentials", "--slow-ms", "30"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  std::vector<NewScan> scans;  // create_scan takes them by reference: alive until the calls end
  for (int i = 0; i < 6; ++i) scans.push_back(scan_named("it-burst-" + std::to_string(i)));
  std::vector<std::future<std::int64_t>> creates;
  for (const auto& scan : scans) creates.push_back(asio::co_spawn(io, client.create_scan(scan), asio::use_future));
  io.run();
  for (auto& create : creates) EXPECT_GT(create.get(), 0);
  auto stats = sim.stats();
  EXPECT_EQ(stats["api_token_fetches"], 1);
  EXPECT_EQ(stats["logins"], 1);
  EXPECT_EQ(stats["template_reads"], 1);
  EXPECT_EQ(stats["folder_reads"], 1);
  EXPECT_EQ(stats["refused_writes"], 0);
  EXPECT_EQ(stats["scans_created"], 6);
}

// Item 3: after an upgrade the X-API-Token changes; the 412 leads to one fetch and the call
// succeeds.
TEST(NessusClient, TokenRotationIsFollowed) {
  Sim sim(false, {"--profile", "essentials"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  run(io, client.create_scan(scan_named("it-rotate-1")));
  sim.control("/__sim/rotate-token");
  const auto scan_id = run(io, client.create_scan(scan_named("it-rotate-2")));
  run(io, client.launch_scan(scan_id));
  const auto stats = sim.stats();
  EXPECT_EQ(stats["api_token_fetches"], 2);
  EXPECT_EQ(stats["refused_writes"], 1);
  EXPECT_EQ(stats["scans_created"], 2);
}

// Item 2: Nessus 10.8 closes the connection on scan control without a valid X-API-Token.
// The client sees that the server still answers, fetches the token again, looks the scan
// up by name and creates it once; a fixed token that is refused that way is api_disabled.
TEST(NessusClient, ScanControlRefusedByClosingTheConnection) {
  Sim sim(false, {"--profile", "essentials", "--close-on-refused-write"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  run(io, client.create_scan(scan_named("it-close-1")));
  sim.control("/__sim/rotate-token");
  const auto scan_id = run(io, client.create_scan(scan_named("it-close-2")));
  EXPECT_EQ(run(io, client.find_scan_by_name("it-close-2")), std::optional<std::int64_t>(scan_id));
  sim.control("/__sim/rotate-token");
  run(io, client.launch_scan(scan_id));
  auto stats = sim.stats();
  EXPECT_EQ(stats["scans_created"], 2);
  EXPECT_EQ(stats["launches_total"], 1);
  EXPECT_EQ(stats["refused_writes"], 2);
  EXPECT_EQ(stats["api_token_fetches"], 3);

  auto fixed = sim.scanner();
  fixed.api_token_mode = config::ApiTokenMode::fixed;
  fixed.api_token = "00000000-0000-0000-0000-000000000000";
  ScannerClient wrong_token(io.get_executor(), fixed, fast_options());
  const auto refused = run_expecting_error(io, wrong_token.create_scan(scan_named("it-close-3")));
  EXPECT_EQ(refused.kind(), core::ErrorKind::api_disabled);
  EXPECT_NE(std::string(refused.what()).find("set api_token"), std::string::npos) << refused.what();
  EXPECT_EQ(sim.stats()["scans_created"], 2);
}

// Item 2, refused twice: with api_token auto, a scan control call refused by closing the
// connection fetches the token again and is sent once more (after looking the scan up by
// name); refused again, it fails as api_disabled saying to set api_token, and no scan exists.
TEST(NessusClient, ScanControlRefusedByClosingTwiceIsApiDisabled) {
  Sim sim(false, {"--profile", "essentials", "--close-on-refused-write", "--refuse-scan-control"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto refused = run_expecting_error(io, client.create_scan(scan_named("it-close-twice")));
  EXPECT_EQ(refused.kind(), core::ErrorKind::api_disabled) << refused.what();
  EXPECT_NE(std::string(refused.what()).find("scan control through the API is refused"), std::string::npos)
      << refused.what();
  EXPECT_NE(std::string(refused.what()).find("set api_token"), std::string::npos) << refused.what();
  const auto stats = sim.stats();
  EXPECT_EQ(stats["refused_writes"], 2);
  EXPECT_EQ(stats["api_token_fetches"], 2);
  EXPECT_EQ(stats["scans_created"], 0);
}

// Item 9: one slow endpoint (the scan details) times out on the client's deadline while the
// others answer at once.
TEST(NessusClient, OneSlowEndpointTimesOutAlone) {
  Sim sim(false, {"--slow-endpoint", "GET /scans/{id}=3000"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  auto options = fast_options();
  options.request_timeout = 300ms;
  options.read_retries = 1;
  ScannerClient client(io.get_executor(), sim.scanner(), options);
  const auto scan_id = run(io, client.create_scan(scan_named("it-slow-endpoint")));
  const auto slow = run_expecting_error(io, client.run_state(scan_id, ""));
  EXPECT_EQ(slow.kind(), core::ErrorKind::timeout);
  EXPECT_NO_THROW(run(io, client.list_scans()));
}

// Issue 12 item 4: scan details grow with the hosts; the client keeps only the fields it
// reads and refuses an answer above its cap with a clear error.
TEST(NessusClient, LargeScanDetailsAreReadWithinTheCap) {
  Sim sim(false, {"--hosts-per-target", "5000"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-large", "10.0.0.5")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  const auto done = run(io, wait_for_status(client, scan_id, run_uuid, "completed"));
  EXPECT_EQ(done.hosts, 5000);
  EXPECT_DOUBLE_EQ(done.progress, 100.0);

  auto options = fast_options();
  options.max_scan_details_bytes = 100 * 1024;
  ScannerClient capped(io.get_executor(), sim.scanner(), options);
  const auto refused = run_expecting_error(io, capped.run_state(scan_id, run_uuid));
  EXPECT_EQ(refused.kind(), core::ErrorKind::client);
  EXPECT_NE(std::string(refused.what()).find("larger than 102400 bytes"), std::string::npos) << refused.what();
}

// Item 9: a download that trickles (400 hosts, about 4 MB, at 1 MB/s). The export timeout
// still holds: the call fails as a timeout soon after it, and the part downloaded (more
// than ExportFile hands to its writer at once, so a temporary file was written) is removed.
TEST(NessusClient, SlowDownloadEndsAtTheExportTimeoutLeavingNoFile) {
  Sim sim(false, {"--hosts-per-target", "400", "--slow-download", "1048576"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-slow-download", "10.0.0.6")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "completed"));

  sw::testing::TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  const auto late = run_expecting_error(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 2s));
  EXPECT_EQ(late.kind(), core::ErrorKind::timeout) << late.what();
  EXPECT_NE(std::string(late.what()).find("did not finish in time"), std::string::npos) << late.what();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

// Item 9: a trickling download is cancelled the way the worker abandons an export on a
// hand-back (terminal cancellation through the coroutine's cancellation slot): it ends at
// once, its temporary file is removed, and the client serves the next export in full.
TEST(NessusClient, SlowDownloadCanBeCancelledLeavingNoFile) {
  Sim sim(false, {"--hosts-per-target", "400", "--slow-download", "1048576"});
  ASSERT_TRUE(sim.started());
  asio::io_context io;
  ScannerClient client(io.get_executor(), sim.scanner(), fast_options());
  const auto scan_id = run(io, client.create_scan(scan_named("it-slow-download-cancel", "10.0.0.7")));
  const auto run_uuid = run(io, client.launch_scan(scan_id));
  run(io, wait_for_status(client, scan_id, run_uuid, "completed"));

  sw::testing::TempDir dir;
  asio::cancellation_signal cancel;
  bool ended = false;
  std::exception_ptr failure;
  asio::co_spawn(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 60s),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr error, std::uint64_t) {
                   failure = error;
                   ended = true;
                 }));
  // Cancels once the download has reached the disk (the temporary file is there).
  bool saw_temporary = false;
  std::chrono::steady_clock::time_point cancelled_at;
  auto cancel_mid_download = [&]() -> asio::awaitable<void> {
    asio::steady_timer tick(io);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!ended && entries_in(dir.path()) == 0 && std::chrono::steady_clock::now() < deadline) {
      tick.expires_after(20ms);
      co_await tick.async_wait(asio::use_awaitable);
    }
    saw_temporary = entries_in(dir.path()) > 0;
    cancelled_at = std::chrono::steady_clock::now();
    cancel.emit(asio::cancellation_type::terminal);
  };
  std::exception_ptr canceller_failure;
  asio::co_spawn(io, cancel_mid_download(), [&](std::exception_ptr error) { canceller_failure = error; });
  io.restart();
  io.run();
  ASSERT_FALSE(canceller_failure);
  EXPECT_TRUE(saw_temporary);
  ASSERT_TRUE(ended);
  EXPECT_TRUE(failure) << "the export finished although it was cancelled";
  EXPECT_LT(std::chrono::steady_clock::now() - cancelled_at, 5s);
  EXPECT_EQ(entries_in(dir.path()), 0u);

  sim.faults({{"slow_download_bytes_per_second", 0}});
  EXPECT_GT(run(io, export_to(client, scan_id, dir.path() / "x.nessus", 1u << 30, 20s)), 1000000u);
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

}  // namespace
}  // namespace sw::nessus
