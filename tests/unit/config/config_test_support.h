#pragma once

// Helpers shared by the configuration tests: fixture paths and rendered diagnostics.

#include <string>
#include <vector>

#include "failover/config/loader.h"

namespace failover::config::testing {

inline std::string fixturePath(const std::string& name) {
  return std::string(FAILOVER_TEST_DATA_DIR) + "/config/" + name;
}

// Renders diagnostics with `file` as the file name, so expectations do not depend on where
// the source tree lives.
inline std::vector<std::string> renderAs(const std::vector<Diagnostic>& diagnostics,
                                         const std::string& file) {
  std::vector<std::string> lines;
  for (Diagnostic diagnostic : diagnostics) {
    diagnostic.file = file;
    lines.push_back(diagnostic.render());
  }
  return lines;
}

}  // namespace failover::config::testing
