// What every Redis- or task-folder-facing subcommand shares: the --redis-url, --data-dir,
// --config and --json options over the worker's environment variables, the exit codes,
// and running a command with its errors turned into a message and an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>

#include "config/environment.hpp"
#include "config/scanners.hpp"
#include "queue/redis_connection.hpp"
#include "queue/task_queue.hpp"

namespace sw::scanctl {

constexpr int exit_ok = 0;
constexpr int exit_not_found = 1;  // not found, invalid input, refused
constexpr int exit_usage = 2;      // bad usage, unreadable configuration, Redis unreachable

// A bad environment variable or scanners.yaml: exit_usage.
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Settings {
  std::string redis_url;    // empty: $REDIS_URL
  std::string data_dir;     // empty: $DATA_DIR
  std::string config_path;  // empty: $SCANNER_CONFIG
  bool json = false;

  // The worker's environment (config::load_environment) with the flags applied.
  config::Environment environment() const;
  config::ScannersConfig scanners() const;
  queue::RedisOptions redis() const;
  // A queue client for admin calls: it never fetches, so it never registers as a worker.
  queue::TaskQueue task_queue() const;
};

// Adds --redis-url, --data-dir, --config and --json to a subcommand.
void add_settings_options(CLI::App& command, Settings& settings);

// Runs `body` and returns its exit code; a core::Error becomes "scanctl NAME: message" on
// stderr and exit_not_found (bad input, not found, conflict) or exit_usage (Redis or
// configuration unreachable); a CLI::ValidationError (options that do not fit together)
// or a SetupError is exit_usage too.
int run_command(const std::string& name, const std::function<int()>& body);

}  // namespace sw::scanctl
