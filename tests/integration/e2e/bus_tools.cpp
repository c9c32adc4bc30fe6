#include "bus_tools.h"

#include <chrono>
#include <stdexcept>
#include <vector>

#include <sys/wait.h>

#include "support/child_process.h"

namespace failover::e2e {
namespace {

void run(std::vector<std::string> argv, const std::string& what) {
  testing::ChildProcess publisher(std::move(argv));
  const auto status = publisher.waitForExit(std::chrono::milliseconds(5000));
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error("mosquitto_pub failed for " + what);
  }
}

}  // namespace

void publishOnce(uint16_t port, const std::string& topic, const std::string& payload, bool retain) {
  std::vector<std::string> argv{kMosquittoPub, "-h", "127.0.0.1", "-p",  std::to_string(port),
                                "-q",          "1",  "-t",        topic, "-m",
                                payload};
  if (retain) {
    argv.push_back("-r");
  }
  run(std::move(argv), topic);
}

void publishFile(uint16_t port, const std::string& topic, const std::filesystem::path& file) {
  run({kMosquittoPub, "-h", "127.0.0.1", "-p", std::to_string(port), "-q", "1", "-t", topic, "-f",
       file.string()},
      topic);
}

}  // namespace failover::e2e
