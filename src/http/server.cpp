// Implementation of the HTTP/1.1 server: an accept loop and one coroutine per connection,
// both owned by the Server's shared state and ended by stop() (which closes their sockets).
#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
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
#include <exception>
#include <optional>

#include "core/errors.hpp"
#include "telemetry/log.hpp"

namespace sw::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto tls_shutdown_timeout = std::chrono::seconds(2);

}  // namespace

struct Server::State {
  State(asio::io_context& io_context, ServerOptions server_options, Handler request_handler)
      : io(io_context), options(std::move(server_options)), handler(std::move(request_handler)) {}

  asio::io_context& io;
  ServerOptions options;
  Handler handler;
  std::shared_ptr<tcp::acceptor> acceptor;
  // One entry per open connection: closes its socket (used by stop()).
  std::list<std::function<void()>> closers;
};

namespace {

beast::tcp_stream& lowest_layer(beast::tcp_stream& stream) { return stream; }
beast::tcp_stream& lowest_layer(beast::ssl_stream<beast::tcp_stream>& stream) { return stream.next_layer(); }

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

  asio::awaitable<bool> send_stream(ResponseHead head, BodyProducer producer) override {
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
    std::string chunk;
    bool more = true;
    while (more) {
      chunk.clear();
      more = producer(chunk);
      if (chunk.empty()) {
        continue;
      }
      lowest_layer(stream_).expires_after(state_.options.write_timeout);
      auto [ec, bytes] = co_await asio::async_write(stream_, bhttp::make_chunk(asio::buffer(chunk)), use_nothrow);
      (void)bytes;
      if (ec) {
        keep_alive_ = false;
        co_return false;
      }
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
    parser.body_limit(state->options.body_limit);
    auto [ec, bytes] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
    (void)bytes;
    if (ec == bhttp::error::body_limit) {
      SessionConnection<Stream> connection(stream, *state, parser.get());
      co_await connection.send(error_response(bhttp::status::payload_too_large, parser.get().version()));
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
      co_await connection.send(error_response(bhttp::status::internal_server_error, request.version()));
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

asio::awaitable<void> accept_connections(std::shared_ptr<Server::State> state, std::shared_ptr<tcp::acceptor> acceptor) {
  while (acceptor->is_open()) {
    auto [ec, socket] = co_await acceptor->async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) {
      co_return;
    }
    if (ec) {
      telemetry::log_warning("http accept failed", {{"error", ec.message()}});
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (state->options.tls) {
      asio::co_spawn(state->io, run_tls_session(state, std::move(socket)), log_session_end);
    } else {
      asio::co_spawn(state->io, run_session(state, std::move(socket)), log_session_end);
    }
  }
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, Handler handler)
    : io_(io), options_(options), state_(std::make_shared<State>(io, std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

void Server::start() {
  if (state_->acceptor) {
    return;
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.bind_address, ec);
  if (ec) {
    throw core::Error(core::ErrorKind::bad_input, "invalid bind address " + options_.bind_address);
  }
  const tcp::endpoint endpoint(address, port_ != 0 ? port_ : options_.port);
  auto acceptor = std::make_shared<tcp::acceptor>(io_);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    acceptor->bind(endpoint, ec);
  }
  if (!ec) {
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw core::Error(core::ErrorKind::network,
                      "cannot listen on " + options_.bind_address + ":" + std::to_string(endpoint.port()) + ": " +
                          ec.message());
  }
  port_ = acceptor->local_endpoint().port();
  state_->acceptor = acceptor;
  asio::co_spawn(io_, accept_connections(state_, acceptor), log_session_end);
}

void Server::stop() {
  if (state_->acceptor) {
    beast::error_code ignored;
    state_->acceptor->close(ignored);
    state_->acceptor.reset();
  }
  for (const auto& close : state_->closers) {
    close();
  }
}

std::size_t Server::open_connections() const { return state_->closers.size(); }

std::shared_ptr<asio::ssl::context> make_server_tls_context(const std::string& cert_pem, const std::string& key_pem) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
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
