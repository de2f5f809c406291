// Streamable HTTP: sessions, headers, auth, origins, JSON and SSE answers.
#include "mcp/http_transport.hpp"

#include <sys/stat.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <deque>
#include <fstream>

#include "core/digest.hpp"
#include "core/errors.hpp"
#include "core/task_id.hpp"
#include "coro/event.hpp"
#include "mcp/json_rpc.hpp"
#include "telemetry/log.hpp"

namespace sw::mcp {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using nlohmann::json;
using asio::experimental::awaitable_operators::operator&&;

constexpr std::chrono::seconds sweep_interval{1};

std::string header(const http::Request& request, bhttp::field field) {
  const auto it = request.find(field);
  return it == request.end() ? std::string() : std::string(it->value());
}

std::string header(const http::Request& request, const char* name) {
  const auto it = request.find(name);
  return it == request.end() ? std::string() : std::string(it->value());
}

http::Response json_response(bhttp::status status, const json& body, unsigned version) {
  http::Response response{status, version};
  response.set(bhttp::field::content_type, "application/json");
  response.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

// A transport-level refusal, with a JSON-RPC error body.
// A GET stream checks every second whether its session still exists, and sends a keep-alive
// comment every 15 checks.
constexpr std::chrono::seconds listen_check_interval{1};
constexpr int listen_keepalive_ticks = 15;

http::Response refusal(bhttp::status status, const std::string& message, unsigned version) {
  return json_response(status, Protocol::error_for(rpc_code::invalid_request, message), version);
}

// Small fixed answers, built outside the coroutines (GCC 12 mishandles braced JSON
// initialisers of string literals inside a coroutine).
http::Response status_response(bhttp::status status, const char* key, const std::string& value, unsigned version) {
  json body = json::object();
  body[key] = value;
  return json_response(status, body, version);
}

http::Response readiness_response(const std::string& problem) {
  if (problem.empty()) return status_response(bhttp::status::ok, "status", "ready", 11);
  json body = json::object();
  body["status"] = "not_ready";
  body["detail"] = "Redis: " + problem;
  return json_response(bhttp::status::service_unavailable, body, 11);
}

void log_session_start(const SessionState& state, std::size_t sessions) {
  telemetry::log_info(
      "mcp session started",
      {{"client", state.client_name}, {"protocol_version", state.protocol_version}, {"sessions", sessions}});
}

std::string sse_event(const json& message) {
  return "event: message\ndata: " + message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool loopback_origin(const std::string& origin) {
  std::string rest;
  for (const char* scheme : {"http://", "https://"}) {
    if (origin.rfind(scheme, 0) == 0) rest = origin.substr(std::string(scheme).size());
  }
  if (rest.empty()) return false;
  std::string host;
  if (rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos) return false;
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    rest = colon == std::string::npos ? std::string() : rest.substr(colon);
  }
  if (!rest.empty() &&
      (rest.front() != ':' || rest.size() < 2 || rest.find_first_not_of("0123456789", 1) != std::string::npos)) {
    return false;
  }
  return is_loopback_host(lowercase(host));
}

}  // namespace

std::vector<std::string> load_token_hashes(const std::filesystem::path& file) {
  const auto refuse = [&file](const std::string& why) {
    return core::Error(core::ErrorKind::bad_input, "MCP_AUTH_TOKENS_FILE " + file.string() + ": " + why);
  };
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) throw refuse("cannot be read");
  if ((info.st_mode & 077) != 0) throw refuse("is readable or writable by group or others; chmod 600 it");
  std::ifstream in(file);
  if (!in) throw refuse("cannot be read");
  std::vector<std::string> hashes;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    hashes.push_back(core::sha256_hex(line.substr(start)));
  }
  if (hashes.empty()) throw refuse("holds no token");
  return hashes;
}

bool origin_allowed(const std::string& origin, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return loopback_origin(origin);
  std::string trimmed = origin;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.pop_back();
  for (const auto& candidate : allowed) {
    if (candidate == "*" || lowercase(candidate) == lowercase(trimmed)) return true;
  }
  return false;
}

HttpTransport::HttpTransport(HttpOptions options, const Protocol& protocol, Lanes& lanes, Lanes& wait_lanes)
    : options_(std::move(options)), protocol_(protocol), lanes_(lanes), wait_lanes_(wait_lanes) {}

void HttpTransport::count(std::string_view what) { ++counters_[std::string(what)]; }

asio::awaitable<void> HttpTransport::handle(const http::Request& request, http::Connection& connection) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  if (path == options_.path) {
    co_await handle_mcp(request, connection);
    co_return;
  }
  if (dashboard::Dashboard::serves(path)) {
    co_await serve_dashboard(request, connection);
    co_return;
  }
  if (request.method() != bhttp::verb::get || (path != "/healthz" && path != "/readyz" && path != "/metrics")) {
    count("mcp_http_requests_total{code=\"404\"}");
    http::Response answer = status_response(bhttp::status::not_found, "error", "not found", request.version());
    co_await connection.send(std::move(answer));
    co_return;
  }
  if (path == "/healthz") {
    http::Response answer = status_response(bhttp::status::ok, "status", "alive", request.version());
    co_await connection.send(std::move(answer));
  } else if (path == "/readyz") {
    co_await readiness(connection);
  } else {
    http::Response response{bhttp::status::ok, request.version()};
    response.set(bhttp::field::content_type, "text/plain; version=0.0.4");
    response.body() = metrics_text();
    co_await connection.send(std::move(response));
  }
}

// The dashboard reads Redis and task files: its pages are made on a lane, off the event loop.
asio::awaitable<void> HttpTransport::serve_dashboard(const http::Request& request, http::Connection& connection) {
  if (!options_.dashboard) {
    count("mcp_http_requests_total{code=\"404\"}");
    const std::string why = "the dashboard needs MCP_AUTH_TOKENS_FILE (its login takes one of those tokens)";
    http::Response refusal = status_response(bhttp::status::not_found, "error", why, request.version());
    co_await connection.send(std::move(refusal));
    co_return;
  }
  auto render = [this, &request](Backend&) { return options_.dashboard->handle(request); };
  dashboard::Dashboard::Reply reply = co_await lanes_.run(render);
  count("mcp_dashboard_requests_total");
  co_await dashboard::Dashboard::send(std::move(reply), connection);
}

asio::awaitable<void> HttpTransport::readiness(http::Connection& connection) {
  std::string problem;
  try {
    auto ping = [](Backend& backend) { backend.ping(); };
    co_await lanes_.run(ping);
  } catch (const std::exception& e) {
    problem = e.what();
  }
  co_await connection.send(readiness_response(problem));
}

bool HttpTransport::authorized(const http::Request& request) const {
  if (options_.token_hashes.empty()) return true;
  const std::string value = header(request, bhttp::field::authorization);
  const std::string scheme = "bearer ";
  if (value.size() <= scheme.size() || lowercase(value.substr(0, scheme.size())) != scheme) return false;
  return token_accepted(value.substr(scheme.size()), options_.token_hashes);
}

bool token_accepted(std::string_view token, const std::vector<std::string>& hashes) {
  const std::string hash = core::sha256_hex(token);
  bool match = false;
  for (const auto& candidate : hashes) match = core::constant_time_equal(hash, candidate) || match;
  return match;
}

void HttpTransport::expire_sessions() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sweep_ < sweep_interval) return;
  last_sweep_ = now;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now - it->second.last_used > options_.session_idle ? sessions_.erase(it) : std::next(it);
  }
}

// The refusal of a request after initialize that names no session (400) or one that does
// not exist or expired (404); nullopt when its session is known.
std::optional<http::Response> HttpTransport::session_refusal(const std::string& session_id, bool known,
                                                             unsigned version) {
  if (!session_id.empty() && known) return std::nullopt;
  const bool missing = session_id.empty();
  count(missing ? "mcp_http_requests_total{code=\"400\"}" : "mcp_http_requests_total{code=\"404\"}");
  return refusal(missing ? bhttp::status::bad_request : bhttp::status::not_found,
                 missing ? "Mcp-Session-Id header required: send initialize first"
                         : "unknown or expired session: initialize a new one",
                 version);
}

asio::awaitable<void> HttpTransport::handle_mcp(const http::Request& request, http::Connection& connection) {
  const unsigned version = request.version();
  const std::string origin = header(request, bhttp::field::origin);
  if (!origin.empty() && !origin_allowed(origin, options_.allowed_origins)) {
    count("mcp_http_requests_total{code=\"403\"}");
    http::Response refused = refusal(bhttp::status::forbidden, "origin " + origin + " is not allowed", version);
    co_await connection.send(std::move(refused));
    co_return;
  }
  if (!authorized(request)) {
    count("mcp_http_requests_total{code=\"401\"}");
    http::Response response = refusal(bhttp::status::unauthorized, "a bearer token is required", version);
    response.set(bhttp::field::www_authenticate, header(request, bhttp::field::authorization).empty()
                                                     ? "Bearer realm=\"scanner-mcp\""
                                                     : "Bearer realm=\"scanner-mcp\", error=\"invalid_token\"");
    co_await connection.send(std::move(response));
    co_return;
  }
  const std::string protocol_version = header(request, "MCP-Protocol-Version");
  if (!protocol_version.empty() && !is_supported_protocol_version(protocol_version)) {
    count("mcp_http_requests_total{code=\"400\"}");
    std::string supported;
    for (const auto& known : supported_protocol_versions()) supported += (supported.empty() ? "" : ", ") + known;
    http::Response refused =
        refusal(bhttp::status::bad_request,
                "unsupported MCP-Protocol-Version " + protocol_version + " (supported: " + supported + ")", version);
    co_await connection.send(std::move(refused));
    co_return;
  }
  expire_sessions();
  if (request.method() == bhttp::verb::post) {
    co_await post(request, connection);
    co_return;
  }
  if (request.method() != bhttp::verb::get && request.method() != bhttp::verb::delete_) {
    http::Response response = refusal(bhttp::status::method_not_allowed, "use POST or DELETE", version);
    response.set(bhttp::field::allow, "GET, POST, DELETE");
    count("mcp_http_requests_total{code=\"405\"}");
    co_await connection.send(std::move(response));
    co_return;
  }
  const std::string session_id = header(request, "Mcp-Session-Id");
  const auto session = sessions_.find(session_id);
  if (auto refused = session_refusal(session_id, session != sessions_.end(), version)) {
    co_await connection.send(std::move(*refused));
    co_return;
  }
  if (request.method() == bhttp::verb::delete_) {
    sessions_.erase(session);
    count("mcp_http_requests_total{code=\"200\"}");
    http::Response answer = status_response(bhttp::status::ok, "status", "session ended", version);
    co_await connection.send(std::move(answer));
    co_return;
  }
  if (header(request, bhttp::field::accept).find("text/event-stream") == std::string::npos) {
    http::Response response =
        refusal(bhttp::status::method_not_allowed,
                "GET opens a text/event-stream (Accept: text/event-stream); POST requests", version);
    response.set(bhttp::field::allow, "GET, POST, DELETE");
    count("mcp_http_requests_total{code=\"405\"}");
    co_await connection.send(std::move(response));
    co_return;
  }
  co_await listen(session_id, connection);
}

// GET: the session's stream for messages the server starts. This server starts none (its
// notifications belong to a request and travel on that POST's stream), so the stream carries
// a comment now and then to keep proxies from closing it, and ends with the session (DELETE
// or expiry) or when the client goes away.
asio::awaitable<void> HttpTransport::listen(const std::string& session_id, http::Connection& connection) {
  http::ResponseHead head{bhttp::status::ok, 11};
  head.set(bhttp::field::content_type, "text/event-stream");
  head.set(bhttp::field::cache_control, "no-cache");
  head.set("Mcp-Session-Id", session_id);
  auto ticks = std::make_shared<int>(0);
  http::AsyncBodyProducer comments = [this, session_id, ticks](std::string& out) -> asio::awaitable<bool> {
    if ((*ticks)++ == 0) {
      out = ": stream open\n\n";
      co_return true;
    }
    asio::steady_timer pause(co_await asio::this_coro::executor, listen_check_interval);
    co_await pause.async_wait(asio::use_awaitable);
    if (!sessions_.contains(session_id)) co_return false;
    if (*ticks % listen_keepalive_ticks == 0) out = ": keep-alive\n\n";
    co_return true;
  };
  count("mcp_http_requests_total{code=\"200\"}");
  co_await connection.send_async_stream(std::move(head), std::move(comments));
}

asio::awaitable<void> HttpTransport::post(const http::Request& request, http::Connection& connection) {
  const unsigned version = request.version();
  const std::string content_type = lowercase(header(request, bhttp::field::content_type));
  if (content_type.rfind("application/json", 0) != 0) {
    count("mcp_http_requests_total{code=\"415\"}");
    http::Response refused =
        refusal(bhttp::status::unsupported_media_type, "Content-Type must be application/json", version);
    co_await connection.send(std::move(refused));
    co_return;
  }
  json message;
  std::optional<json> malformed;
  try {
    message = parse_message(request.body());
  } catch (const RpcError& e) {
    malformed = Protocol::error_for(e.code(), e.what());
  }
  if (malformed) {
    count("mcp_http_requests_total{code=\"400\"}");
    co_await connection.send(json_response(bhttp::status::bad_request, *malformed, version));
    co_return;
  }

  if (Protocol::is_initialize(message)) {
    if (sessions_.size() >= options_.max_sessions) {
      count("mcp_http_requests_total{code=\"503\"}");
      http::Response refused =
          refusal(bhttp::status::service_unavailable, "too many sessions; try again later", version);
      co_await connection.send(std::move(refused));
      co_return;
    }
    SessionState state;
    auto initialize = [&](Backend& backend) {
      std::optional<json> answer = protocol_.handle(message, state, backend, {});
      return std::make_pair(std::move(answer), state);
    };
    auto [answer, initialized] = co_await lanes_.run(initialize);
    http::Response response = json_response(bhttp::status::ok, answer.value_or(json::object()), version);
    if (!initialized.protocol_version.empty()) {
      std::string id = core::random_hex(32);
      response.set("Mcp-Session-Id", id);
      log_session_start(initialized, sessions_.size() + 1);
      sessions_[id] = Session{initialized, std::chrono::steady_clock::now()};
    }
    count("mcp_http_requests_total{code=\"200\"}");
    co_await connection.send(std::move(response));
    co_return;
  }

  const std::string session_id = header(request, "Mcp-Session-Id");
  const auto session = sessions_.find(session_id);
  if (auto refused = session_refusal(session_id, session != sessions_.end(), version)) {
    co_await connection.send(std::move(*refused));
    co_return;
  }
  session->second.last_used = std::chrono::steady_clock::now();
  const SessionState state = session->second.state;

  if (!message.is_object() || !message.contains("method") || !message.contains("id")) {
    // A notification or a response: accepted, nothing to answer.
    SessionState scratch = state;
    auto consume = [&](Backend& backend) { return protocol_.handle(message, scratch, backend, {}); };
    std::optional<json> answer = co_await lanes_.run(consume);
    count(answer ? "mcp_http_requests_total{code=\"400\"}" : "mcp_http_requests_total{code=\"202\"}");
    if (answer) {
      co_await connection.send(json_response(bhttp::status::bad_request, *answer, version));
    } else {
      http::Response accepted{bhttp::status::accepted, version};
      co_await connection.send(std::move(accepted));
    }
    co_return;
  }

  const std::string accept = lowercase(header(request, bhttp::field::accept));
  if (Protocol::streams_progress(message) && accept.find("text/event-stream") != std::string::npos) {
    co_await stream_progress(message, state, session_id, connection);
    co_return;
  }
  SessionState scratch = state;
  auto call = [&](Backend& backend) { return protocol_.handle(message, scratch, backend, {}); };
  Lanes& lanes = Protocol::waits(message) ? wait_lanes_ : lanes_;
  std::optional<json> answer = co_await lanes.run(call);
  if (message.value("method", "") == "tools/call" && answer && answer->contains("result")) {
    const bool failed = (*answer)["result"].value("isError", false);
    const std::string tool = message["params"].value("name", "");
    count("mcp_tool_calls_total{tool=\"" + tool + "\",outcome=\"" + (failed ? "error" : "ok") + "\"}");
  }
  count("mcp_http_requests_total{code=\"200\"}");
  http::Response reply = json_response(bhttp::status::ok, answer.value_or(json::object()), version);
  co_await connection.send(std::move(reply));
}

asio::awaitable<void> HttpTransport::stream_progress(const json& message, SessionState state,
                                                     const std::string& session_id, http::Connection& connection) {
  struct Stream {
    explicit Stream(asio::any_io_executor executor) : wake(std::move(executor)) {}
    std::deque<std::string> events;
    bool done = false;
    coro::Event wake;
  };
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  auto stream = std::make_shared<Stream>(executor);
  const Notify notify = [stream, executor](const json& notification) {
    asio::post(executor, [stream, event = sse_event(notification)] {
      stream->events.push_back(event);
      stream->wake.set();
    });
  };
  auto produce = [&]() -> asio::awaitable<void> {
    SessionState scratch = state;
    auto call = [&](Backend& backend) { return protocol_.handle(message, scratch, backend, notify); };
    std::optional<json> answer;
    try {
      answer = co_await wait_lanes_.run(call);
    } catch (const std::exception& e) {
      answer = error_message(message["id"], rpc_code::internal_error, e.what());
    }
    // The notifications posted before the answer are queued ahead of it.
    auto hop = asio::post(executor, asio::use_awaitable);
    co_await std::move(hop);
    stream->events.push_back(sse_event(answer.value_or(json::object())));
    stream->done = true;
    stream->wake.set();
  };
  http::ResponseHead head{bhttp::status::ok, 11};
  head.set(bhttp::field::content_type, "text/event-stream");
  head.set(bhttp::field::cache_control, "no-cache");
  head.set("Mcp-Session-Id", session_id);
  http::AsyncBodyProducer events = [stream](std::string& out) -> asio::awaitable<bool> {
    while (stream->events.empty() && !stream->done) {
      co_await stream->wake.wait();
      stream->wake.reset();
    }
    while (!stream->events.empty()) {
      out += stream->events.front();
      stream->events.pop_front();
    }
    co_return !(stream->done && stream->events.empty());
  };
  auto deliver = [&]() -> asio::awaitable<void> {
    co_await connection.send_async_stream(std::move(head), std::move(events));
  };
  count("mcp_http_requests_total{code=\"200\"}");
  auto both = produce() && deliver();
  co_await std::move(both);
}

std::string HttpTransport::metrics_text() const {
  std::string text = "# HELP mcp_sessions Open MCP sessions over HTTP.\n# TYPE mcp_sessions gauge\nmcp_sessions " +
                     std::to_string(sessions_.size()) + "\n";
  std::string family;
  for (const auto& [name, value] : counters_) {
    const std::string current = name.substr(0, name.find('{'));
    if (current != family) {
      family = current;
      text += "# TYPE " + family + " counter\n";
    }
    text += name + " " + std::to_string(value) + "\n";
  }
  return text;
}

}  // namespace sw::mcp
