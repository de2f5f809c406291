// A small, generic asynchronous HTTP/1.1 server (Boost.Beast, C++20 coroutines) for the
// simulator and the worker's metrics/health endpoint: plain TCP or TLS, keep-alive, a read
// deadline, a bounded request body, complete or streamed (chunked) responses, and abrupt
// closes for fault injection. It runs on the caller's io_context, which must be driven by a
// single thread (the server keeps its bookkeeping without locks).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>

namespace sw::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
// Status line and headers of a response whose body is streamed or never sent.
using ResponseHead = boost::beast::http::response<boost::beast::http::empty_body>;

// Fills `out` with the next piece of a streamed body; returns false when the body is complete
// (the last call may still have appended bytes).
using BodyProducer = std::function<bool(std::string& out)>;

// One client connection, as seen by a request handler. Each handler call answers its request
// exactly once: send(), send_stream(), send_head_and_close() or reset().
class Connection {
 public:
  virtual ~Connection() = default;

  // Sends a complete response (Content-Length set from the body). False on a write error.
  virtual boost::asio::awaitable<bool> send(Response response) = 0;

  // Sends `head` with chunked transfer encoding, then the chunks that `producer` yields.
  virtual boost::asio::awaitable<bool> send_stream(ResponseHead head, BodyProducer producer) = 0;

  // Sends the status line and headers only, then closes the socket (a body never follows).
  virtual boost::asio::awaitable<void> send_head_and_close(ResponseHead head) = 0;

  // Closes the socket at once without sending anything.
  virtual void reset() = 0;
};

using Handler = std::function<boost::asio::awaitable<void>(const Request& request, Connection& connection)>;

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see Server::port())
  std::chrono::milliseconds read_timeout{30000};  // idle keep-alive and request read deadline
  std::chrono::milliseconds write_timeout{60000};
  std::size_t body_limit = 8 * 1024 * 1024;  // larger request bodies get 413
  std::shared_ptr<boost::asio::ssl::context> tls;  // TLS when set
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. The first start with port 0 takes a free port; later starts
  // (after stop()) bind the same port again. Throws core::Error(network) when binding fails.
  void start();

  // Closes the listener and every open connection; start() may be called again.
  void stop();

  // The bound port (valid after the first start()).
  std::uint16_t port() const { return port_; }
  bool tls() const { return options_.tls != nullptr; }
  std::size_t open_connections() const;

  struct State;  // shared with the accept loop and the sessions (defined in server.cpp)

 private:
  boost::asio::io_context& io_;
  ServerOptions options_;
  std::uint16_t port_ = 0;
  std::shared_ptr<State> state_;
};

// An ssl::context for a server from PEM text (certificate chain and private key).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_pem,
                                                                   const std::string& key_pem);

}  // namespace sw::http
