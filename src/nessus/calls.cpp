// The call layer of the Nessus client: retries, re-logins, token refetches and error
// mapping around one REST call; see calls.hpp.
#include "nessus/calls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "nessus/protocol.hpp"
#include "nessus/session.hpp"
#include "telemetry/log.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;
using core::ErrorKind;
using nlohmann::json;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

const std::string kScanControlRefused =
    "scan control through the API is refused: the scanner closed the connection without an answer again after "
    "the X-API-Token was fetched anew; set api_token in scanners.yaml to the web UI's X-API-Token";

TlsSettings tls_settings_of(const config::ScannerConfig& scanner) {
  TlsSettings tls;
  tls.verify = scanner.verify_ssl;
  tls.ca_file = scanner.ca_file;
  if (!scanner.tls_fingerprint_sha256.empty()) {
    tls.pinned_sha256 = normalize_fingerprint(scanner.tls_fingerprint_sha256);
    if (tls.pinned_sha256.empty()) {
      throw core::Error(ErrorKind::bad_input,
                        "scanner " + scanner.instance_id + ": tls_fingerprint_sha256 is not 64 hex digits");
    }
  }
  return tls;
}

}  // namespace

std::string scan_path(std::int64_t scan_id) { return "/scans/" + std::to_string(scan_id); }

Calls::Calls(asio::any_io_executor executor, const config::ScannerConfig& scanner, const ClientOptions& options,
             Session& session)
    : executor_(executor),
      scanner_(scanner),
      options_(options),
      session_(session),
      transport_(executor, parse_base_url(scanner.url), tls_settings_of(scanner), options.request_timeout,
                 static_cast<std::size_t>(scanner.max_connections)) {
  if (parse_base_url(scanner.url).tls && !scanner.verify_ssl && scanner.tls_fingerprint_sha256.empty()) {
    telemetry::log_warning("TLS certificate verification is off for this scanner", log_fields());
  }
}

json Calls::log_fields() const { return {{"scanner", scanner_.instance_id}, {"pool", scanner_.pool}}; }

core::Error Calls::error(ErrorKind kind, std::string_view what, std::string_view reason, int status) const {
  return core::Error(
      kind, "nessus scanner " + scanner_.instance_id + ": " + std::string(what) + ": " + std::string(reason), status);
}

core::Error Calls::http_error(const Reply& reply, std::string_view what) const {
  std::string reason = "HTTP " + std::to_string(reply.status);
  if (const auto text = error_text(reply.body); !text.empty()) {
    reason += " (" + text + ")";
  } else if (!reply.body_complete) {
    reason += " (connection closed before the body)";
  }
  return error(error_kind_for_status(reply.status), what, reason, reply.status);
}

HttpRequest Calls::request_for(const Call& call) const {
  HttpRequest request{call.method, call.target, {}, call.body, call.max_body_bytes};
  session_.add_headers(request, call.authenticated);
  return request;
}

void Calls::report_request(const Call& call, const ExchangeResult& exchanged,
                           std::chrono::steady_clock::time_point started) const {
  if (!options_.on_request) return;
  const auto* response = std::get_if<HttpResponse>(&exchanged);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  options_.on_request(endpoint_label(call.method, call.target), response ? response->status : 0, seconds);
}

asio::awaitable<bool> Calls::pause(std::chrono::milliseconds delay) {
  asio::steady_timer timer(executor_, delay);
  auto [ec] = co_await timer.async_wait(use_tuple);
  co_return !ec;
}

// True when GET /server/status gets an HTTP answer (the scanner is up).
asio::awaitable<bool> Calls::server_answers() {
  const HttpRequest probe{"GET", "/server/status", {}, {}};
  const auto exchanged = co_await transport_.exchange(probe);
  co_return std::holds_alternative<HttpResponse>(exchanged);
}

asio::awaitable<CallResult> Calls::call(const Call& call) {
  int attempt = 0;
  bool relogged = false;
  bool token_refetched = false;
  bool refused_by_close = call.refused_before;
  auto delay = options_.retry_base_delay;
  // One co_return at the end: GCC 12 destroys variants twice on some early co_return paths.
  std::optional<CallResult> outcome;
  while (!outcome) {
    if (call.authenticated) {
      auto auth_failure = co_await session_.ensure_authenticated();
      if (auth_failure) {
        outcome.emplace(std::move(*auth_failure));
        break;
      }
    }
    const auto generation = session_.generation();
    const auto token_generation = session_.api_token_generation();
    const auto request = request_for(call);
    const auto exchange_started = std::chrono::steady_clock::now();
    auto exchanged = co_await transport_.exchange(request, call.sink);
    report_request(call, exchanged, exchange_started);
    bool retry = false;
    if (auto* failure = std::get_if<TransportFailure>(&exchanged)) {
      const bool maybe_refused =
          call.scan_control && failure->closed_before_response && scanner_.api_token_mode != config::ApiTokenMode::none;
      bool refused = false;
      if (maybe_refused) {
        refused = co_await server_answers();
      }
      if (refused && (refused_by_close || scanner_.api_token_mode == config::ApiTokenMode::fixed)) {
        outcome.emplace(CallFailure{error(ErrorKind::api_disabled, call.what, kScanControlRefused), true, true});
      } else if (refused) {
        refused_by_close = true;
        telemetry::log_warning("the scanner closed the connection on scan control; fetching the X-API-Token again",
                               log_fields());
        co_await session_.refresh_api_token(token_generation);
        if (!call.retry_after_refusal) {
          outcome.emplace(CallFailure{error(failure->kind, call.what, failure->reason), true, true});
        }
      } else if (!call.idempotent || !failure->retryable || attempt >= options_.read_retries) {
        outcome.emplace(CallFailure{error(failure->kind, call.what, failure->reason), failure->request_sent});
      } else {
        retry = true;
      }
    } else {
      auto& response = std::get<HttpResponse>(exchanged);
      if (response.status == 401 && call.authenticated && call.may_relogin && !scanner_.uses_api_keys() && !relogged) {
        relogged = true;
        session_.drop(generation);
        telemetry::log_info("session refused; logging in again", log_fields());
      } else if (response.status == 412 && scanner_.api_token_mode == config::ApiTokenMode::auto_fetch &&
                 !token_refetched) {
        token_refetched = true;
        co_await session_.refresh_api_token(token_generation);
      } else if (response.status >= 500 && call.idempotent && !call.server_error_is_answer &&
                 attempt < options_.read_retries) {
        retry = true;
      } else {
        outcome.emplace(
            Reply{response.status, std::move(response.body), response.body_complete, response.aborted_by_sink});
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

Reply Calls::take(CallResult result) {
  if (auto* failure = std::get_if<CallFailure>(&result)) {
    throw failure->error;
  }
  return std::get<Reply>(std::move(result));
}

json Calls::parse_ok(const Reply& reply, std::string_view what) const {
  if (!reply.ok()) {
    throw http_error(reply, what);
  }
  auto document = json::parse(reply.body, nullptr, false);
  if (document.is_discarded()) {
    throw error(ErrorKind::server, what, "response is not JSON", reply.status);
  }
  return document;
}

asio::awaitable<json> Calls::get_json(const std::string& target, const std::string& what) {
  const Call get{"GET", target, {}, what, true, true};
  auto reply = take(co_await call(get));
  co_return parse_ok(reply, what);
}

}  // namespace sw::nessus
