// failover-node: the composition root. Parses the command line and hands over to a command.

#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "failover/app/command_line.h"
#include "failover/app/version.h"

int main(int argc, char** argv) {
  using failover::app::Command;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto command_line = failover::app::parseCommandLine(args);
  if (!command_line) {
    std::fprintf(stderr, "failover-node: %s\n", command_line.status().message().c_str());
    return 2;
  }
  switch (command_line->command) {
    case Command::Help:
      std::fputs(failover::app::usageText().c_str(), stdout);
      return 0;
    case Command::Version:
      std::printf("failover-node %s\n", failover::app::kVersion);
      return 0;
    case Command::CheckConfig:
      return failover::app::runCheckConfig(*command_line);
    case Command::TestConnection:
      return failover::app::runTestConnection(*command_line);
    case Command::Run:
      return failover::app::runDaemon(*command_line);
  }
  return 2;
}
