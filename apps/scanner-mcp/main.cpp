// scanner-mcp: the MCP server in front of the worker. `--stdio` serves one client on
// stdin/stdout (logs on stderr); otherwise Streamable HTTP on MCP_LISTEN_ADDR at /mcp, with
// /healthz, /readyz and /metrics, until SIGTERM or SIGINT (docs/mcp.md).
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <memory>

#include "config/scanners.hpp"
#include "core/errors.hpp"
#include "http/server.hpp"
#include "mcp/http_transport.hpp"
#include "mcp/lanes.hpp"
#include "mcp/protocol.hpp"
#include "mcp/settings.hpp"
#include "mcp/stdio_transport.hpp"
#include "queue/redis_connection.hpp"
#include "telemetry/log.hpp"

namespace {

namespace asio = boost::asio;
using namespace sw;

constexpr std::size_t max_request_bytes = 1 << 20;

std::shared_ptr<const mcp::SharedConfig> load_shared(const mcp::McpSettings& settings) {
  auto shared = std::make_shared<mcp::SharedConfig>();
  shared->settings = settings;
  shared->results_cache = std::make_shared<mcp::ResultsCache>(settings.results_cache_bytes);
  shared->redis = queue::redis_options(settings.environment);
  shared->scanners = config::load_scanners_config(settings.environment.scanner_config);
  if (!settings.credentials_file.empty()) shared->credentials = mcp::CredentialStore::load(settings.credentials_file);
  return shared;
}

int serve_http(const std::shared_ptr<const mcp::SharedConfig>& shared, const mcp::Protocol& protocol) {
  const mcp::McpSettings& settings = shared->settings;
  mcp::HttpOptions options;
  options.allowed_origins = settings.allowed_origins;
  if (!settings.auth_tokens_file.empty()) options.token_hashes = mcp::load_token_hashes(settings.auth_tokens_file);
  options.session_idle = settings.session_idle;
  options.max_sessions = settings.max_sessions;
  if (!options.token_hashes.empty()) {
    dashboard::DashboardOptions board;
    board.verify_token = [hashes = options.token_hashes](std::string_view token) {
      return mcp::token_accepted(token, hashes);
    };
    board.redis = shared->redis;
    board.data_dir = settings.environment.data_dir;
    board.scanners = [shared] { return shared->scanners; };
    options.dashboard = std::make_shared<dashboard::Dashboard>(std::move(board));
  }

  asio::io_context io(1);
  mcp::Lanes lanes(shared, settings.lanes);
  mcp::Lanes wait_lanes(shared, settings.wait_lanes);
  mcp::HttpTransport transport(options, protocol, lanes, wait_lanes);
  http::ServerOptions server_options;
  server_options.bind_address = settings.listen_host;
  server_options.port = settings.listen_port;
  server_options.read_timeout = settings.read_timeout;
  server_options.body_limit = max_request_bytes;
  http::Server server(io, server_options, [&transport](const http::Request& request, http::Connection& connection) {
    return transport.handle(request, connection);
  });
  server.start();
  const std::string address = settings.listen_host + ":" + std::to_string(server.port());
  telemetry::log_info("scanner-mcp listening", {{"url", "http://" + address + options.path},
                                                {"auth", options.token_hashes.empty() ? "none (loopback)" : "bearer"},
                                                {"scanners", shared->scanners.source.string()}});
  std::cout << "listening on http://" << address << options.path << std::endl;
  if (options.dashboard) telemetry::log_info("dashboard", {{"url", "http://" + address + "/ui/"}});

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    telemetry::log_info("stop signal received", {{"signal", signal_number}});
    server.stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"scanner-mcp: the MCP server in front of the scanner worker"};
  bool stdio = false;
  app.add_flag("--stdio", stdio, "serve one client over stdin/stdout (newline-delimited JSON-RPC) instead of HTTP");
  app.footer(
      "Configuration: REDIS_URL, DATA_DIR, SCANNER_CONFIG, LOG_LEVEL, LOG_FORMAT as for the worker; MCP_LISTEN_ADDR "
      "(127.0.0.1:8000), MCP_AUTH_TOKENS_FILE, MCP_ALLOWED_ORIGINS, MCP_CREDENTIALS_FILE, MCP_SESSION_IDLE_SECONDS, "
      "MCP_MAX_TARGETS and more in docs/mcp.md. Exit codes: 0 stopped, 2 bad configuration.");
  CLI11_PARSE(app, argc, argv);
  try {
    const mcp::McpSettings settings = mcp::load_settings();
    const auto level = telemetry::parse_log_level(settings.environment.log_level);
    const auto format = telemetry::parse_log_format(settings.environment.log_format);
    telemetry::configure_logging(level.value_or(telemetry::LogLevel::info), format.value_or(telemetry::LogFormat::json),
                                 &std::cerr);
    const auto shared = load_shared(settings);
    const mcp::Protocol protocol(SW_VERSION);
    if (stdio) {
      mcp::Backend backend(shared);
      mcp::serve_stdio(std::cin, std::cout, protocol, backend, max_request_bytes);
      return 0;
    }
    return serve_http(shared, protocol);
  } catch (const core::Error& e) {
    std::cerr << "scanner-mcp: " << e.what() << '\n';
    return 2;
  }
}
