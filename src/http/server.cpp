// Implementation of the HTTP/1.1 server: an accept loop (with the connection cap and the
// accept backoff) and one coroutine per connection, both owned by the Server's shared state
// and ended by stop() (which closes the listener, its backoff timer and the sockets).
#include "http/server.hpp"

#include <sys/resource.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <optional>

#include "core/errors.hpp"
#include "telemetry/log.hpp"
#include "telemetry/rate_limited_log.hpp"

namespace sw::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto tls_shutdown_timeout = std::chrono::seconds(2);
constexpr std::size_t max_default_connections = 256;
constexpr auto first_accept_backoff = std::chrono::milliseconds(10);
constexpr auto max_accept_backoff = std::chrono::milliseconds(1000);
// Refused connections and accept errors can come thousands a second: one line per interval.
constexpr auto repeated_log_interval = std::chrono::seconds(10);

// The listening socket and the timer of its accept backoff, both closed by stop().
struct Listener {
  explicit Listener(asio::io_context& io) : acceptor(io), backoff_timer(io) {}
  tcp::acceptor acceptor;
  asio::steady_timer backoff_timer;
  std::string name;  // "address:port", for log lines
};

}  // namespace

struct Server::State {
  State(asio::io_context& io_context, ServerOptions server_options, Handler request_handler)
      : io(io_context), options(std::move(server_options)), handler(std::move(request_handler)) {}

  asio::io_context& io;
  ServerOptions options;
  Handler handler;
  std::shared_ptr<Listener> listener;
  // One entry per connection whose session runs: closes its socket (used by stop()).
  std::list<std::function<void()>> closers;
  // open_connections counts the connections accepted and not yet ended, sessions not yet
  // started included (the cap applies to it).
  ListenerStats stats;
  telemetry::RateLimitedLog accept_failed_log{telemetry::LogLevel::warning, "http accept failed; backing off",
                                              repeated_log_interval};
  telemetry::RateLimitedLog refused_log{telemetry::LogLevel::warning,
                                        "http connection refused: connection limit reached", repeated_log_interval};
};

namespace {

beast::tcp_stream& lowest_layer(beast::tcp_stream& stream) { return stream; }
beast::tcp_stream& lowest_layer(beast::ssl_stream<beast::tcp_stream>& stream) { return stream.next_layer(); }

// A lingering close, after a refusal sent before the request was read whole (413, 431): the
// write side first, then what the client still sends is read and dropped for a moment (1 s,
// 16 MiB at most). Closing at once with unread bytes would reset the connection, and the
// client could lose the refusal before reading it.
template <typename Stream>
asio::awaitable<void> close_lingering(Stream& stream) {
  beast::tcp_stream& tcp = lowest_layer(stream);
  boost::system::error_code ignored;
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  tcp.expires_after(std::chrono::seconds(1));
  std::array<char, 16384> sink;
  for (std::size_t drained = 0; drained < (std::size_t{16} << 20);) {
    auto [ec, bytes] = co_await tcp.async_read_some(asio::buffer(sink), use_nothrow);
    if (ec) break;
    drained += bytes;
  }
}

void close_socket(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

template <typename Stream>
class SessionConnection final : public Connection {
 public:
  SessionConnection(Stream& stream, const Server::State& state, const Request& request)
      : stream_(stream), state_(state), version_(request.version()), request_keep_alive_(request.keep_alive()) {}

  bool answered() const { return answered_; }
  bool closed() const { return closed_; }
  bool keep_alive() const { return keep_alive_; }

  asio::awaitable<bool> send(Response response) override {
    answered_ = true;
    prepare_head(response);
    response.prepare_payload();
    lowest_layer(stream_).expires_after(state_.options.write_timeout);
    auto [ec, bytes] = co_await bhttp::async_write(stream_, response, use_nothrow);
    (void)bytes;
    if (ec) {
      keep_alive_ = false;
      co_return false;
    }
    co_return true;
  }

  asio::awaitable<bool> send_stream(ResponseHead head, BodyProducer producer, std::size_t bytes_per_second) override {
    AsyncBodyProducer next = [&producer](std::string& out) -> asio::awaitable<bool> { co_return producer(out); };
    co_return co_await stream_body(std::move(head), std::move(next), bytes_per_second);
  }

  asio::awaitable<bool> send_async_stream(ResponseHead head, AsyncBodyProducer producer) override {
    co_return co_await stream_body(std::move(head), std::move(producer), 0);
  }

  // The chunked body of send_stream and send_async_stream. Unpaced: each piece the producer
  // yields is one chunk. Paced: a slice of the rate per tick, from the pieces produced so far
  // (never more than one slice ahead of the peer). The write deadline applies to each write,
  // not to the producer's waits.
  asio::awaitable<bool> stream_body(ResponseHead head, AsyncBodyProducer producer, std::size_t bytes_per_second) {
    answered_ = true;
    prepare_head(head);
    head.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    lowest_layer(stream_).expires_after(state_.options.write_timeout);
    auto [head_ec, head_bytes] = co_await bhttp::async_write_header(stream_, serializer, use_nothrow);
    (void)head_bytes;
    if (head_ec) {
      keep_alive_ = false;
      co_return false;
    }
    const bool paced = bytes_per_second > 0;
    const std::size_t slice =
        paced ? std::max<std::size_t>(1, bytes_per_second / kPacedWritesPerSecond) : std::size_t{1};
    asio::steady_timer pace(stream_.get_executor());
    auto next_write = std::chrono::steady_clock::now();
    std::string pending;
    std::size_t offset = 0;  // bytes of `pending` already sent
    bool more = true;
    while (true) {
      if (more && pending.size() - offset < slice) {
        pending.erase(0, offset);
        offset = 0;
        lowest_layer(stream_).expires_never();  // the producer may wait for its next piece
        auto step = producer(pending);
        more = co_await std::move(step);
        continue;
      }
      if (offset == pending.size()) {
        break;
      }
      std::size_t size = pending.size() - offset;
      if (paced) {
        size = std::min(size, slice);
        pace.expires_at(next_write);
        auto [wait_ec] = co_await pace.async_wait(use_nothrow);
        if (wait_ec) {
          keep_alive_ = false;
          co_return false;
        }
        next_write += std::chrono::milliseconds(1000 / kPacedWritesPerSecond);
      }
      lowest_layer(stream_).expires_after(state_.options.write_timeout);
      auto [ec, bytes] = co_await asio::async_write(
          stream_, bhttp::make_chunk(asio::buffer(pending.data() + offset, size)), use_nothrow);
      (void)bytes;
      if (ec) {
        keep_alive_ = false;
        co_return false;
      }
      offset += size;
    }
    lowest_layer(stream_).expires_after(state_.options.write_timeout);
    auto [last_ec, last_bytes] = co_await asio::async_write(stream_, bhttp::make_chunk_last(), use_nothrow);
    (void)last_bytes;
    if (last_ec) {
      keep_alive_ = false;
      co_return false;
    }
    co_return true;
  }

  asio::awaitable<void> send_head_and_close(ResponseHead head) override {
    answered_ = true;
    head.version(version_);
    head.keep_alive(false);
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    lowest_layer(stream_).expires_after(state_.options.write_timeout);
    auto [ec, bytes] = co_await bhttp::async_write_header(stream_, serializer, use_nothrow);
    (void)ec;
    (void)bytes;
    reset();
  }

  void reset() override {
    answered_ = true;
    closed_ = true;
    keep_alive_ = false;
    close_socket(lowest_layer(stream_));
  }

 private:
  template <typename Message>
  void prepare_head(Message& message) {
    message.version(version_);
    if (!request_keep_alive_) {
      message.keep_alive(false);
    }
    keep_alive_ = message.keep_alive();
  }

  Stream& stream_;
  const Server::State& state_;
  unsigned version_;
  bool request_keep_alive_;
  bool answered_ = false;
  bool closed_ = false;
  bool keep_alive_ = true;
};

Response error_response(bhttp::status status, unsigned version) {
  Response response{status, version};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = R"({"error":")" + std::string(bhttp::obsolete_reason(status)) + "\"}";
  response.keep_alive(false);
  return response;
}

// Reads requests and hands them to the handler until the peer closes, a deadline passes, the
// handler closes the connection, or keep-alive ends.
template <typename Stream>
asio::awaitable<void> serve_requests(std::shared_ptr<Server::State> state, Stream& stream) {
  beast::flat_buffer buffer;
  while (true) {
    lowest_layer(stream).expires_after(state->options.read_timeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(state->options.header_limit, UINT32_MAX)));
    parser.body_limit(state->options.body_limit);
    auto [ec, bytes] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
    (void)bytes;
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
      Response refusal = error_response(ec == bhttp::error::body_limit ? bhttp::status::payload_too_large
                                                                       : bhttp::status::request_header_fields_too_large,
                                        parser.get().version());
      SessionConnection<Stream> connection(stream, *state, parser.get());
      co_await connection.send(std::move(refusal));
      co_await close_lingering(stream);
      co_return;
    }
    if (ec) {
      co_return;
    }
    const Request request = parser.release();
    SessionConnection<Stream> connection(stream, *state, request);
    std::exception_ptr failure;
    try {
      co_await state->handler(request, connection);
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        telemetry::log_error("http handler failed", {{"target", std::string(request.target())}, {"error", e.what()}});
      }
    }
    if (!connection.answered()) {
      Response failed = error_response(bhttp::status::internal_server_error, request.version());
      co_await connection.send(std::move(failed));
    }
    if (connection.closed() || !connection.keep_alive()) {
      co_return;
    }
  }
}

asio::awaitable<void> run_session(std::shared_ptr<Server::State> state, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  const auto closer = state->closers.insert(state->closers.end(), [&stream] { close_socket(stream); });
  co_await serve_requests(state, stream);
  close_socket(stream);
  state->closers.erase(closer);
}

asio::awaitable<void> run_tls_session(std::shared_ptr<Server::State> state, tcp::socket socket) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *state->options.tls);
  const auto closer = state->closers.insert(state->closers.end(), [&stream] { close_socket(stream.next_layer()); });
  stream.next_layer().expires_after(state->options.read_timeout);
  auto [handshake_ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_nothrow);
  if (!handshake_ec) {
    co_await serve_requests(state, stream);
    if (stream.next_layer().socket().is_open()) {
      stream.next_layer().expires_after(tls_shutdown_timeout);
      auto [shutdown_ec] = co_await stream.async_shutdown(use_nothrow);
      (void)shutdown_ec;
    }
  }
  close_socket(stream.next_layer());
  state->closers.erase(closer);
}

void log_session_end(std::exception_ptr failure) {
  if (!failure) {
    return;
  }
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    telemetry::log_error("http connection failed", {{"error", e.what()}});
  }
}

// Ends a connection's bookkeeping (whatever way its session ended) and logs a failure.
auto on_session_end(std::shared_ptr<Server::State> state) {
  return [state = std::move(state)](std::exception_ptr failure) {
    --state->stats.open_connections;
    log_session_end(failure);
  };
}

// Accepts until the listener closes. An accept error (EMFILE when the process is out of
// descriptors, ENFILE, ENOBUFS) waits accept_backoff_after(failures in a row) before the next
// try; a connection beyond max_connections is closed at once.
asio::awaitable<void> accept_connections(std::shared_ptr<Server::State> state, std::shared_ptr<Listener> listener) {
  std::uint64_t failures_in_a_row = 0;
  while (listener->acceptor.is_open()) {
    auto [ec, socket] = co_await listener->acceptor.async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted || !listener->acceptor.is_open()) {
      co_return;
    }
    if (ec) {
      ++state->stats.accept_failures;
      state->stats.accept_backoff = accept_backoff_after(++failures_in_a_row);
      state->accept_failed_log.log({{"listener", listener->name},
                                    {"error", ec.message()},
                                    {"retry_in_ms", state->stats.accept_backoff.count()}});
      listener->backoff_timer.expires_after(state->stats.accept_backoff);
      auto [wait_ec] = co_await listener->backoff_timer.async_wait(use_nothrow);
      (void)wait_ec;  // cancelled by stop(), which also closes the acceptor
      continue;
    }
    failures_in_a_row = 0;
    state->stats.accept_backoff = std::chrono::milliseconds(0);
    beast::error_code ignored;
    if (state->stats.open_connections >= state->options.max_connections) {
      ++state->stats.refused_connections;
      state->refused_log.log({{"listener", listener->name},
                              {"max_connections", state->options.max_connections},
                              {"refused_total", state->stats.refused_connections}});
      socket.close(ignored);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    ++state->stats.open_connections;
    if (state->options.tls) {
      asio::co_spawn(state->io, run_tls_session(state, std::move(socket)), on_session_end(state));
    } else {
      asio::co_spawn(state->io, run_session(state, std::move(socket)), on_session_end(state));
    }
  }
}

}  // namespace

std::size_t default_max_connections() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return max_default_connections;
  }
  return std::clamp<std::size_t>(static_cast<std::size_t>(limit.rlim_cur / 4), 1, max_default_connections);
}

std::chrono::milliseconds accept_backoff_after(std::uint64_t failures) {
  if (failures == 0) {
    return std::chrono::milliseconds(0);
  }
  // 10 ms << 7 already exceeds the cap; shifting further would only risk overflow.
  const auto doublings = std::min<std::uint64_t>(failures - 1, 7);
  return std::min(max_accept_backoff, first_accept_backoff * (std::int64_t{1} << doublings));
}

Server::Server(asio::io_context& io, ServerOptions options, Handler handler)
    : io_(io), options_(options), state_(std::make_shared<State>(io, std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

void Server::start() {
  if (state_->listener) {
    return;
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) {
    throw core::Error(core::ErrorKind::bad_input, "invalid bind address " + options_.bind_address);
  }
  const tcp::endpoint endpoint(address, port_ != 0 ? port_ : options_.port);
  auto listener = std::make_shared<Listener>(io_);
  tcp::acceptor& acceptor = listener->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw core::Error(core::ErrorKind::network, "cannot listen on " + options_.bind_address + ":" +
                                                    std::to_string(endpoint.port()) + ": " + ec.message());
  }
  port_ = acceptor.local_endpoint().port();
  listener->name = options_.bind_address + ":" + std::to_string(port_);
  state_->listener = listener;
  asio::co_spawn(io_, accept_connections(state_, listener), log_session_end);
}

void Server::stop() {
  if (state_->listener) {
    beast::error_code ignored;
    state_->listener->acceptor.close(ignored);
    state_->listener->backoff_timer.cancel();
    state_->listener.reset();
  }
  for (const auto& close : state_->closers) {
    close();
  }
}

ListenerStats Server::stats() const { return state_->stats; }

std::shared_ptr<asio::ssl::context> make_server_tls_context(const std::string& cert_pem, const std::string& key_pem) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  beast::error_code ec;
  context->use_certificate_chain(asio::buffer(cert_pem), ec);
  if (!ec) {
    context->use_private_key(asio::buffer(key_pem), asio::ssl::context::pem, ec);
  }
  if (ec) {
    throw core::Error(core::ErrorKind::bad_input, "invalid TLS certificate or key: " + ec.message());
  }
  return context;
}

}  // namespace sw::http
