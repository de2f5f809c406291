// A small, generic asynchronous HTTP/1.1 server (Boost.Beast, C++20 coroutines) for the
// simulator and the worker's metrics/health endpoint: plain TCP or TLS, keep-alive, a read
// deadline, bounded request headers and body, complete or streamed (chunked) responses,
// optionally paced (a slow link) or with pieces that arrive over time (server-sent events),
// and abrupt closes for fault injection. Each listener caps its open connections (one beyond
// the cap is accepted and closed at once) and backs off on accept errors such as EMFILE, with
// rate-limited log lines (docs/http.md). It runs on the caller's io_context, which must be
// driven by a single thread (the server keeps its bookkeeping without locks).
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
// The same for a body whose pieces come as they happen (server-sent events): it may wait on
// the connection's executor for the next piece.
using AsyncBodyProducer = std::function<boost::asio::awaitable<bool>(std::string& out)>;

// Writes of a paced stream (Connection::send_stream) per second.
inline constexpr int kPacedWritesPerSecond = 4;

// One client connection, as seen by a request handler. Each handler call answers its request
// exactly once: send(), send_stream(), send_head_and_close() or reset().
class Connection {
 public:
  virtual ~Connection() = default;

  // Sends a complete response (Content-Length set from the body). False on a write error.
  virtual boost::asio::awaitable<bool> send(Response response) = 0;

  // Sends `head` with chunked transfer encoding, then the chunks that `producer` yields. With
  // `bytes_per_second` above 0 the body is paced to about that rate: a slice of it every
  // 1/kPacedWritesPerSecond s (a slow link); 0 sends as fast as the peer takes it. A paced
  // stream ends at the first failed write (the peer closed, or stop()), one slice later at most.
  virtual boost::asio::awaitable<bool> send_stream(ResponseHead head, BodyProducer producer,
                                                   std::size_t bytes_per_second) = 0;

  // The same with a producer that may wait between pieces; the write deadline applies to
  // each piece's write, not to the waits.
  virtual boost::asio::awaitable<bool> send_async_stream(ResponseHead head, AsyncBodyProducer producer) = 0;

  // Sends the status line and headers only, then closes the socket (a body never follows).
  virtual boost::asio::awaitable<void> send_head_and_close(ResponseHead head) = 0;

  // Closes the socket at once without sending anything.
  virtual void reset() = 0;
};

using Handler = std::function<boost::asio::awaitable<void>(const Request& request, Connection& connection)>;

// The default connection cap of a listener: a quarter of the soft RLIMIT_NOFILE, at most 256
// (and at least 1), so that the descriptors a listener may hold stay well below the limit and
// the rest of the process (Redis, scanner connections, task files) keeps its share.
std::size_t default_max_connections();

// The delay before the next accept after `failures` accept errors in a row (0 for none):
// 10 ms, doubling, at most 1 s.
std::chrono::milliseconds accept_backoff_after(std::uint64_t failures);

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see Server::port())
  // Open connections at most; a connection beyond the cap is accepted and closed at once.
  std::size_t max_connections = default_max_connections();
  // Deadline for the TLS handshake, for reading each whole request (headers and body, however
  // slowly the bytes trickle in), and for an idle keep-alive connection.
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds write_timeout{60000};
  std::size_t header_limit = 16 * 1024;            // request line and headers; larger requests get 431
  std::size_t body_limit = 8 * 1024 * 1024;        // larger request bodies get 413
  std::shared_ptr<boost::asio::ssl::context> tls;  // TLS when set
};

// What a listener has seen since the Server was made.
struct ListenerStats {
  std::size_t open_connections = 0;
  std::uint64_t refused_connections = 0;        // accepted and closed at once: the cap was reached
  std::uint64_t accept_failures = 0;            // accept errors (EMFILE, ENFILE, ENOBUFS, ...)
  std::chrono::milliseconds accept_backoff{0};  // the wait before accepting again; 0 after a success
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
  const ServerOptions& options() const { return options_; }
  ListenerStats stats() const;

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
