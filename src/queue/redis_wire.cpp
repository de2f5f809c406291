// RedisWire: Asio sockets (TCP, Unix, OpenSSL TLS) run to a deadline, RESP written here,
// replies read with hiredis's redisReader.
#include "queue/redis_wire.hpp"

#include <hiredis/hiredis.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "core/errors.hpp"

namespace sw::queue {

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using core::Error;
using core::ErrorKind;
using ErrorCode = boost::system::error_code;

RedisValue convert(const redisReply& reply) {
  RedisValue value;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      value.type = RedisValue::Type::integer;
      value.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      value.type = reply.type == REDIS_REPLY_STRING ? RedisValue::Type::string : RedisValue::Type::status;
      value.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      value.type = RedisValue::Type::array;
      value.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        value.elements.push_back(convert(*reply.element[i]));
      }
      break;
    default:
      value.type = RedisValue::Type::nil;
      break;
  }
  return value;
}

struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

// RESP: each command as an array of bulk strings.
std::string encode(const std::vector<std::vector<std::string>>& commands) {
  std::string out;
  for (const auto& args : commands) {
    out += '*' + std::to_string(args.size()) + "\r\n";
    for (const auto& arg : args) {
      out += '$' + std::to_string(arg.size()) + "\r\n";
      out += arg;
      out += "\r\n";
    }
  }
  return out;
}

std::string command_name(const std::vector<std::vector<std::string>>& commands) {
  std::string name = commands.empty() || commands.front().empty() ? std::string() : commands.front().front();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

bool is_ip_address(const std::string& host) {
  ErrorCode error;
  asio::ip::make_address(host, error);
  return !error;
}

std::unique_ptr<ssl::context> make_tls_context(const RedisTlsFiles& files) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // An encrypted key must not make OpenSSL prompt on the terminal: it fails instead.
  context->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); });
  ErrorCode error;
  if (files.ca_file.empty()) {
    context->set_default_verify_paths(error);
  } else {
    context->load_verify_file(files.ca_file, error);
  }
  if (error) {
    throw Error(ErrorKind::auth, "redis: cannot load the CA certificates " +
                                     (files.ca_file.empty() ? std::string("of the system") : files.ca_file) + ": " +
                                     error.message());
  }
  if (!files.client_cert_file.empty()) {
    context->use_certificate_chain_file(files.client_cert_file, error);
    if (!error) {
      context->use_private_key_file(files.client_key_file, ssl::context::pem, error);
    }
    if (error) {
      throw Error(ErrorKind::auth, "redis: cannot use the client certificate " + files.client_cert_file +
                                       " with the key " + files.client_key_file + ": " + error.message());
    }
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

}  // namespace

struct RedisWire::Impl {
  asio::io_context io{1};
  std::unique_ptr<ssl::context> tls_context;
  std::optional<tcp::socket> tcp_socket;
  std::optional<ssl::stream<tcp::socket>> tls_stream;
  std::optional<asio::local::stream_protocol::socket> unix_socket;
  std::unique_ptr<redisReader, ReaderDeleter> reader{redisReaderCreate()};
  std::array<char, 16384> buffer{};

  template <typename Operation>
  void with_stream(Operation&& operation) {
    if (tls_stream) {
      operation(*tls_stream);
    } else if (unix_socket) {
      operation(*unix_socket);
    } else {
      operation(*tcp_socket);
    }
  }

  void close() {
    ErrorCode ignored;
    if (tls_stream) tls_stream->lowest_layer().close(ignored);
    if (tcp_socket) tcp_socket->close(ignored);
    if (unix_socket) unix_socket->close(ignored);
  }

  // Runs the one pending operation until it sets `done` or the deadline passes; then
  // closes the connection (which ends the operation) and throws timeout. Throws network
  // for an error the operation reported. `step` starts each message.
  void complete(const bool& done, const ErrorCode& error, Deadline deadline, const std::string& step) {
    io.restart();
    io.run_until(deadline);
    if (!done) {
      close();
      io.restart();
      io.run();  // the ended operation's handler
      throw Error(ErrorKind::timeout, step + ": no reply in time");
    }
    if (error) {
      throw Error(ErrorKind::network, step + ": " + error.message());
    }
  }

  void connect_tcp(const RedisEndpoint& endpoint, const std::string& description, Deadline deadline) {
    // Name resolution blocks (getaddrinfo cannot be cancelled), as it did in hiredis.
    ErrorCode error;
    tcp::resolver resolver(io);
    const auto addresses = resolver.resolve(endpoint.host, std::to_string(endpoint.port), error);
    if (error) {
      throw Error(ErrorKind::network, "redis: cannot resolve " + description + ": " + error.message());
    }
    tcp::socket& socket = tls_stream ? tls_stream->next_layer() : tcp_socket.emplace(io);
    bool done = false;
    asio::async_connect(socket, addresses, [&](const ErrorCode& result, const tcp::endpoint&) {
      error = result;
      done = true;
    });
    complete(done, error, deadline, "redis: cannot connect to " + description);
    socket.set_option(tcp::no_delay(true), error);
  }

  void connect_unix(const RedisEndpoint& endpoint, const std::string& description, Deadline deadline) {
    auto& socket = unix_socket.emplace(io);
    bool done = false;
    ErrorCode error;
    const asio::local::stream_protocol::endpoint path(endpoint.socket_path);
    socket.async_connect(path, [&](const ErrorCode& result) {
      error = result;
      done = true;
    });
    complete(done, error, deadline, "redis: cannot connect to " + description);
  }

  void connect_tls(const RedisEndpoint& endpoint, const RedisTlsFiles& files, const std::string& description,
                   Deadline deadline) {
    tls_context = make_tls_context(files);
    auto& stream = tls_stream.emplace(io, *tls_context);
    SSL* handle = stream.native_handle();
    X509_VERIFY_PARAM* verify = SSL_get0_param(handle);
    const bool ip = is_ip_address(endpoint.host);
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(verify, endpoint.host.c_str());
    } else {
      SSL_set_tlsext_host_name(handle, endpoint.host.c_str());
      X509_VERIFY_PARAM_set_hostflags(verify, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(verify, endpoint.host.c_str(), endpoint.host.size());
    }
    connect_tcp(endpoint, description, deadline);
    bool done = false;
    ErrorCode error;
    stream.async_handshake(ssl::stream_base::client, [&](const ErrorCode& result) {
      error = result;
      done = true;
    });
    try {
      complete(done, error, deadline, "redis: TLS handshake with " + description);
    } catch (const Error&) {
      const long verdict = SSL_get_verify_result(handle);
      if (verdict == X509_V_OK) {
        throw;
      }
      const std::string checked_against = files.ca_file.empty()
                                              ? "the system's CA store; REDIS_CA_FILE names a private CA"
                                              : "REDIS_CA_FILE " + files.ca_file;
      throw Error(ErrorKind::auth, "redis: the TLS certificate of " + description +
                                       " is not accepted: " + X509_verify_cert_error_string(verdict) +
                                       " (checked against " + checked_against + ")");
    }
  }
};

RedisWire::RedisWire(const RedisEndpoint& endpoint, const RedisTlsFiles& tls, Deadline deadline)
    : impl_(std::make_unique<Impl>()), description_(endpoint.describe()) {
  if (!impl_->reader) {
    throw Error(ErrorKind::internal, "redis: cannot create a reply reader");
  }
  if (endpoint.transport == RedisEndpoint::Transport::unix_socket) {
    impl_->connect_unix(endpoint, description_, deadline);
  } else if (endpoint.tls) {
    impl_->connect_tls(endpoint, tls, description_, deadline);
  } else {
    impl_->connect_tcp(endpoint, description_, deadline);
  }
}

RedisWire::~RedisWire() = default;

std::vector<RedisReply> RedisWire::exchange(const std::vector<std::vector<std::string>>& commands, Deadline deadline) {
  const std::string step = "redis " + command_name(commands) + " on " + description_;
  const std::string request = encode(commands);
  bool done = false;
  ErrorCode error;
  impl_->with_stream([&](auto& stream) {
    asio::async_write(stream, asio::buffer(request), [&](const ErrorCode& result, std::size_t) {
      error = result;
      done = true;
    });
  });
  impl_->complete(done, error, deadline, step);

  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  while (replies.size() < commands.size()) {
    void* raw = nullptr;
    if (redisReaderGetReply(impl_->reader.get(), &raw) != REDIS_OK) {
      throw Error(ErrorKind::network, step + ": protocol error: " + impl_->reader->errstr);
    }
    if (raw != nullptr) {
      const std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(raw));
      RedisReply& out = replies.emplace_back();
      if (reply->type == REDIS_REPLY_ERROR) {
        out.error.assign(reply->str, reply->len);
      } else {
        out.value = convert(*reply);
      }
      continue;
    }
    std::size_t received = 0;
    done = false;
    impl_->with_stream([&](auto& stream) {
      stream.async_read_some(asio::buffer(impl_->buffer), [&](const ErrorCode& result, std::size_t bytes) {
        error = result;
        received = bytes;
        done = true;
      });
    });
    impl_->complete(done, error, deadline, step);
    redisReaderFeed(impl_->reader.get(), impl_->buffer.data(), received);
  }
  return replies;
}

}  // namespace sw::queue
