#include <cstdio>

#include "commands.h"

namespace failover::app {

int runTestConnection(const CommandLine& /*command_line*/) {
  std::fprintf(stderr, "failover-node: --test-connection is not available in this build yet\n");
  return 1;
}

}  // namespace failover::app
