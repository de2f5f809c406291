// HTTP/1.1 transport of the Nessus client: keep-alive connections to one base URL (plain TCP
// or TLS with verification, SNI, host-name check and optional SHA-256 pinning of the leaf
// certificate; a failed check names the scanners.yaml setting that fixes it), at most `max_connections` exchanges at
// once (the others wait their turn, in order, before their deadline starts), a deadline on every exchange, and failures
// returned as values that say how far the exchange got (nothing sent / request sent / status received). Used by one
// event loop.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/errors.hpp"
#include "nessus/protocol.hpp"

namespace sw::nessus {

struct TlsSettings {
  bool verify = false;        // verify the chain (system store or ca_file) and the host name
  std::string ca_file;        // empty: the system store
  std::string pinned_sha256;  // normalized hex; empty: no pin
};

struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string target;  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                               // sent with Content-Type: application/json when not empty
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // a larger body (not streamed to a sink) fails the exchange
};

// Receives the body of a 200 response chunk by chunk instead of a string (downloads).
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The next chunk (valid during the call); the next read waits for the answer. False
  // aborts the exchange.
  virtual boost::asio::awaitable<bool> write(std::string_view chunk) = 0;
};

struct HttpResponse {
  int status = 0;
  std::string body;           // empty when the body went to a sink
  bool body_complete = true;  // false when the connection dropped after the headers
  bool aborted_by_sink = false;
};

struct TransportFailure {
  // network or timeout; bad_input for a certificate that fails verification or its pin (a
  // setting must change, retrying cannot help); client for a body over max_body_bytes.
  core::ErrorKind kind = core::ErrorKind::network;
  std::string reason;
  bool request_sent = false;            // the server may have acted on the request
  bool retryable = true;                // false for TLS verification, a too-large body or a cancellation
  bool closed_before_response = false;  // the request went out; the server closed without a response byte
};

using ExchangeResult = std::variant<HttpResponse, TransportFailure>;

class HttpTransport {
 public:
  // Throws core::Error(bad_input) when the CA file cannot be loaded.
  HttpTransport(boost::asio::any_io_executor executor, BaseUrl base, TlsSettings tls, std::chrono::milliseconds timeout,
                std::size_t max_connections);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // One request and its response on an idle connection or a new one, once fewer than
  // max_connections exchanges are under way. With a sink, the body of a 200 response is
  // streamed to it and the deadline applies to each read.
  boost::asio::awaitable<ExchangeResult> exchange(const HttpRequest& request, BodySink* sink = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sw::nessus
