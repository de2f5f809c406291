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
#include <vector>
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
  bool server_error_is_answer = false;  // a 5xx is returned as the reply, not retried
  // Scan control (create, launch, stop, delete) that Nessus gates with the X-API-Token. A
  // connection closed before any response byte while the server answers GET /server/status
  // is taken as a refusal (Nessus 10.8): the token is fetched again and, with
  // retry_after_refusal, the call is sent once more; a second refusal is api_disabled.
  bool scan_control = false;
  bool retry_after_refusal = false;
  bool refused_before = false;   // an earlier attempt of this operation was refused that way
  std::size_t max_body_bytes = 64 * 1024 * 1024;
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
  bool refused_by_close = false;  // scan control refused by closing; the token was fetched again
};

// Callers of a step that another caller has already started wait for its end instead of
// starting it again (one login, one token fetch, one folder/template read per scanner).
struct SingleFlight {
  bool running = false;
  std::vector<asio::steady_timer*> waiters;
};

using CallResult = std::variant<Reply, CallFailure>;

std::string scan_path(std::int64_t scan_id) { return "/scans/" + std::to_string(scan_id); }

const std::string kScanControlRefused =
    "scan control through the API is refused: the scanner closed the connection without an answer again after "
    "the X-API-Token was fetched anew; set api_token in scanners.yaml to the web UI's X-API-Token";

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
  std::optional<CallFailure> login_failure;  // of the latest login, for the callers that waited for it
  SingleFlight login_flight;
  std::string api_token;
  bool api_token_known = false;            // auto mode: /nessus6.js was read (the token may still be empty)
  std::uint64_t api_token_generation = 0;  // bumped on each fetch
  SingleFlight token_flight;
  std::optional<std::int64_t> main_folder;
  std::optional<core::Error> folder_failure;
  SingleFlight folder_flight;
  std::optional<json> templates_document;  // null when the list could not be read (well-known uuids)
  std::optional<core::Error> template_failure;
  SingleFlight template_flight;

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

  // Runs `work` unless another caller is running it; then waits for that run to end (the
  // caller reads its result from the state it left).
  asio::awaitable<void> once(SingleFlight& flight, asio::awaitable<void>& work) {
    if (flight.running) {
      asio::steady_timer done(executor, asio::steady_timer::time_point::max());
      flight.waiters.push_back(&done);
      struct Unlist {  // a waiter destroyed before the end leaves the list
        SingleFlight& flight;
        asio::steady_timer& timer;
        ~Unlist() { std::erase(flight.waiters, &timer); }
      } unlist{flight, done};
      co_await done.async_wait(use_tuple);
      co_return;
    }
    flight.running = true;
    struct Land {
      SingleFlight& flight;
      ~Land() {
        flight.running = false;
        for (auto* waiter : flight.waiters) waiter->cancel();
        flight.waiters.clear();
      }
    } land{flight};
    co_await std::move(work);
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
    HttpRequest request{call.method, call.target, {}, call.body, call.max_body_bytes};
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

  // True when GET /server/status gets an HTTP answer (the scanner is up).
  asio::awaitable<bool> server_answers() {
    const HttpRequest probe{"GET", "/server/status", {}, {}};
    const auto exchanged = co_await transport.exchange(probe);
    co_return std::holds_alternative<HttpResponse>(exchanged);
  }

  asio::awaitable<CallResult> call(const Call& call) {
    int attempt = 0;
    bool relogged = false;
    bool token_refetched = false;
    bool refused_by_close = call.refused_before;
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
      const auto token_generation = api_token_generation;
      const auto request = request_for(call);
      const auto exchange_started = std::chrono::steady_clock::now();
      auto exchanged = co_await transport.exchange(request, call.sink);
      report_request(call, exchanged, exchange_started);
      bool retry = false;
      if (auto* failure = std::get_if<TransportFailure>(&exchanged)) {
        const bool maybe_refused = call.scan_control && failure->closed_before_response &&
                                   scanner.api_token_mode != config::ApiTokenMode::none;
        bool refused = false;
        if (maybe_refused) {
          refused = co_await server_answers();
        }
        if (refused && (refused_by_close || scanner.api_token_mode == config::ApiTokenMode::fixed)) {
          outcome.emplace(CallFailure{error(ErrorKind::api_disabled, call.what, kScanControlRefused), true, true});
        } else if (refused) {
          refused_by_close = true;
          telemetry::log_warning("the scanner closed the connection on scan control; fetching the X-API-Token again",
                                 log_fields());
          co_await refresh_api_token(token_generation);
          if (!call.retry_after_refusal) {
            outcome.emplace(CallFailure{error(failure->kind, call.what, failure->reason), true, true});
          }
        } else if (!call.idempotent || !failure->retryable || attempt >= options.read_retries) {
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
          co_await refresh_api_token(token_generation);
        } else if (response.status >= 500 && call.idempotent && !call.server_error_is_answer &&
                   attempt < options.read_retries) {
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

  // The X-API-Token is known before any call that may need it leaves, and the session is
  // open; the calls waiting meanwhile share one fetch and one login.
  asio::awaitable<std::optional<CallFailure>> ensure_authenticated() {
    if (scanner.api_token_mode == config::ApiTokenMode::auto_fetch && !api_token_known) {
      co_await refresh_api_token(api_token_generation);
    }
    std::optional<CallFailure> failure;
    if (!scanner.uses_api_keys() && session_token.empty()) {
      auto work = login();
      co_await once(login_flight, work);
      if (session_token.empty()) {
        failure = login_failure.value_or(CallFailure{error(ErrorKind::auth, "login", "no session"), false});
      }
    }
    co_return failure;
  }

  // Fetches the X-API-Token unless a fetch newer than `seen_generation` happened meanwhile.
  asio::awaitable<void> refresh_api_token(std::uint64_t seen_generation) {
    if (api_token_generation != seen_generation && api_token_known) {
      co_return;
    }
    auto work = fetch_api_token();
    co_await once(token_flight, work);
  }

  asio::awaitable<void> fetch_api_token() {
    const Call fetch{"GET", "/nessus6.js", {}, "fetching the X-API-Token", false, true};
    CallResult result = co_await call(fetch);
    take_api_token(result);
    api_token_known = true;
    ++api_token_generation;
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

  asio::awaitable<void> login() {
    const json credentials = {{"username", scanner.username}, {"password", scanner.password}};
    const Call login_call{"POST", "/session", credentials.dump(), "login", false, true};
    CallResult result = co_await call(login_call);
    login_failure = take_session(result);
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

  // GET /scans/{id} as a Reply (a 404 is an answer), with the details size cap.
  asio::awaitable<Reply> get_scan(std::int64_t scan_id, const std::string& what) {
    Call get{"GET", scan_path(scan_id), {}, what, true, true};
    get.max_body_bytes = options.max_scan_details_bytes;
    co_return take(co_await call(get));
  }

  ScanDetails details_of(const Reply& reply, std::string_view what) const {
    if (!reply.ok()) {
      throw http_error(reply, what);
    }
    auto details = parse_scan_details(reply.body);
    if (!details) {
      throw error(ErrorKind::server, what, "response is not JSON", reply.status);
    }
    return std::move(*details);
  }

  asio::awaitable<ScanDetails> read_scan(std::int64_t scan_id, const std::string& what) {
    const auto reply = co_await get_scan(scan_id, what);
    co_return details_of(reply, what);
  }

  asio::awaitable<void> read_folders() {
    const std::string target = "/folders";
    const std::string what = "list folders";
    try {
      const auto document = co_await get_json(target, what);
      main_folder = folder_id_of_type(document, "main");
      folder_failure.reset();
      if (!main_folder) {
        folder_failure = error(ErrorKind::server, what, "no folder of type main");
      }
    } catch (const core::Error& e) {
      folder_failure = e;
    }
  }

  asio::awaitable<std::int64_t> main_folder_id() {
    if (!main_folder) {
      auto work = read_folders();
      co_await once(folder_flight, work);
      if (!main_folder) {
        throw folder_failure.value_or(error(ErrorKind::server, "list folders", "no folder of type main"));
      }
    }
    co_return *main_folder;
  }

  asio::awaitable<void> read_templates() {
    const std::string what = "list scan templates";
    const Call list_templates{"GET", "/editor/scan/templates", {}, what, true, true};
    try {
      auto reply = take(co_await call(list_templates));
      template_failure.reset();
      if (reply.ok()) {
        templates_document = parse_ok(reply, what);
      } else {
        auto fields = log_fields();
        fields["status"] = reply.status;
        telemetry::log_warning("cannot list scan templates; using the well-known uuids", fields);
        templates_document = json();
      }
    } catch (const core::Error& e) {
      template_failure = e;
    }
  }

  asio::awaitable<std::string> template_uuid_for(const std::string& name) {
    if (!templates_document) {
      auto work = read_templates();
      co_await once(template_flight, work);
      if (!templates_document) {
        throw template_failure.value_or(error(ErrorKind::server, "list scan templates", "no answer"));
      }
    }
    auto uuid = template_uuid(*templates_document, name);
    if (!uuid) {
      throw error(ErrorKind::client, "list scan templates", "no scan template named '" + name + "'");
    }
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
    bool refused_before = false;
    for (int round = 0;; ++round) {
      Call create{"POST", "/scans", body, what};
      create.scan_control = true;
      create.refused_before = refused_before;
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
      if (!failure.request_sent || failure.error.kind() == ErrorKind::api_disabled) {
        throw failure.error;
      }
      refused_before = failure.refused_by_close;
      // The response was lost (or the connection closed as a refusal): the scan may exist.
      // Look it up by its unique name and create again only when it certainly does not.
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

  static Call scan_control_call(std::string method, std::string target, std::string body, std::string what) {
    Call control{std::move(method), std::move(target), std::move(body), std::move(what)};
    control.scan_control = true;
    control.retry_after_refusal = true;
    return control;
  }

  asio::awaitable<std::string> launch_scan(std::int64_t scan_id) {
    const std::string what = "launch scan " + std::to_string(scan_id);
    const Call launch = scan_control_call("POST", scan_path(scan_id) + "/launch", "{}", what);
    auto result = co_await call(launch);
    if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && reply->ok()) {
      auto run_uuid = json_string(member(parse_ok(*reply, what), "scan_uuid"));
      if (run_uuid.empty()) {
        throw error(ErrorKind::server, what, "response without scan_uuid", reply->status);
      }
      co_return run_uuid;
    }
    if (auto* failure = std::get_if<CallFailure>(&result); failure != nullptr && failure->error.kind() == ErrorKind::api_disabled) {
      throw failure->error;
    }
    const std::optional<core::Error> problem = refused_while_active_or_lost(result, what);
    // Refused as possibly already running, or the answer was lost: adopt an active run.
    const auto reread = "read scan " + std::to_string(scan_id) + " after launch";
    const auto details = co_await read_scan(scan_id, reread);
    const auto run_uuid = current_run_uuid_of(details);
    if (is_active_status(details.status) && !run_uuid.empty()) {
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
    const Call stop = scan_control_call("POST", scan_path(scan_id) + "/stop", "{}", what);
    auto result = co_await call(stop);
    if (auto* reply = std::get_if<Reply>(&result)) {
      if (reply->ok() || reply->status == 409) {
        co_return;
      }
      throw http_error(*reply, what);
    }
    auto& failure = std::get<CallFailure>(result);
    if (!failure.request_sent || failure.error.kind() == ErrorKind::api_disabled) {
      throw failure.error;
    }
    const auto details = co_await read_scan(scan_id, what);
    if (details.status == "stopping" || !is_active_status(details.status)) {
      co_return;
    }
    throw failure.error;
  }

  asio::awaitable<void> delete_scan(std::int64_t scan_id) {
    const std::string what = "delete scan " + std::to_string(scan_id);
    const Call remove = scan_control_call("DELETE", scan_path(scan_id), {}, what);
    auto result = co_await call(remove);
    if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && (reply->ok() || reply->status == 404)) {
      co_return;
    }
    if (auto* failure = std::get_if<CallFailure>(&result); failure != nullptr && failure->error.kind() == ErrorKind::api_disabled) {
      throw failure->error;
    }
    const std::optional<core::Error> problem = refused_while_active_or_lost(result, what);
    // Refused (409/500 mean "still active" on Nessus) or the answer was lost: look again.
    const auto reread = co_await get_scan(scan_id, what);
    if (reread.status == 404) {
      co_return;
    }
    const auto details = details_of(reread, what);
    if (is_active_status(details.status)) {
      throw error(ErrorKind::conflict, what, "the scan is still " + details.status, problem->http_status());
    }
    throw *problem;
  }

  // POST /scans/{id}/export until the scanner takes it: 409 ("Can not export running
  // scans") means the run is not finished yet, so it is asked again until the deadline.
  asio::awaitable<std::int64_t> start_export(std::int64_t scan_id, const std::string& what, Clock::time_point deadline) {
    const json request = {{"format", "nessus"}};
    const Call start{"POST", scan_path(scan_id) + "/export", request.dump(), what, true, true};
    auto delay = kExportPollFirst;
    for (;;) {
      auto started = take(co_await call(start));
      if (started.status != 409) {
        const auto file = json_integer(member(parse_ok(started, what), "file"));
        if (file <= 0) {
          throw error(ErrorKind::server, what, "response without a file id", started.status);
        }
        co_return file;
      }
      const auto now = Clock::now();
      if (now >= deadline) {
        throw error(ErrorKind::timeout, what, "the scanner still refuses to export a running scan (HTTP 409)", 409);
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      if (!co_await pause(std::min(delay, left))) {
        throw error(ErrorKind::network, what, "cancelled");
      }
      delay = std::min(delay * 2, kExportPollMax);
    }
  }

  // The scanner's way of saying an export failed: the status poll answers 500 with
  // {"status":"error"} (or 200 with it), and afterwards its file id answers 404. A new
  // export (a new file id) may succeed; the error is transient for that reason.
  core::Error export_failed(std::string_view what, std::int64_t file, const Reply& reply) const {
    return error(ErrorKind::server, what,
                 "the scanner reports export file " + std::to_string(file) + " failed (HTTP " +
                     std::to_string(reply.status) + "); a new export is needed",
                 reply.status);
  }

  asio::awaitable<std::uint64_t> export_to_file(std::int64_t scan_id, const std::filesystem::path& destination,
                                                std::uint64_t max_bytes, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const auto id = std::to_string(scan_id);
    const std::string what = "export scan " + id;
    const auto file = co_await start_export(scan_id, what, deadline);
    const auto file_path = scan_path(scan_id) + "/export/" + std::to_string(file);
    const auto status_what = what + " (status)";
    Call poll{"GET", file_path + "/status", {}, status_what, true, true};
    poll.server_error_is_answer = true;
    auto delay = kExportPollFirst;
    for (;;) {
      auto reply = take(co_await call(poll));
      const auto status = json_string(member(json::parse(reply.body, nullptr, false), "status"));
      if (status == "error" || reply.status == 404) {
        throw export_failed(what, file, reply);
      }
      if (!reply.ok()) {
        throw http_error(reply, status_what);
      }
      if (status == "ready") {
        break;
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
    if (reply.status == 404) {
      throw export_failed(download, file, reply);  // a file id that was ready is gone
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
    // Nessus answers 200 with an empty body or `null`; neither is read.
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
  const auto what = "read scan " + std::to_string(scan_id);
  const auto details = co_await impl_->read_scan(scan_id, what);
  co_return run_state_of(details, run_uuid);
}

asio::awaitable<std::string> ScannerClient::current_run_uuid(std::int64_t scan_id) {
  const auto what = "read scan " + std::to_string(scan_id);
  const auto details = co_await impl_->read_scan(scan_id, what);
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
