// HTTP/1.1 transport of the Nessus client; see http_transport.hpp.
#include "nessus/http_transport.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <optional>
#include <vector>

#include "coro/event.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t kChunkSize = 64 * 1024;

using TlsStream = ssl::stream<beast::tcp_stream>;

struct Connection {
  // Beast reads as much as the buffer has room for (at least 512 bytes): an unreserved
  // buffer reads a large body 512 bytes at a time, one system call each.
  Connection() { buffer.reserve(kChunkSize); }

  std::optional<beast::tcp_stream> plain;
  std::optional<TlsStream> secure;
  beast::flat_buffer buffer;
  // Where each piece of a response body lands, kept with the connection (one request at a
  // time): not allocated and cleared for every request.
  std::vector<char> body_chunk = std::vector<char>(kChunkSize);

  tcp::socket& socket() { return secure ? secure->next_layer().socket() : plain->socket(); }
  beast::tcp_stream& lowest() { return secure ? secure->next_layer() : *plain; }

  // True when an idle connection has something to read: the peer closed it (or sent data
  // nobody asked for); either way it cannot carry the next request.
  bool stale() {
    if (buffer.size() > 0) {
      return true;
    }
    pollfd descriptor{socket().native_handle(), POLLIN, 0};
    return ::poll(&descriptor, 1, 0) != 0;
  }
};

TransportFailure failure_of(const boost::system::error_code& ec, std::string_view step, bool request_sent) {
  TransportFailure failure;
  failure.request_sent = request_sent;
  if (ec == beast::error::timeout) {
    failure.kind = core::ErrorKind::timeout;
    failure.reason = std::string(step) + " timed out";
  } else {
    failure.reason = std::string(step) + " failed: " + ec.message();
  }
  if (ec == asio::error::operation_aborted) {
    failure.reason = std::string(step) + " cancelled";
    failure.retryable = false;
  }
  return failure;
}

std::string leaf_fingerprint(SSL* session) {
  X509* certificate = SSL_get1_peer_certificate(session);
  if (certificate == nullptr) {
    return {};
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  const bool ok = X509_digest(certificate, EVP_sha256(), digest.data(), &length) == 1;
  X509_free(certificate);
  if (!ok) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

// A certificate check that failed: what failed, and the setting that fixes it.
TransportFailure verification_failure(std::string reason) {
  TransportFailure failure;
  failure.kind = core::ErrorKind::bad_input;
  failure.reason = std::move(reason);
  failure.retryable = false;
  return failure;
}

TransportFailure chain_failure(long verify_result, const std::string& host, const TlsSettings& tls) {
  const std::string why = X509_verify_cert_error_string(verify_result);
  if (verify_result == X509_V_ERR_HOSTNAME_MISMATCH || verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return verification_failure("TLS certificate does not match the host name '" + host +
                                "': use the name the certificate was issued for in url, pin the certificate "
                                "with tls_fingerprint_sha256, or set verify_ssl: false");
  }
  const std::string trusted_by = tls.ca_file.empty() ? "the system CA store" : "ca_file " + tls.ca_file;
  return verification_failure("TLS certificate of '" + host + "' is not trusted by " + trusted_by + " (" + why +
                              "): set ca_file to the CA that signed it, pin it with tls_fingerprint_sha256, "
                              "or set verify_ssl: false");
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

http::verb verb_of(const std::string& method) {
  const auto verb = http::string_to_verb(method);
  return verb == http::verb::unknown ? http::verb::get : verb;
}

}  // namespace

struct HttpTransport::State {
  asio::any_io_executor executor;
  BaseUrl base;
  TlsSettings tls;
  std::chrono::milliseconds timeout;
  std::optional<ssl::context> tls_context;
  std::vector<std::unique_ptr<Connection>> idle;
  std::size_t max_connections = 1;
  std::size_t busy = 0;  // exchanges under way (each holds one connection)

  // An exchange waiting for its turn; the one that frees a turn hands it over directly.
  struct Turn {
    explicit Turn(const asio::any_io_executor& executor) : granted(executor) {}
    coro::Event granted;
  };
  std::deque<Turn*> waiting;

  asio::awaitable<void> take_turn() {
    if (busy < max_connections && waiting.empty()) {
      ++busy;
      co_return;
    }
    Turn turn(executor);
    waiting.push_back(&turn);
    struct Unqueue {  // a waiter destroyed before its turn leaves the queue
      State& state;
      Turn& turn;
      ~Unqueue() {
        if (!turn.granted.is_set()) std::erase(state.waiting, &turn);
      }
    } unqueue{*this, turn};
    while (!turn.granted.is_set()) {
      co_await turn.granted.wait();
    }
  }

  void end_turn() {
    if (waiting.empty()) {
      --busy;
      return;
    }
    Turn* next = waiting.front();
    waiting.pop_front();
    next->granted.set();
  }

  std::string host_header() const {
    const bool ipv6 = base.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + base.host + "]" : base.host) + ":" + base.port;
  }

  asio::awaitable<std::variant<std::unique_ptr<Connection>, TransportFailure>> connect() {
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(base.host, base.port, use_tuple);
    if (resolve_ec) {
      co_return failure_of(resolve_ec, "resolving " + base.host, false);
    }
    auto connection = std::make_unique<Connection>();
    if (tls_context) {
      connection->secure.emplace(executor, *tls_context);
    } else {
      connection->plain.emplace(executor);
    }
    auto& stream = connection->lowest();
    stream.expires_after(timeout);
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
    if (connect_ec) {
      co_return failure_of(connect_ec, "connecting to " + host_header(), false);
    }
    if (!connection->secure) {
      co_return connection;
    }
    auto& secure = *connection->secure;
    if (!is_ip_literal(base.host)) {
      SSL_set_tlsext_host_name(secure.native_handle(), base.host.c_str());
    }
    if (tls.verify) {
      // OpenSSL's own host check, so that a mismatch shows in the verify result.
      X509_VERIFY_PARAM* parameters = SSL_get0_param(secure.native_handle());
      if (is_ip_literal(base.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(parameters, base.host.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(parameters, base.host.c_str(), base.host.size());
      }
    }
    auto [handshake_ec] = co_await secure.async_handshake(ssl::stream_base::client, use_tuple);
    if (handshake_ec) {
      const long verify_result = SSL_get_verify_result(secure.native_handle());
      if (tls.verify && verify_result != X509_V_OK) {
        co_return chain_failure(verify_result, base.host, tls);
      }
      co_return failure_of(handshake_ec, "TLS handshake with " + host_header(), false);
    }
    if (!tls.pinned_sha256.empty()) {
      const auto actual = leaf_fingerprint(secure.native_handle());
      if (!fingerprint_matches(tls.pinned_sha256, actual)) {
        co_return verification_failure("TLS certificate fingerprint mismatch: the server's certificate has sha256 " +
                                       actual +
                                       ", not the tls_fingerprint_sha256 of scanners.yaml; update "
                                       "tls_fingerprint_sha256 if the certificate was replaced");
      }
    }
    co_return connection;
  }

  std::unique_ptr<Connection> take_idle() {
    while (!idle.empty()) {
      auto connection = std::move(idle.back());
      idle.pop_back();
      if (!connection->stale()) {
        return connection;
      }
    }
    return nullptr;
  }

  void give_back(std::unique_ptr<Connection> connection) {
    if (idle.size() < max_connections) {
      idle.push_back(std::move(connection));
    }
  }

  template <typename Stream>
  asio::awaitable<ExchangeResult> run(Stream& stream, Connection& connection, const HttpRequest& request,
                                      BodySink* sink, bool& reusable) {
    http::request<http::string_body> message{verb_of(request.method), request.target, 11};
    message.set(http::field::host, host_header());
    message.set(http::field::user_agent, "scanner-worker");
    message.set(http::field::accept, "application/json");
    for (const auto& [name, value] : request.headers) {
      message.set(name, value);
    }
    if (!request.body.empty()) {
      message.set(http::field::content_type, "application/json");
      message.body() = request.body;
    }
    message.keep_alive(true);
    message.prepare_payload();

    connection.lowest().expires_after(timeout);
    auto [write_ec, written] = co_await http::async_write(stream, message, use_tuple);
    if (write_ec) {
      co_return failure_of(write_ec, "sending " + request.method + " " + request.target, true);
    }

    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    auto [header_ec, header_bytes] = co_await http::async_read_header(stream, connection.buffer, parser, use_tuple);
    if (header_ec) {
      auto failure = failure_of(header_ec, "reading the response to " + request.method + " " + request.target, true);
      failure.closed_before_response =
          !parser.got_some() &&
          (header_ec == http::error::end_of_stream || header_ec == asio::error::eof ||
           header_ec == asio::error::connection_reset || header_ec == ssl::error::stream_truncated);
      co_return failure;
    }
    HttpResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    const bool streaming = sink != nullptr && response.status == 200;
    std::vector<char>& chunk = connection.body_chunk;
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      if (streaming) {
        connection.lowest().expires_after(timeout);
      }
      auto [read_ec, read_bytes] = co_await http::async_read(stream, connection.buffer, parser, use_tuple);
      if (read_ec == http::error::need_buffer) {
        read_ec = {};
      }
      const auto filled = chunk.size() - parser.get().body().size;
      const std::string_view data(chunk.data(), filled);
      if (streaming) {
        bool accepted = true;
        if (!data.empty()) {
          accepted = co_await sink->write(data);
        }
        if (!accepted) {
          response.aborted_by_sink = true;
          co_return response;
        }
      } else if (response.body.size() + data.size() > request.max_body_bytes) {
        TransportFailure failure;
        failure.kind = core::ErrorKind::client;
        failure.reason = "the response to " + request.method + " " + request.target + " is larger than " +
                         std::to_string(request.max_body_bytes) + " bytes; refused";
        failure.request_sent = true;
        failure.retryable = false;
        co_return failure;
      } else {
        response.body.append(data);
      }
      if (read_ec) {
        if (read_ec == asio::error::operation_aborted) {
          co_return failure_of(read_ec, "reading the response to " + request.target, true);
        }
        response.body_complete = false;  // the status stands (a 412 whose body was dropped)
        co_return response;
      }
    }
    reusable = parser.get().keep_alive();
    co_return response;
  }
};

HttpTransport::HttpTransport(asio::any_io_executor executor, BaseUrl base, TlsSettings tls,
                             std::chrono::milliseconds timeout, std::size_t max_connections)
    : state_(std::make_unique<State>()) {
  state_->executor = std::move(executor);
  state_->max_connections = std::max<std::size_t>(1, max_connections);
  state_->base = std::move(base);
  state_->tls = std::move(tls);
  state_->timeout = timeout;
  if (!state_->base.tls) {
    return;
  }
  auto& context = state_->tls_context.emplace(ssl::context::tls_client);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (!state_->tls.verify) {
    context.set_verify_mode(ssl::verify_none);
    return;
  }
  boost::system::error_code ec;
  if (state_->tls.ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(state_->tls.ca_file, ec);
  }
  if (ec) {
    throw core::Error(core::ErrorKind::bad_input,
                      "cannot load the CA certificates " + state_->tls.ca_file + ": " + ec.message());
  }
  context.set_verify_mode(ssl::verify_peer);
}

HttpTransport::~HttpTransport() = default;

asio::awaitable<ExchangeResult> HttpTransport::exchange(const HttpRequest& request, BodySink* sink) {
  co_await state_->take_turn();
  struct EndTurn {
    State& state;
    ~EndTurn() { state.end_turn(); }
  } end_turn{*state_};
  auto connection = state_->take_idle();
  if (!connection) {
    auto connected = co_await state_->connect();
    if (auto* failure = std::get_if<TransportFailure>(&connected)) {
      co_return std::move(*failure);
    }
    connection = std::move(std::get<std::unique_ptr<Connection>>(connected));
  }
  bool reusable = false;
  // if/else rather than ?: with a co_await in each branch, which GCC 12 miscompiles.
  ExchangeResult result;
  if (connection->secure) {
    result = co_await state_->run(*connection->secure, *connection, request, sink, reusable);
  } else {
    result = co_await state_->run(*connection->plain, *connection, request, sink, reusable);
  }
  if (reusable) {
    connection->lowest().expires_never();
    state_->give_back(std::move(connection));
  }
  co_return result;
}

}  // namespace sw::nessus
