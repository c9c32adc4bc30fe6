#pragma once

// Loads the facility's YAML configuration (SPEC section 4) into a Config and validates it.
// Every problem in the file is reported at once, each with its line and column; nothing in
// the input can make the loader throw, crash or hang. Pure apart from reading the one file.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "failover/config/config.h"
#include "failover/config/diagnostic.h"

namespace failover::config {

// Configuration files larger than this are refused before parsing.
inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

// At most this many errors are returned (the first in file order), then one last error
// saying that the rest were left out. Warnings are capped the same way.
inline constexpr std::size_t kMaxReportedErrors = 200;

struct LoadResult {
  Config config;                     // meaningful only when ok()
  std::vector<Diagnostic> errors;    // in file order
  std::vector<Diagnostic> warnings;  // in file order; do not prevent loading

  bool ok() const { return errors.empty(); }
};

// Reads and validates the file at `path`. A missing file, a directory, a special file, an
// empty file, a file over kMaxConfigBytes or one that is not UTF-8 text gives exactly one
// error without a position. Diagnostics name the file as `path` was given.
LoadResult loadConfigFile(const std::string& path);

// Parses and validates `text` as if read from a file called `display_name` (used only in
// diagnostics). The same bounds and checks as loadConfigFile apply.
LoadResult loadConfigString(std::string_view text, const std::string& display_name);

// "2 pairs, 4 machines, 1 router": what --check-config prints after "OK: ".
std::string summarize(const Config& config);

}  // namespace failover::config
