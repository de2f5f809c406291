// Implementation of the blocking test client: async Beast operations driven by a private
// io_context so that every step has a deadline.
#include "http/testing/test_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <optional>

namespace sw::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string TestResponse::header(const std::string& lowercase_name) const {
  const auto found = headers.find(lowercase_name);
  return found == headers.end() ? std::string() : found->second;
}

struct TestClient::Impl {
  std::uint16_t port;
  bool tls;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  asio::ssl::context ssl_context{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  int opened = 0;
  std::string fingerprint;

  beast::tcp_stream& lowest() { return tls ? secure->next_layer() : *plain; }
  bool is_open() const { return tls ? secure.has_value() : plain.has_value(); }

  void drop() {
    if (is_open()) {
      beast::error_code ignored;
      lowest().socket().close(ignored);
    }
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  // Starts one asynchronous operation under the deadline (start(handler)) and runs the
  // io_context until it completes; false when it failed or the deadline passed. A failed
  // step drops the connection.
  template <typename Start>
  bool step(Start start) {
    bool finished = false;
    beast::error_code result = asio::error::timed_out;
    lowest().expires_after(timeout);
    start([&](beast::error_code ec, auto&&...) {
      result = ec;
      finished = true;
    });
    io.restart();
    while (!finished && io.run_one_for(timeout) > 0) {
    }
    if (!finished || result) {
      drop();
      return false;
    }
    return true;
  }

  bool connect() {
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    if (tls) {
      secure.emplace(io, ssl_context);
    } else {
      plain.emplace(io);
    }
    if (!step([&](auto handler) { lowest().async_connect(endpoint, handler); })) {
      return false;
    }
    if (tls) {
      SSL_set_tlsext_host_name(secure->native_handle(), "localhost");
      if (!step([&](auto handler) { secure->async_handshake(asio::ssl::stream_base::client, handler); })) {
        return false;
      }
      X509* cert = SSL_get1_peer_certificate(secure->native_handle());
      std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
      unsigned int length = 0;
      fingerprint.clear();
      if (cert != nullptr && X509_digest(cert, EVP_sha256(), digest.data(), &length) == 1) {
        static constexpr char hex[] = "0123456789abcdef";
        for (unsigned int i = 0; i < length; ++i) {
          fingerprint += hex[digest[i] >> 4];
          fingerprint += hex[digest[i] & 0x0f];
        }
      }
      X509_free(cert);
    }
    ++opened;
    return true;
  }

  template <typename Stream>
  TestResponse exchange(Stream& stream, bhttp::request<bhttp::string_body>& request) {
    TestResponse response;
    response.connected = true;
    if (!step([&](auto handler) { bhttp::async_write(stream, request, handler); })) {
      return response;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1024ULL * 1024 * 1024);
    if (!step([&](auto handler) { bhttp::async_read_header(stream, buffer, parser, handler); })) {
      return response;
    }
    response.headers_received = true;
    response.status = static_cast<int>(parser.get().result_int());
    for (const auto& field : parser.get()) {
      std::string name(field.name_string());
      for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      response.headers[name] = std::string(field.value());
    }
    const bool read = step([&](auto handler) { bhttp::async_read(stream, buffer, parser, handler); });
    response.body = parser.get().body();
    if (!read) {
      return response;
    }
    response.complete = true;
    response.keep_alive = parser.get().keep_alive();
    if (!response.keep_alive) {
      drop();
    }
    return response;
  }
};

TestClient::TestClient(std::uint16_t port, bool tls, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->tls = tls;
  impl_->timeout = timeout;
  impl_->ssl_context.set_verify_mode(asio::ssl::verify_none);
}

TestClient::~TestClient() { impl_->drop(); }

TestResponse TestClient::request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  if (!impl_->is_open() && !impl_->connect()) {
    return TestResponse{};
  }
  bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    request.set(name, value);
  }
  if (!body.empty() && request.find(bhttp::field::content_type) == request.end()) {
    request.set(bhttp::field::content_type, "application/json");
  }
  request.body() = body;
  request.prepare_payload();
  if (impl_->tls) {
    return impl_->exchange(*impl_->secure, request);
  }
  return impl_->exchange(*impl_->plain, request);
}

int TestClient::connections_opened() const { return impl_->opened; }

std::string TestClient::peer_fingerprint() const { return impl_->fingerprint; }

}  // namespace sw::http::testing
