#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <thread>

#include <sys/prctl.h>
#include <sys/wait.h>

namespace failover::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv) {
  if (argv.empty()) {
    throw std::runtime_error("ChildProcess needs a program");
  }
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  std::vector<char*> raw;
  raw.reserve(argv.size() + 1);
  for (auto& arg : argv) {
    raw.push_back(arg.data());
  }
  raw.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    // If the test dies, its children die with it instead of lingering on a port.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  stdin_fd_ = to_child[1];
  stdout_fd_ = from_child[0];
  // A child that exits must not kill the test with SIGPIPE when we write to it.
  ::signal(SIGPIPE, SIG_IGN);
}

ChildProcess::~ChildProcess() {
  stop(SIGTERM, std::chrono::milliseconds(3000));
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);
  }
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
  }
}

std::optional<std::string> ChildProcess::readLine(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    if (stdout_fd_ < 0) {
      return std::nullopt;
    }
    pollfd descriptor{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&descriptor, 1, remainingMs(deadline));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return std::nullopt;
    }
    char chunk[4096];
    const ssize_t count = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (count <= 0) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
      continue;
    }
    buffer_.append(chunk, static_cast<size_t>(count));
  }
}

std::optional<std::string> ChildProcess::waitForLine(const std::string& prefix,
                                                     std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto line = readLine(std::chrono::milliseconds(remainingMs(deadline)));
    if (!line) {
      return std::nullopt;
    }
    if (line->rfind(prefix, 0) == 0) {
      return line;
    }
  }
  return std::nullopt;
}

bool ChildProcess::writeLine(const std::string& line) {
  if (stdin_fd_ < 0) {
    return false;
  }
  const std::string data = line + "\n";
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t count = ::write(stdin_fd_, data.data() + written, data.size() - written);
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count <= 0) {
      return false;
    }
    written += static_cast<size_t>(count);
  }
  return true;
}

void ChildProcess::closeStdin() {
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
}

std::optional<int> ChildProcess::waitForExit(std::chrono::milliseconds timeout) {
  if (exit_status_) {
    return exit_status_;
  }
  if (pid_ <= 0) {
    return std::nullopt;
  }
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t result = ::waitpid(pid_, &status, WNOHANG);
    if (result == pid_) {
      exit_status_ = status;
      return exit_status_;
    }
    if (result < 0 || Clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::optional<int> ChildProcess::stop(int signal_number, std::chrono::milliseconds timeout) {
  if (exit_status_ || pid_ <= 0) {
    return exit_status_;
  }
  ::kill(pid_, signal_number);
  if (auto status = waitForExit(timeout)) {
    return status;
  }
  ::kill(pid_, SIGKILL);
  return waitForExit(std::chrono::milliseconds(5000));
}

bool ChildProcess::running() {
  return !waitForExit(std::chrono::milliseconds(0)).has_value();
}

std::string binaryPath(const std::string& name) {
  return std::string(FAILOVER_BIN_DIR) + "/" + name;
}

}  // namespace failover::testing
