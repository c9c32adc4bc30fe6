#pragma once

// A child process for tests: one of our binaries, or mosquitto, started with pipes on its
// stdin and stdout (stderr is inherited so failures show in the test log). The destructor
// terminates and reaps it, so no test leaves a process behind.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace failover::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` (a path) with the given arguments. Throws std::runtime_error when the
  // process cannot be started.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Reads the next line of the child's stdout, without its newline. Returns nullopt when
  // the timeout passes first or the child closed its stdout.
  std::optional<std::string> readLine(std::chrono::milliseconds timeout);

  // Reads lines until one starts with `prefix`; returns that line, or nullopt on timeout.
  std::optional<std::string> waitForLine(const std::string& prefix,
                                         std::chrono::milliseconds timeout);

  // Writes `line` and a newline to the child's stdin. Returns false if the pipe is closed.
  bool writeLine(const std::string& line);

  // Closes the child's stdin (many programs stop on end of input).
  void closeStdin();

  // Sends `signal_number` and waits up to `timeout` for the exit; sends SIGKILL after that.
  // Returns the exit status as from waitpid, or nullopt if it was already reaped.
  std::optional<int> stop(int signal_number, std::chrono::milliseconds timeout);

  // Waits up to `timeout` for the child to exit by itself; returns its waitpid status.
  std::optional<int> waitForExit(std::chrono::milliseconds timeout);

  bool running();

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> exit_status_;
};

// Path of one of our binaries in the build tree, e.g. binaryPath("videohub-sim").
std::string binaryPath(const std::string& name);

}  // namespace failover::testing
