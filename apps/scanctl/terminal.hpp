// Human output for scanctl: colours (only when stdout is a terminal and NO_COLOR is unset),
// aligned tables, durations, a progress bar, confirmations and reading a secret without
// echo. JSON output goes through print_json.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sw::scanctl {

enum class Colour { none, red, green, yellow, cyan, dim, bold };

bool stdout_is_terminal();
bool colours_enabled();

// `text` wrapped in the colour's escape codes when colours are enabled.
std::string paint(std::string_view text, Colour colour);

// The colour of a task status ("completed", "failed", ...) or authentication status.
Colour status_colour(std::string_view status);

struct Cell {
  std::string text;
  Colour colour = Colour::none;
};

// Columns padded to their widest cell; headers bold; colours never affect alignment.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add(std::vector<Cell> row);
  bool empty() const { return rows_.empty(); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> rows_;
};

// "3d 04h", "1h 02m", "4m 05s", "12s".
std::string format_duration(double seconds);

// "[##########----------]  50.0%"
std::string progress_bar(double percent, int width = 30);

// Pretty JSON on stdout (invalid UTF-8 replaced).
void print_json(const nlohmann::json& value);

// On a terminal (stdin and stdout) asks `question` and returns true for y/yes; without a
// terminal there is nobody to ask and it returns true.
bool confirm(const std::string& question);

// Reads a line from /dev/tty with echo off, after printing `prompt` there. Throws
// core::Error(bad_input) when there is no terminal.
std::string read_secret_from_terminal(const std::string& prompt);

}  // namespace sw::scanctl
