#include <cstdio>

#include "commands.h"

namespace failover::app {

int runCheckConfig(const CommandLine& /*command_line*/) {
  std::fprintf(stderr, "failover-node: --check-config is not available in this build yet\n");
  return 1;
}

}  // namespace failover::app
