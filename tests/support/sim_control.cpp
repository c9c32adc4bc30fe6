#include "support/sim_control.h"

#include <chrono>
#include <sstream>

namespace failover::testing {

std::string simCommand(ChildProcess* sim, const std::string& command) {
  using Clock = std::chrono::steady_clock;
  if (sim == nullptr || !sim->writeLine(command)) {
    return "error no simulator";
  }
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (Clock::now() < deadline) {
    auto line = sim->readLine(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!line) {
      break;
    }
    if (line->rfind("ok", 0) == 0 || line->rfind("error", 0) == 0) {
      return *line;
    }
  }
  return "error no answer";
}

std::map<int, int> parseSimRoutes(const std::string& status) {
  std::map<int, int> routes;
  const auto at = status.find("routes=");
  if (at == std::string::npos) {
    return routes;
  }
  std::istringstream list(status.substr(at + 7));
  std::string item;
  while (std::getline(list, item, ',')) {
    const auto colon = item.find(':');
    if (colon != std::string::npos) {
      routes[std::stoi(item.substr(0, colon))] = std::stoi(item.substr(colon + 1));
    }
  }
  return routes;
}

}  // namespace failover::testing
