#pragma once

// The run-time settings an operator can change over MQTT (per pair: mode and armed; per
// router: enabled), saved to the configured state_file so they survive a restart (F4).
// The YAML gives the defaults; the state file overrides them at start.
//
// File format (JSON, UTF-8):
//   {"version":1,"pairs":{"green":{"mode":"auto","armed":true}},
//    "routers":{"vh1":{"enabled":true}}}
// Unknown members are ignored, so later versions can add settings.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "failover/config/config.h"
#include "failover/core/result.h"

namespace failover::config {

// State files larger than this are refused as corrupt.
inline constexpr std::size_t kMaxStateFileBytes = 1024 * 1024;

struct PairRunState {
  std::optional<FailoverMode> mode;
  std::optional<bool> armed;
  friend bool operator==(const PairRunState&, const PairRunState&) = default;
};

struct RouterRunState {
  std::optional<bool> enabled;
  friend bool operator==(const RouterRunState&, const RouterRunState&) = default;
};

struct RunState {
  std::map<std::string, PairRunState> pairs;      // by pair id
  std::map<std::string, RouterRunState> routers;  // by router id
  friend bool operator==(const RunState&, const RunState&) = default;
};

// Reads the state file. A file that does not exist yet gives an empty RunState (first
// start). A file that cannot be read, is too large or is not a valid state document gives
// an error whose message says why in one line; the caller reports it and starts from the
// configuration's values. Never throws.
core::Result<RunState> loadRunState(const std::string& path);

// Writes `state` atomically: a temporary file "<path>.tmp" in the same directory is
// written, fsync'ed and renamed over `path`, then the directory is fsync'ed. Readers see
// either the old file or the new one, never a partial file. Creates missing parent
// directories. On failure the previous file is left untouched and the error says why.
core::Status saveRunState(const std::string& path, const RunState& state);

// Overrides the matching pairs' mode/armed and routers' enabled in `config`. Returns one
// warning line per entry that names a pair or router the configuration does not have
// (those entries are ignored).
std::vector<std::string> applyRunState(Config& config, const RunState& state);

// The run-time settings as they stand in `config` (to save after a change).
RunState runStateOf(const Config& config);

}  // namespace failover::config
