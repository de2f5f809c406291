// ScannerClient: the Nessus REST client of one scanner instance; see scanner_client.hpp.
#include "nessus/scanner_client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <variant>

#include "core/errors.hpp"
#include "nessus/http_transport.hpp"
#include "nessus/protocol.hpp"
#include "telemetry/log.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using core::ErrorKind;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::chrono::milliseconds kExportPollFirst{100};
constexpr std::chrono::milliseconds kExportPollMax{2000};

struct Call {
  std::string method;
  std::string target;
  std::string body;
  std::string what;              // the call, for messages
  bool authenticated = true;
  bool idempotent = false;       // retried with backoff on network errors and 5xx
  bool may_relogin = true;       // a 401 drops the session, logs in again and retries once
  BodySink* sink = nullptr;
};

struct Reply {
  int status = 0;
  std::string body;
  bool body_complete = true;
  bool aborted_by_sink = false;

  bool ok() const { return status >= 200 && status < 300; }
};

struct CallFailure {
  core::Error error;
  bool request_sent = false;  // the server may have acted on the request
};

using CallResult = std::variant<Reply, CallFailure>;

std::string scan_path(std::int64_t scan_id) { return "/scans/" + std::to_string(scan_id); }

// Writes a download to destination + ".part"; commit() makes it durable and renames it.
class FileSink final : public BodySink {
 public:
  enum class Abort { none, too_large, deadline, io };

  FileSink(std::filesystem::path destination, std::uint64_t max_bytes, Clock::time_point deadline)
      : destination_(std::move(destination)),
        part_(destination_.string() + ".part"),
        max_bytes_(max_bytes),
        deadline_(deadline) {
    fd_ = ::open(part_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd_ < 0) {
      io_error_ = std::strerror(errno);
    }
  }
  ~FileSink() override {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    if (!committed_) {
      std::error_code ignored;
      std::filesystem::remove(part_, ignored);
    }
  }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  const std::string& io_error() const { return io_error_; }
  Abort abort() const { return abort_; }
  std::uint64_t bytes() const { return bytes_; }
  const std::filesystem::path& part() const { return part_; }

  void begin() override {
    bytes_ = 0;
    abort_ = Abort::none;
    if (fd_ >= 0 && (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)) {
      fail_io();
    }
  }

  bool write(std::string_view chunk) override {
    if (fd_ < 0) {
      abort_ = Abort::io;
      return false;
    }
    bytes_ += chunk.size();
    if (bytes_ > max_bytes_) {
      abort_ = Abort::too_large;
      return false;
    }
    if (Clock::now() > deadline_) {
      abort_ = Abort::deadline;
      return false;
    }
    while (!chunk.empty()) {
      const auto written = ::write(fd_, chunk.data(), chunk.size());
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written <= 0) {
        fail_io();
        return false;
      }
      chunk.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
  }

  // fsync, rename over the destination, fsync the folder; false with io_error() on failure.
  bool commit() {
    if (fd_ < 0 || ::fsync(fd_) != 0) {
      fail_io();
      return false;
    }
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    std::filesystem::rename(part_, destination_, ec);
    if (ec) {
      io_error_ = ec.message();
      return false;
    }
    committed_ = true;
    const auto folder = destination_.parent_path().empty() ? std::filesystem::path(".") : destination_.parent_path();
    const int folder_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder_fd >= 0) {
      ::fsync(folder_fd);
      ::close(folder_fd);
    }
    return true;
  }

 private:
  void fail_io() {
    io_error_ = std::strerror(errno);
    abort_ = Abort::io;
  }

  std::filesystem::path destination_;
  std::filesystem::path part_;
  std::uint64_t max_bytes_;
  Clock::time_point deadline_;
  int fd_ = -1;
  std::uint64_t bytes_ = 0;
  Abort abort_ = Abort::none;
  std::string io_error_;
  bool committed_ = false;
};

TlsSettings tls_settings_of(const config::ScannerConfig& scanner) {
  TlsSettings tls;
  tls.verify = scanner.verify_ssl;
  tls.ca_file = scanner.ca_file;
  if (!scanner.tls_fingerprint_sha256.empty()) {
    tls.pinned_sha256 = normalize_fingerprint(scanner.tls_fingerprint_sha256);
    if (tls.pinned_sha256.empty()) {
      throw core::Error(ErrorKind::bad_input, "scanner " + scanner.instance_id +
                                                  ": tls_fingerprint_sha256 is not 64 hex digits");
    }
  }
  return tls;
}

}  // namespace

struct ScannerClient::Impl {
  asio::any_io_executor executor;
  config::ScannerConfig scanner;
  ClientOptions options;
  HttpTransport transport;
  std::string session_token;
  std::uint64_t session_generation = 0;  // bumped on each login
  std::string api_token;
  bool api_token_fetched = false;
  std::optional<std::int64_t> main_folder;
  std::map<std::string, std::string, std::less<>> template_uuids;

  Impl(asio::any_io_executor exec, config::ScannerConfig config, ClientOptions opts)
      : executor(exec),
        scanner(std::move(config)),
        options(opts),
        transport(exec, parse_base_url(scanner.url), tls_settings_of(scanner), opts.request_timeout,
                  static_cast<std::size_t>(scanner.max_connections)) {
    if (scanner.api_token_mode == config::ApiTokenMode::fixed) {
      api_token = scanner.api_token;
    }
    if (parse_base_url(scanner.url).tls && !scanner.verify_ssl && scanner.tls_fingerprint_sha256.empty()) {
      telemetry::log_warning("TLS certificate verification is off for this scanner", log_fields());
    }
  }

  json log_fields() const { return {{"scanner", scanner.instance_id}, {"pool", scanner.pool}}; }

  core::Error error(ErrorKind kind, std::string_view what, std::string_view reason, int status = 0) const {
    return core::Error(kind, "nessus scanner " + scanner.instance_id + ": " + std::string(what) + ": " + std::string(reason),
                       status);
  }

  // Launch and delete: Nessus answers 409 or 500 while a scan is active, and an answer can
  // be lost after the request was sent; both call for a re-read. Returns that error (to
  // report if the re-read does not settle it) and throws any other failure.
  core::Error refused_while_active_or_lost(const CallResult& result, std::string_view what) const {
    if (const auto* reply = std::get_if<Reply>(&result)) {
      if (reply->status != 409 && reply->status != 500) {
        throw http_error(*reply, what);
      }
      return http_error(*reply, what);
    }
    const auto& failure = std::get<CallFailure>(result);
    if (!failure.request_sent) {
      throw failure.error;
    }
    return failure.error;
  }

  core::Error http_error(const Reply& reply, std::string_view what) const {
    std::string reason = "HTTP " + std::to_string(reply.status);
    if (const auto text = error_text(reply.body); !text.empty()) {
      reason += " (" + text + ")";
    } else if (!reply.body_complete) {
      reason += " (connection closed before the body)";
    }
    return error(error_kind_for_status(reply.status), what, reason, reply.status);
  }

  HttpRequest request_for(const Call& call) const {
    HttpRequest request{call.method, call.target, {}, call.body};
    if (call.authenticated) {
      if (scanner.uses_api_keys()) {
        request.headers.emplace_back("X-ApiKeys", "accessKey=" + scanner.access_key + "; secretKey=" + scanner.secret_key);
      } else {
        request.headers.emplace_back("X-Cookie", "token=" + session_token);
      }
    }
    if (!api_token.empty()) {
      request.headers.emplace_back("X-API-Token", api_token);
    }
    return request;
  }

  void report_request(const Call& call, const ExchangeResult& exchanged,
                      std::chrono::steady_clock::time_point started) const {
    if (!options.on_request) return;
    const auto* response = std::get_if<HttpResponse>(&exchanged);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    options.on_request(endpoint_label(call.method, call.target), response ? response->status : 0, seconds);
  }

  // False when cancelled.
  asio::awaitable<bool> pause(std::chrono::milliseconds delay) {
    asio::steady_timer timer(executor, delay);
    auto [ec] = co_await timer.async_wait(use_tuple);
    co_return !ec;
  }

  asio::awaitable<CallResult> call(const Call& call) {
    int attempt = 0;
    bool relogged = false;
    bool token_refetched = false;
    auto delay = options.retry_base_delay;
    // One co_return at the end: GCC 12 destroys variants twice on some early co_return paths.
    std::optional<CallResult> outcome;
    while (!outcome) {
      if (call.authenticated) {
        auto auth_failure = co_await ensure_authenticated();
        if (auth_failure) {
          outcome.emplace(std::move(*auth_failure));
          break;
        }
      }
      const auto generation = session_generation;
      const auto request = request_for(call);
      const auto exchange_started = std::chrono::steady_clock::now();
      auto exchanged = co_await transport.exchange(request, call.sink);
      report_request(call, exchanged, exchange_started);
      bool retry = false;
      if (auto* failure = std::get_if<TransportFailure>(&exchanged)) {
        if (!call.idempotent || !failure->retryable || attempt >= options.read_retries) {
          outcome.emplace(CallFailure{error(failure->kind, call.what, failure->reason), failure->request_sent});
        } else {
          retry = true;
        }
      } else {
        auto& response = std::get<HttpResponse>(exchanged);
        if (response.status == 401 && call.authenticated && call.may_relogin && !scanner.uses_api_keys() && !relogged) {
          relogged = true;
          drop_session(generation);
          telemetry::log_info("session refused; logging in again", log_fields());
        } else if (response.status == 412 && scanner.api_token_mode == config::ApiTokenMode::auto_fetch &&
                   !token_refetched) {
          token_refetched = true;
          co_await fetch_api_token();
        } else if (response.status >= 500 && call.idempotent && attempt < options.read_retries) {
          retry = true;
        } else {
          outcome.emplace(Reply{response.status, std::move(response.body), response.body_complete,
                                response.aborted_by_sink});
        }
      }
      if (retry) {
        ++attempt;
        const bool waited = co_await pause(delay);
        if (!waited) {
          outcome.emplace(CallFailure{error(ErrorKind::network, call.what, "cancelled"), false});
        }
        delay *= 2;
      }
    }
    co_return std::move(*outcome);
  }

  void drop_session(std::uint64_t generation) {
    if (generation == session_generation) {
      session_token.clear();
    }
  }

  asio::awaitable<std::optional<CallFailure>> ensure_authenticated() {
    if (scanner.api_token_mode == config::ApiTokenMode::auto_fetch && !api_token_fetched) {
      co_await fetch_api_token();
    }
    if (!scanner.uses_api_keys() && session_token.empty()) {
      co_return co_await login();
    }
    co_return std::nullopt;
  }

  asio::awaitable<void> fetch_api_token() {
    api_token_fetched = true;
    const Call fetch{"GET", "/nessus6.js", {}, "fetching the X-API-Token", false, true};
    CallResult result = co_await call(fetch);
    take_api_token(result);
  }

  // Plain function: GCC 12 mishandles early co_return paths that destroy variants.
  void take_api_token(const CallResult& result) {
    std::string problem;
    const auto* reply = std::get_if<Reply>(&result);
    if (reply == nullptr) {
      problem = std::get<CallFailure>(result).error.what();
    } else if (!reply->ok()) {
      problem = "HTTP " + std::to_string(reply->status);
    } else if (auto token = extract_api_token(reply->body)) {
      api_token = std::move(*token);
      telemetry::log_info("fetched the X-API-Token from /nessus6.js", log_fields());
      return;
    } else {
      problem = "no token in /nessus6.js";
    }
    auto fields = log_fields();
    fields["reason"] = problem;
    telemetry::log_warning("could not fetch the X-API-Token; continuing without it", fields);
  }

  asio::awaitable<std::optional<CallFailure>> login() {
    const json credentials = {{"username", scanner.username}, {"password", scanner.password}};
    const Call login_call{"POST", "/session", credentials.dump(), "login", false, true};
    CallResult result = co_await call(login_call);
    co_return take_session(result);
  }

  std::optional<CallFailure> take_session(const CallResult& result) {
    if (const auto* failure = std::get_if<CallFailure>(&result)) {
      return *failure;
    }
    const auto& reply = std::get<Reply>(result);
    if (reply.status == 401) {
      return CallFailure{error(ErrorKind::auth, "login", "credentials refused (HTTP 401)", 401), true};
    }
    if (!reply.ok()) {
      return CallFailure{http_error(reply, "login"), true};
    }
    const auto token = json_string(member(json::parse(reply.body, nullptr, false), "token"));
    if (token.empty()) {
      return CallFailure{error(ErrorKind::server, "login", "response without a token", reply.status), true};
    }
    session_token = token;
    ++session_generation;
    telemetry::log_info("logged in to the scanner", log_fields());
    return std::nullopt;
  }

  Reply take(CallResult result) const {
    if (auto* failure = std::get_if<CallFailure>(&result)) {
      throw failure->error;
    }
    return std::get<Reply>(std::move(result));
  }

  json parse_ok(const Reply& reply, std::string_view what) const {
    if (!reply.ok()) {
      throw http_error(reply, what);
    }
    auto document = json::parse(reply.body, nullptr, false);
    if (document.is_discarded()) {
      throw error(ErrorKind::server, what, "response is not JSON", reply.status);
    }
    return document;
  }

  asio::awaitable<json> get_json(const std::string& target, const std::string& what) {
    const Call get{"GET", target, {}, what, true, true};
    auto reply = take(co_await call(get));
    co_return parse_ok(reply, what);
  }

  asio::awaitable<std::int64_t> main_folder_id() {
    if (!main_folder) {
      const std::string target = "/folders";
      const std::string what = "list folders";
      const auto document = co_await get_json(target, what);
      main_folder = folder_id_of_type(document, "main");
      if (!main_folder) {
        throw error(ErrorKind::server, "list folders", "no folder of type main");
      }
    }
    co_return *main_folder;
  }

  asio::awaitable<std::string> template_uuid_for(const std::string& name) {
    if (const auto cached = template_uuids.find(name); cached != template_uuids.end()) {
      co_return cached->second;
    }
    const std::string what = "list scan templates";
    const Call list_templates{"GET", "/editor/scan/templates", {}, what, true, true};
    auto reply = take(co_await call(list_templates));
    json document;
    if (reply.ok()) {
      document = parse_ok(reply, what);
    } else {
      auto fields = log_fields();
      fields["status"] = reply.status;
      telemetry::log_warning("cannot list scan templates; using the well-known uuid", fields);
    }
    auto uuid = template_uuid(document, name);
    if (!uuid) {
      throw error(ErrorKind::client, what, "no scan template named '" + name + "'");
    }
    template_uuids.emplace(name, *uuid);
    co_return *uuid;
  }

  asio::awaitable<std::vector<ScanListEntry>> list_scans() {
    const std::string target = "/scans";
    const std::string what = "list scans";
    const auto document = co_await get_json(target, what);
    co_return parse_scan_list(document);
  }

  asio::awaitable<std::optional<std::int64_t>> find_scan_by_name(const std::string& name) {
    std::optional<std::int64_t> newest;
    const auto scans = co_await list_scans();
    for (const auto& entry : scans) {
      if (entry.name == name && (!newest || entry.id > *newest)) {
        newest = entry.id;
      }
    }
    co_return newest;
  }

  asio::awaitable<std::int64_t> create_scan(const NewScan& scan) {
    const auto uuid = co_await template_uuid_for(scan.template_name);
    const auto folder = co_await main_folder_id();
    const auto body = create_scan_body(scan, uuid, folder).dump();
    const std::string what = "create scan";
    auto fields = log_fields();
    fields["scan_name"] = scan.name;
    for (int round = 0;; ++round) {
      const Call create{"POST", "/scans", body, what};
      auto result = co_await call(create);
      if (auto* reply = std::get_if<Reply>(&result)) {
        const auto id = json_integer(member(member(parse_ok(*reply, what), "scan"), "id"));
        if (id <= 0) {
          throw error(ErrorKind::server, what, "response without scan.id", reply->status);
        }
        fields["scan_id"] = id;
        telemetry::log_info("created scan", fields);
        co_return id;
      }
      auto& failure = std::get<CallFailure>(result);
      if (!failure.request_sent) {
        throw failure.error;
      }
      // The response was lost: the scan may exist. Look it up by its unique name and create
      // again only when it certainly does not.
      if (const auto existing = co_await find_scan_by_name(scan.name)) {
        fields["scan_id"] = *existing;
        telemetry::log_warning("create response lost; the scan exists, using it", fields);
        co_return *existing;
      }
      if (round > 0) {
        throw failure.error;
      }
      telemetry::log_warning("create response lost and no scan with that name exists; creating once more", fields);
    }
  }

  asio::awaitable<std::string> launch_scan(std::int64_t scan_id) {
    const std::string what = "launch scan " + std::to_string(scan_id);
    const Call launch{"POST", scan_path(scan_id) + "/launch", "{}", what};
    auto result = co_await call(launch);
    if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && reply->ok()) {
      auto run_uuid = json_string(member(parse_ok(*reply, what), "scan_uuid"));
      if (run_uuid.empty()) {
        throw error(ErrorKind::server, what, "response without scan_uuid", reply->status);
      }
      co_return run_uuid;
    }
    const std::optional<core::Error> problem = refused_while_active_or_lost(result, what);
    // Refused as possibly already running, or the answer was lost: adopt an active run.
    const auto target = scan_path(scan_id);
    const auto reread = "read scan " + std::to_string(scan_id) + " after launch";
    const auto details = co_await get_json(target, reread);
    const auto status = json_string(member(member(details, "info"), "status"));
    const auto run_uuid = current_run_uuid_of(details);
    if (is_active_status(status) && !run_uuid.empty()) {
      auto fields = log_fields();
      fields["scan_id"] = scan_id;
      fields["reason"] = problem->what();
      telemetry::log_warning("launch not confirmed; adopting the active run", fields);
      co_return run_uuid;
    }
    throw *problem;
  }

  asio::awaitable<void> stop_scan(std::int64_t scan_id) {
    const std::string what = "stop scan " + std::to_string(scan_id);
    const Call stop{"POST", scan_path(scan_id) + "/stop", "{}", what};
    auto result = co_await call(stop);
    if (auto* reply = std::get_if<Reply>(&result)) {
      if (reply->ok() || reply->status == 409) {
        co_return;
      }
      throw http_error(*reply, what);
    }
    auto& failure = std::get<CallFailure>(result);
    if (!failure.request_sent) {
      throw failure.error;
    }
    const auto target = scan_path(scan_id);
    const auto details = co_await get_json(target, what);
    const auto state = parse_run_state(details, {});
    if (state.status == "stopping" || !is_active_status(state.status)) {
      co_return;
    }
    throw failure.error;
  }

  asio::awaitable<void> delete_scan(std::int64_t scan_id) {
    const std::string what = "delete scan " + std::to_string(scan_id);
    const Call remove{"DELETE", scan_path(scan_id), {}, what};
    auto result = co_await call(remove);
    if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && (reply->ok() || reply->status == 404)) {
      co_return;
    }
    const std::optional<core::Error> problem = refused_while_active_or_lost(result, what);
    // Refused (409/500 mean "still active" on Nessus) or the answer was lost: look again.
    const Call read_again{"GET", scan_path(scan_id), {}, what, true, true};
    auto reread = take(co_await call(read_again));
    if (reread.status == 404) {
      co_return;
    }
    const auto state = parse_run_state(parse_ok(reread, what), {});
    if (is_active_status(state.status)) {
      throw error(ErrorKind::conflict, what, "the scan is still " + state.status, problem->http_status());
    }
    throw *problem;
  }

  asio::awaitable<std::uint64_t> export_to_file(std::int64_t scan_id, const std::filesystem::path& destination,
                                                std::uint64_t max_bytes, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const auto id = std::to_string(scan_id);
    const std::string what = "export scan " + id;
    const json request = {{"format", "nessus"}};
    const Call start_export{"POST", scan_path(scan_id) + "/export", request.dump(), what, true, true};
    auto started = take(co_await call(start_export));
    const auto file = json_integer(member(parse_ok(started, what), "file"));
    if (file <= 0) {
      throw error(ErrorKind::server, what, "response without a file id", started.status);
    }
    const auto file_path = scan_path(scan_id) + "/export/" + std::to_string(file);
    const auto status_path = file_path + "/status";
    const auto status_what = what + " (status)";
    auto delay = kExportPollFirst;
    for (;;) {
      const auto status_document = co_await get_json(status_path, status_what);
      const auto status = json_string(member(status_document, "status"));
      if (status == "ready") {
        break;
      }
      if (status == "error") {
        throw error(ErrorKind::server, what, "the scanner reports the export failed");
      }
      const auto now = Clock::now();
      if (now >= deadline) {
        throw error(ErrorKind::timeout, what, "the export was not ready in time (status " + status + ")");
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      if (!co_await pause(std::min(delay, left))) {
        throw error(ErrorKind::network, what, "cancelled");
      }
      delay = std::min(delay * 2, kExportPollMax);
    }

    const std::string download = what + " (download)";
    FileSink sink(destination, max_bytes, deadline);
    if (!sink.io_error().empty()) {
      throw error(ErrorKind::internal, download, "cannot open " + sink.part().string() + ": " + sink.io_error());
    }
    Call call_spec{"GET", file_path + "/download", {}, download, true, true};
    call_spec.sink = &sink;
    const auto reply = take(co_await call(call_spec));
    switch (sink.abort()) {
      case FileSink::Abort::too_large:
        throw error(ErrorKind::client, download, "the export is larger than " + std::to_string(max_bytes) + " bytes");
      case FileSink::Abort::deadline:
        throw error(ErrorKind::timeout, download, "the download did not finish in time");
      case FileSink::Abort::io:
        throw error(ErrorKind::internal, download, "cannot write " + sink.part().string() + ": " + sink.io_error());
      case FileSink::Abort::none:
        break;
    }
    if (reply.status != 200) {
      throw http_error(reply, download);
    }
    if (!reply.body_complete) {
      throw error(ErrorKind::network, download, "the connection closed before the end of the file");
    }
    if (!sink.commit()) {
      throw error(ErrorKind::internal, download, "cannot store " + destination.string() + ": " + sink.io_error());
    }
    auto fields = log_fields();
    fields["scan_id"] = scan_id;
    fields["bytes"] = sink.bytes();
    telemetry::log_info("export downloaded", fields);
    co_return sink.bytes();
  }

  asio::awaitable<void> logout() {
    if (scanner.uses_api_keys() || session_token.empty()) {
      co_return;
    }
    Call call_spec{"DELETE", "/session", {}, "logout"};
    call_spec.may_relogin = false;
    auto result = co_await call(call_spec);
    session_token.clear();
    if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && !reply->ok() && reply->status != 401) {
      throw http_error(*reply, "logout");
    }
    if (auto* failure = std::get_if<CallFailure>(&result)) {
      throw failure->error;
    }
  }
};

ScannerClient::ScannerClient(asio::any_io_executor executor, config::ScannerConfig scanner, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(scanner), options)) {}

ScannerClient::~ScannerClient() = default;

asio::awaitable<std::string> ScannerClient::server_status() {
  const std::string what = "server status";
  const Call status_call{"GET", "/server/status", {}, what, false, true};
  auto reply = impl_->take(co_await impl_->call(status_call));
  // A loading server answers 503 with {"status":"loading"}: that is the answer, not a failure.
  const auto status = json_string(member(json::parse(reply.body, nullptr, false), "status"));
  if (!status.empty()) {
    co_return status;
  }
  throw reply.ok() ? impl_->error(ErrorKind::server, what, "response without status", reply.status)
                   : impl_->http_error(reply, what);
}

asio::awaitable<std::int64_t> ScannerClient::create_scan(const NewScan& scan) { return impl_->create_scan(scan); }

asio::awaitable<std::optional<std::int64_t>> ScannerClient::find_scan_by_name(std::string name) {
  co_return co_await impl_->find_scan_by_name(name);
}

asio::awaitable<std::string> ScannerClient::launch_scan(std::int64_t scan_id) { return impl_->launch_scan(scan_id); }

asio::awaitable<RunState> ScannerClient::run_state(std::int64_t scan_id, std::string run_uuid) {
  const auto target = scan_path(scan_id);
  const auto what = "read scan " + std::to_string(scan_id);
  const auto details = co_await impl_->get_json(target, what);
  co_return parse_run_state(details, run_uuid);
}

asio::awaitable<std::string> ScannerClient::current_run_uuid(std::int64_t scan_id) {
  const auto target = scan_path(scan_id);
  const auto what = "read scan " + std::to_string(scan_id);
  const auto details = co_await impl_->get_json(target, what);
  co_return current_run_uuid_of(details);
}

asio::awaitable<void> ScannerClient::stop_scan(std::int64_t scan_id) { return impl_->stop_scan(scan_id); }

asio::awaitable<void> ScannerClient::delete_scan(std::int64_t scan_id) { return impl_->delete_scan(scan_id); }

asio::awaitable<std::vector<ScanListEntry>> ScannerClient::list_scans() { return impl_->list_scans(); }

asio::awaitable<std::uint64_t> ScannerClient::export_to_file(std::int64_t scan_id, std::filesystem::path destination,
                                                            std::uint64_t max_bytes, std::chrono::milliseconds timeout) {
  co_return co_await impl_->export_to_file(scan_id, destination, max_bytes, timeout);
}

asio::awaitable<void> ScannerClient::logout() { return impl_->logout(); }

}  // namespace sw::nessus
