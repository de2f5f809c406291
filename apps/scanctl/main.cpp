// scanctl: entry point; the subcommands live in their own files (see commands.hpp).
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  CLI::App app{"scanctl: scanner worker operations"};
  app.require_subcommand(1);
  app.footer(
      "Configuration: REDIS_URL, DATA_DIR and SCANNER_CONFIG as for the worker; --redis-url, --data-dir and "
      "--config override them.\n"
      "Exit codes: 0 ok; 1 not found, invalid or refused (validate/results: invalid export); 2 usage error, bad "
      "configuration, Redis unreachable (validate/results: missing or unreadable file; see their --help).\n"
      "Human output on a terminal (colours unless NO_COLOR is set); --json for scripts.");
  int exit_code = sw::scanctl::exit_ok;
  sw::scanctl::add_submit_command(app, exit_code);
  sw::scanctl::add_task_commands(app, exit_code);
  sw::scanctl::add_queue_commands(app, exit_code);
  sw::scanctl::add_capacity_commands(app, exit_code);
  sw::scanctl::add_validate_command(app, exit_code);
  sw::scanctl::add_results_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int cli_code = app.exit(e);
    return cli_code == static_cast<int>(CLI::ExitCodes::Success) ? sw::scanctl::exit_ok : sw::scanctl::exit_usage;
  }
  return exit_code;
}
