#pragma once

// The commands failover-node can run, one per file. Each returns the process exit code and
// prints its own output; main() only parses the command line and dispatches.

#include "failover/app/command_line.h"

namespace failover::app {

int runDaemon(const CommandLine& command_line);          // --config FILE
int runCheckConfig(const CommandLine& command_line);     // --check-config FILE
int runTestConnection(const CommandLine& command_line);  // --test-connection HOST[:PORT]
// --test-connection --config FILE: every router of the file, checked against the file.
int runTestConfiguredRouters(const CommandLine& command_line);

}  // namespace failover::app
