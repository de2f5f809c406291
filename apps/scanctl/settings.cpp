// Settings of the subcommands and the error-to-exit-code mapping.
#include "settings.hpp"

#include <unistd.h>

#include <iostream>

#include "core/errors.hpp"

namespace sw::scanctl {

namespace {

// Configuration problems are the operator's setup, not the request: exit_usage.
template <typename F>
auto setup_step(F step) -> decltype(step()) {
  try {
    return step();
  } catch (const core::Error& e) {
    throw SetupError(e.what());
  }
}

}  // namespace

config::Environment Settings::environment() const {
  config::Environment env = setup_step([] { return config::load_environment(); });
  if (!redis_url.empty()) env.redis_url = redis_url;
  if (!data_dir.empty()) env.data_dir = data_dir;
  if (!config_path.empty()) env.scanner_config = config_path;
  return env;
}

config::ScannersConfig Settings::scanners() const {
  const auto path = environment().scanner_config;
  return setup_step([&] { return config::load_scanners_config(path); });
}

queue::RedisOptions Settings::redis() const {
  const config::Environment env = environment();
  return setup_step([&] { return queue::redis_options(env); });
}

queue::TaskQueue Settings::task_queue() const {
  return queue::TaskQueue(redis(), queue::QueueSettings{"scanctl-" + std::to_string(getpid()), {}, 3});
}

void add_settings_options(CLI::App& command, Settings& settings) {
  command.add_option("--redis-url", settings.redis_url, "Redis URL (default $REDIS_URL or redis://redis:6379)");
  command.add_option("--data-dir", settings.data_dir, "task folder root (default $DATA_DIR or /app/data/tasks)");
  command.add_option("--config", settings.config_path,
                     "scanners.yaml (default $SCANNER_CONFIG or /app/config/scanners.yaml)");
  command.add_flag("--json", settings.json, "machine-readable JSON output");
}

int run_command(const std::string& name, const std::function<int()>& body) {
  try {
    return body();
  } catch (const core::Error& e) {
    std::cerr << "scanctl " << name << ": " << e.what() << '\n';
    switch (e.kind()) {
      case core::ErrorKind::bad_input:
      case core::ErrorKind::not_found:
      case core::ErrorKind::conflict:
      case core::ErrorKind::client:
        return exit_not_found;
      default:
        return exit_usage;
    }
  } catch (const std::exception& e) {
    std::cerr << "scanctl " << name << ": " << e.what() << '\n';
    return exit_usage;
  }
}

}  // namespace sw::scanctl
