// scanner-worker: reads the environment and scanners.yaml, then runs the worker until
// SIGTERM/SIGINT (graceful: scans finish within SHUTDOWN_GRACE_SECONDS or are handed
// back; a second signal exits at once). SIGHUP reloads scanners.yaml.
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <iostream>

#include "config/environment.hpp"
#include "config/scanners.hpp"
#include "core/errors.hpp"
#include "http/status_endpoint.hpp"
#include "nessus/scanner_client.hpp"
#include "queue/redis_connection.hpp"
#include "telemetry/log.hpp"
#include "worker/worker.hpp"

namespace {

namespace asio = boost::asio;
using namespace sw;

std::vector<std::string> pools_to_serve(const config::Environment& env, const config::ScannersConfig& scanners) {
  if (env.worker_pools.empty()) {
    std::vector<std::string> all;
    for (const auto& [name, pool] : scanners.pools) all.push_back(name);
    return all;
  }
  for (const auto& pool : env.worker_pools) {
    if (!scanners.find_pool(pool)) {
      throw core::Error(core::ErrorKind::bad_input, "WORKER_POOLS names pool '" + pool + "', which " +
                                                        scanners.source.string() + " does not define");
    }
  }
  return env.worker_pools;
}

nlohmann::json describe_pools(const config::ScannersConfig& scanners, const std::vector<std::string>& pools) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& name : pools) {
    const auto* pool = scanners.find_pool(name);
    nlohmann::json entry = {{"pool", name}, {"capacity", pool->capacity()}, {"scanners", nlohmann::json::array()}};
    for (const auto& scanner : pool->scanners) {
      entry["scanners"].push_back({{"instance_id", scanner.instance_id},
                                   {"url", scanner.url},
                                   {"max_concurrent_scans", scanner.max_concurrent_scans},
                                   {"verify_ssl", scanner.verify_ssl}});
    }
    out.push_back(entry);
  }
  return out;
}

int run() {
  const config::Environment env = config::load_environment();
  const queue::RedisOptions redis_options = queue::redis_options(env);  // a bad REDIS_URL stops here
  telemetry::configure_logging(*telemetry::parse_log_level(env.log_level),
                               *telemetry::parse_log_format(env.log_format));
  config::ScannersConfig scanners_config = config::load_scanners_config(env.scanner_config);
  const std::vector<std::string> pools = pools_to_serve(env, scanners_config);
  telemetry::log_info("scanner-worker starting", {{"configuration", nlohmann::json::parse(config::describe(env))},
                                                  {"pools", describe_pools(scanners_config, pools)}});

  asio::io_context io(1);
  asio::thread_pool cpu(2);
  asio::thread_pool export_writes(2);
  const worker::WorkerSettings settings = worker::make_settings(env);
  worker::RedisLanes redis(redis_options, {env.worker_id, worker::to_millis(env.heartbeat_ttl), env.max_deliveries}, 4);
  store::TaskStore store(env.data_dir);
  telemetry::Metrics metrics;
  core::SystemClock clock;
  worker::ScannerRegistry scanners(std::move(scanners_config), [&](const config::ScannerConfig& scanner) {
    nessus::ClientOptions options;
    options.on_request = [&metrics, id = scanner.instance_id](std::string_view endpoint, int status, double seconds) {
      metrics.api_request(id, std::string(endpoint), status, seconds);
    };
    return std::make_shared<nessus::ScannerClient>(io.get_executor(), scanner, options);
  });
  worker::ScanListings listings(io.get_executor(), settings.poll_interval);
  worker::RedisTaskLedger ledger(redis, settings.claim_ttl, settings.lease_ttl);
  std::set<std::string> running_task_ids;
  worker::Services services{io.get_executor(), redis, ledger, store,         scanners, listings,
                            metrics,           clock, cpu,    export_writes, settings, running_task_ids};
  worker::Worker engine(services, pools);

  std::unique_ptr<http::Server> status_server;
  if (!env.metrics_addr.empty()) {
    const auto [host, port] = config::parse_listen_address(env.metrics_addr);
    http::ServerOptions options;
    options.bind_address = host;
    options.port = port;
    options.max_connections = env.metrics_max_connections.value_or(options.max_connections);
    status_server = std::make_unique<http::Server>(
        io, options,
        http::make_status_handler([&metrics] { return metrics.serialize(); },
                                  [&engine] {
                                    return http::Readiness{engine.ready(), engine.ready()
                                                                               ? "redis reachable, configuration loaded"
                                                                               : "redis unreachable or shutting down"};
                                  }));
    status_server->start();
    telemetry::log_info("status endpoint listening", {{"address", host + ":" + std::to_string(status_server->port())},
                                                      {"max_connections", options.max_connections}});
  }

  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  int stop_signals = 0;
  std::function<void()> wait_for_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
      if (error) return;
      if (signal_number == SIGHUP) {
        try {
          engine.reload(config::load_scanners_config(env.scanner_config));
        } catch (const core::Error& e) {
          telemetry::log_error("scanners.yaml reload failed; keeping the previous configuration",
                               {{"error", e.what()}});
        }
      } else if (++stop_signals == 1) {
        telemetry::log_info("stop signal received", {{"signal", signal_number}});
        engine.request_shutdown();
      } else {
        telemetry::log_warning("second stop signal: exiting at once");
        std::_Exit(130);
      }
      wait_for_signal();
    });
  };
  wait_for_signal();

  asio::co_spawn(io, engine.run(), [&](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        telemetry::log_error("worker failed", {{"error", e.what()}});
      }
    }
    signals.cancel();
    if (status_server) status_server->stop();
    io.stop();
  });
  io.run();
  cpu.join();
  export_writes.join();
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const sw::core::Error& e) {
    std::cerr << "scanner-worker: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "scanner-worker: " << e.what() << "\n";
    return 1;
  }
}
