#pragma once

// The run-time settings an operator can change over MQTT (per pair: mode and armed; per
// router: enabled), saved to the configured state_file so they survive a restart (F4).
//
// The file keeps only what was changed at run time, each setting with the YAML value it
// replaced ("overrode"). At start an override applies while the YAML still says what it
// overrode; once the YAML has been edited since, the YAML wins and the override is dropped
// with a warning. So a later edit of the YAML is never silently overridden.
//
// File format (JSON, UTF-8):
//   {"version":1,
//    "pairs":{"green":{"mode":"manual","overrode":{"mode":"auto"}}},
//    "routers":{"vh1":{"enabled":false,"overrode":{"enabled":true}}}}
// Unknown members are ignored, so later versions can add settings. Files of older versions
// have no "overrode": see applyRunState.

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

// What the state file holds: the settings changed at run time, and for each of them the
// configured (YAML) value it replaced. `overrode` names the same settings as `values`; a
// setting missing from `overrode` comes from a file written by an older version.
struct RunStateOverrides {
  RunState values;
  RunState overrode;
  friend bool operator==(const RunStateOverrides&, const RunStateOverrides&) = default;
};

// Reads the state file. A file that does not exist yet gives no overrides (first start). A
// file that cannot be read, is too large or is not a valid state document gives an error
// whose message says why in one line; the caller reports it and starts from the
// configuration's values. Never throws.
core::Result<RunStateOverrides> loadRunState(const std::string& path);

// Writes `overrides` atomically: a temporary file "<path>.tmp" in the same directory is
// written, fsync'ed and renamed over `path`, then the directory is fsync'ed. Readers see
// either the old file or the new one, never a partial file. Creates missing parent
// directories. On failure the previous file is left untouched and the error says why.
core::Status saveRunState(const std::string& path, const RunStateOverrides& overrides);

// The settings of `current` that differ from `configured` (the YAML's), each with the
// configured value it overrides: what the state file should hold. A setting set back to
// the YAML's value is no override, so it is left out.
RunStateOverrides overridesOf(const RunState& current, const RunState& configured);

// Applies the saved overrides to `config`, which holds the YAML's values:
// - an override whose `overrode` equals the YAML's value applies;
// - an override whose `overrode` differs (the YAML was edited since) is dropped: the YAML
//   wins, with a warning naming the setting, the YAML value and the dropped override;
// - a value without `overrode` (older file, which saved every setting) applies when it
//   differs from the YAML, with a warning that it is kept as an override of the YAML's
//   current value; equal to the YAML it changes nothing;
// - entries naming a pair or router the configuration does not have are ignored with a
//   warning.
// Returns the warnings, one line each.
std::vector<std::string> applyRunState(Config& config, const RunStateOverrides& saved);

// The run-time settings as they stand in `config`.
RunState runStateOf(const Config& config);

}  // namespace failover::config
