// Terminal output helpers of scanctl.
#include "terminal.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "core/errors.hpp"

namespace sw::scanctl {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

bool colours_enabled() {
  const char* no_colour = std::getenv("NO_COLOR");
  return stdout_is_terminal() && (no_colour == nullptr || *no_colour == '\0');
}

std::string paint(std::string_view text, Colour colour) {
  if (colour == Colour::none || !colours_enabled()) return std::string(text);
  const char* code = "";
  switch (colour) {
    case Colour::red:
      code = "31";
      break;
    case Colour::green:
      code = "32";
      break;
    case Colour::yellow:
      code = "33";
      break;
    case Colour::cyan:
      code = "36";
      break;
    case Colour::dim:
      code = "2";
      break;
    case Colour::bold:
      code = "1";
      break;
    case Colour::none:
      break;
  }
  return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
}

Colour status_colour(std::string_view status) {
  if (status == "completed" || status == "success") return Colour::green;
  if (status == "failed" || status == "timeout") return Colour::red;
  if (status == "running" || status == "partial") return Colour::yellow;
  if (status == "queued") return Colour::cyan;
  return Colour::none;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add(std::vector<Cell> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths;
  for (const auto& header : headers_) widths.push_back(header.size());
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].text.size());
  }
  const auto line = [&](const std::vector<Cell>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const bool last = i + 1 == cells.size();
      text += paint(cells[i].text, cells[i].colour);
      if (!last) text += std::string(widths[i] - cells[i].text.size() + 2, ' ');
    }
    out << text << '\n';
  };
  std::vector<Cell> header_cells;
  for (const auto& header : headers_) header_cells.push_back({header, Colour::bold});
  line(header_cells);
  for (const auto& row : rows_) line(row);
}

std::string format_duration(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  const long long days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60, secs = total % 60;
  char text[32];
  if (days > 0) {
    std::snprintf(text, sizeof text, "%lldd %02lldh", days, hours);
  } else if (hours > 0) {
    std::snprintf(text, sizeof text, "%lldh %02lldm", hours, minutes);
  } else if (minutes > 0) {
    std::snprintf(text, sizeof text, "%lldm %02llds", minutes, secs);
  } else {
    std::snprintf(text, sizeof text, "%llds", secs);
  }
  return text;
}

std::string progress_bar(double percent, int width) {
  const double clamped = std::clamp(percent, 0.0, 100.0);
  const int filled = static_cast<int>(std::lround(clamped / 100.0 * width));
  char number[16];
  std::snprintf(number, sizeof number, "%5.1f%%", clamped);
  return "[" + paint(std::string(static_cast<std::size_t>(filled), '#'), Colour::green) +
         std::string(static_cast<std::size_t>(width - filled), '-') + "] " + number;
}

void print_json(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

bool confirm(const std::string& question) {
  if (isatty(STDIN_FILENO) != 1 || !stdout_is_terminal()) return true;
  std::cout << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string read_secret_from_terminal(const std::string& prompt) {
  const int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw core::Error(core::ErrorKind::bad_input, "--password-prompt needs a terminal");
  termios saved{};
  const bool has_termios = tcgetattr(fd, &saved) == 0;
  if (has_termios) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  const ssize_t prompt_written = write(fd, prompt.data(), prompt.size());
  std::string secret;
  char c = 0;
  while (read(fd, &c, 1) == 1 && c != '\n') {
    if (c != '\r') secret.push_back(c);
  }
  if (has_termios) tcsetattr(fd, TCSAFLUSH, &saved);
  const ssize_t newline_written = write(fd, "\n", 1);
  close(fd);
  if (prompt_written < 0 || newline_written < 0) {
    throw core::Error(core::ErrorKind::bad_input, "cannot write the password prompt to the terminal");
  }
  return secret;
}

}  // namespace sw::scanctl
