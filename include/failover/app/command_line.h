#pragma once

// The failover-node command line (SPEC section 3), parsed into a plain struct. Parsing is
// pure: it never prints or exits, so every mistake a person can type is unit-tested.

#include <cstdint>
#include <string>
#include <vector>

#include "failover/core/result.h"

namespace failover::app {

enum class Command { Run, CheckConfig, TestConnection, Version, Help };

enum class LogFormat { Text, Json };

struct CommandLine {
  Command command = Command::Help;
  std::string config_path;         // --config or --check-config FILE (or the routers to test)
  std::string router_address;      // --test-connection HOST[:PORT]
  bool json = false;               // --json (test-connection output)
  int64_t timeout_ms = 3000;       // --timeout-ms (test-connection), 1..600000
  std::string log_level = "info";  // trace|debug|info|warn|error
  LogFormat log_format = LogFormat::Text;
};

// Parses argv without the program name. An error Status explains the first problem in one
// line, naming the flag, ready to be printed after "failover-node: ".
core::Result<CommandLine> parseCommandLine(const std::vector<std::string>& args);

// The --help text.
std::string usageText();

}  // namespace failover::app
