// The call layer of the Nessus client: one REST call as the scanner sees it, sent through
// the HTTP transport with the session's headers, retried the way its kind allows (reads with
// backoff on network errors and 5xx, one new login on a 401, one new X-API-Token on a 412 or
// on scan control refused by a closed connection), and turned into a reply or a failure
// whose message names the scanner, the call and why (never a secret). Session and
// ScanControl build on it; see docs/nessus-api.md for the server behaviours it meets.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "config/scanners.hpp"
#include "core/errors.hpp"
#include "nessus/http_transport.hpp"
#include "nessus/scanner_api.hpp"

namespace sw::nessus {

class Session;

struct Call {
  std::string method;
  std::string target;
  std::string body;
  std::string what;  // the call, for messages
  bool authenticated = true;
  bool idempotent = false;  // retried with backoff on network errors and 5xx
  bool may_relogin = true;  // a 401 drops the session, logs in again and retries once
  // Receives the body of a 200 response instead of Reply::body; such a response is the
  // answer (never retried: its bytes are in the sink).
  BodySink* sink = nullptr;
  bool server_error_is_answer = false;  // a 5xx is returned as the reply, not retried
  // Scan control (create, launch, stop, delete) that Nessus gates with the X-API-Token. A
  // connection closed before any response byte while the server answers GET /server/status
  // is taken as a refusal (Nessus 10.8): the token is fetched again and, with
  // retry_after_refusal, the call is sent once more; a second refusal is api_disabled.
  bool scan_control = false;
  bool retry_after_refusal = false;
  bool refused_before = false;  // an earlier attempt of this operation was refused that way
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
  bool request_sent = false;      // the server may have acted on the request
  bool refused_by_close = false;  // scan control refused by closing; the token was fetched again
};

using CallResult = std::variant<Reply, CallFailure>;

// "/scans/{id}".
std::string scan_path(std::int64_t scan_id);

class Calls {
 public:
  // `session` supplies the headers and the logins; it may be constructed after this object.
  // Throws core::Error(bad_input) for a bad URL, TLS fingerprint or CA file.
  Calls(boost::asio::any_io_executor executor, const config::ScannerConfig& scanner, const ClientOptions& options,
        Session& session);

  boost::asio::awaitable<CallResult> call(const Call& call);

  // The reply of a call, or its failure thrown.
  static Reply take(CallResult result);
  // The JSON body of a 2xx reply; otherwise the HTTP error, or Error(server) for a body
  // that is not JSON.
  nlohmann::json parse_ok(const Reply& reply, std::string_view what) const;
  // An authenticated, retried GET whose 2xx JSON body is returned.
  boost::asio::awaitable<nlohmann::json> get_json(const std::string& target, const std::string& what);

  // "nessus scanner <instance>: <what>: <reason>".
  core::Error error(core::ErrorKind kind, std::string_view what, std::string_view reason, int status = 0) const;
  // The error of a reply that is not the answer wanted: its status, kind and error text.
  core::Error http_error(const Reply& reply, std::string_view what) const;

  // Waits `delay`; false when cancelled.
  boost::asio::awaitable<bool> pause(std::chrono::milliseconds delay);

  // The scanner and pool, for log lines.
  nlohmann::json log_fields() const;
  const config::ScannerConfig& scanner() const { return scanner_; }
  const ClientOptions& options() const { return options_; }

 private:
  HttpRequest request_for(const Call& call) const;
  void report_request(const Call& call, const ExchangeResult& exchanged,
                      std::chrono::steady_clock::time_point started) const;
  boost::asio::awaitable<bool> server_answers();

  boost::asio::any_io_executor executor_;
  const config::ScannerConfig& scanner_;
  const ClientOptions& options_;
  Session& session_;
  HttpTransport transport_;
};

}  // namespace sw::nessus
