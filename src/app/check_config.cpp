#include <cstdio>

#include "commands.h"
#include "failover/config/loader.h"

namespace failover::app {

// Warnings and errors go to stderr, one per line in the FILE:LINE:COL format and nothing
// else, so editors can parse them; the one-line verdict on success goes to stdout.
int runCheckConfig(const CommandLine& command_line) {
  const config::LoadResult result = config::loadConfigFile(command_line.config_path);
  for (const auto& warning : result.warnings) {
    std::fprintf(stderr, "%s\n", warning.render().c_str());
  }
  if (!result.ok()) {
    for (const auto& error : result.errors) {
      std::fprintf(stderr, "%s\n", error.render().c_str());
    }
    return 1;
  }
  std::printf("OK: %s\n", config::summarize(result.config).c_str());
  return 0;
}

}  // namespace failover::app
