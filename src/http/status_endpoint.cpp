// The status endpoint: /metrics, /healthz and /readyz.
#include "http/status_endpoint.hpp"

#include <nlohmann/json.hpp>

namespace sw::http {

namespace beast_http = boost::beast::http;

namespace {

Response json_response(const Request& request, beast_http::status status, const nlohmann::json& body) {
  Response response(status, request.version());
  response.set(beast_http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = body.dump();
  return response;
}

// Builds the answer outside any co_await expression (GCC 12 cannot keep string literals
// of a co_await's full-expression in the coroutine frame).
Response build_answer(const Request& request, const std::function<std::string()>& metrics,
                      const std::function<Readiness()>& readiness) {
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  if (path != "/metrics" && path != "/healthz" && path != "/readyz") {
    return json_response(request, beast_http::status::not_found, {{"error", "not found: " + path}});
  }
  if (request.method() != beast_http::verb::get && request.method() != beast_http::verb::head) {
    return json_response(request, beast_http::status::method_not_allowed,
                         {{"error", "only GET is allowed on " + path}});
  }
  if (path == "/metrics") {
    Response response(beast_http::status::ok, request.version());
    response.set(beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.keep_alive(request.keep_alive());
    response.body() = metrics();
    return response;
  }
  if (path == "/healthz") {
    return json_response(request, beast_http::status::ok, {{"status", "alive"}});
  }
  const Readiness state = readiness();
  return json_response(request, state.ready ? beast_http::status::ok : beast_http::status::service_unavailable,
                       {{"status", state.ready ? "ready" : "not_ready"}, {"detail", state.detail}});
}

boost::asio::awaitable<void> answer(const Request& request, Connection& connection,
                                    const std::function<std::string()>& metrics,
                                    const std::function<Readiness()>& readiness) {
  Response response = build_answer(request, metrics, readiness);
  co_await connection.send(std::move(response));
}

}  // namespace

Handler make_status_handler(std::function<std::string()> metrics, std::function<Readiness()> readiness) {
  return
      [metrics = std::move(metrics), readiness = std::move(readiness)](const Request& request, Connection& connection) {
        return answer(request, connection, metrics, readiness);
      };
}

}  // namespace sw::http
