// scanctl: entry point; the subcommands live in their own files (see commands.hpp).
#include <CLI/CLI.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"scanctl: scanner worker operations"};
  app.require_subcommand(1);
  int exit_code = 0;
  sw::scanctl::add_validate_command(app, exit_code);
  sw::scanctl::add_results_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
