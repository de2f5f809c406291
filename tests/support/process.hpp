// A child process for tests: started with arguments and extra environment, its
// standard output readable line by line, stopped (SIGTERM, then SIGKILL) on destruction.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sw::testing {

class ChildProcess {
 public:
  // argv[0] is the program path. stderr goes to `stderr_path` when given (else inherited).
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
               std::string stderr_path = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Reads stdout until a line containing `needle` arrives; returns that line, or
  // nullopt on EOF or when `timeout` passes.
  std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);

  // Everything read from stdout so far plus what is available now.
  std::string drain_stdout();

  void signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  // SIGTERM, wait up to `grace`, then SIGKILL.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> exit_code_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for servers that cannot take 0).
int free_port();

// Path of a program of this build: <build>/apps/<name>/<name>, or
// <build>/devtools/<name>/<name> for a development tool (nessus-sim).
std::string program_path(const std::string& name);

// Waits until `condition` is true, polling every `step`; false on timeout.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(20));

}  // namespace sw::testing

#include "support/process_inl.hpp"
