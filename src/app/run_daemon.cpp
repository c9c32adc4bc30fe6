#include <cstdio>

#include "commands.h"

namespace failover::app {

int runDaemon(const CommandLine& /*command_line*/) {
  std::fprintf(stderr, "failover-node: --config is not available in this build yet\n");
  return 1;
}

}  // namespace failover::app
