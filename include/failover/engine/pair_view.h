#pragma once

// Read-only snapshots of a pair's state, for publishing B/pair/<p>/state (SPEC 5.2, F10).
// Built on demand by FailoverEngine::pairView(); not on the hot path.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "failover/config/config.h"
#include "failover/core/enum_names.h"
#include "failover/core/time.h"
#include "failover/engine/switch_event.h"

namespace failover::engine {

// The state of one check of one machine.
//  Unknown: nothing heard since start (becomes Stale once start-up grace is over);
//  Stale:   silent for stale_after_ms (engine, videoio and network only).
enum class CheckStatus { Unknown, Ok, Warn, Fail, Stale };
inline constexpr std::array kCheckStatusNames = {
    core::EnumName{CheckStatus::Unknown, "unknown"}, core::EnumName{CheckStatus::Ok, "ok"},
    core::EnumName{CheckStatus::Warn, "warn"},       core::EnumName{CheckStatus::Fail, "fail"},
    core::EnumName{CheckStatus::Stale, "stale"},
};
static_assert(core::isNameTable(kCheckStatusNames, CheckStatus::Stale));

// A machine's summary for one pair:
//  Fail: one of the pair's triggers is failing;  Critical: a critical condition that is not
//  among the pair's triggers;  Unknown: a trigger has no data yet;  Warn: a warning (a check
//  reports warn, a non-trigger check failed or is stale, a warning rule holds);  Ok otherwise.
enum class MachineStatus { Ok, Warn, Unknown, Critical, Fail };
inline constexpr std::array kMachineStatusNames = {
    core::EnumName{MachineStatus::Ok, "ok"},
    core::EnumName{MachineStatus::Warn, "warn"},
    core::EnumName{MachineStatus::Unknown, "unknown"},
    core::EnumName{MachineStatus::Critical, "critical"},
    core::EnumName{MachineStatus::Fail, "fail"},
};
static_assert(core::isNameTable(kMachineStatusNames, MachineStatus::Fail));

// idle: Main on air; switching: a switch is in flight (or waits for the router);
// active: Backup on air; degraded: the on-air machine is unknown or failing and not replaced.
enum class FailoverState { Idle, Switching, Active, Degraded };
inline constexpr std::array kFailoverStateNames = {
    core::EnumName{FailoverState::Idle, "idle"},
    core::EnumName{FailoverState::Switching, "switching"},
    core::EnumName{FailoverState::Active, "active"},
    core::EnumName{FailoverState::Degraded, "degraded"},
};
static_assert(core::isNameTable(kFailoverStateNames, FailoverState::Degraded));

struct CheckView {
  config::Check check = config::Check::Engine;
  CheckStatus status = CheckStatus::Unknown;
  std::string detail;
  friend bool operator==(const CheckView&, const CheckView&) = default;
};

struct MachineView {
  std::string id;
  bool healthy = false;   // every trigger of the pair is known and not failing
  bool critical = false;  // a critical condition holds (parameter, diagnostics, rule)
  MachineStatus status = MachineStatus::Unknown;
  std::vector<CheckView> checks;           // status, engine, videoio, network, diagnostics
  std::optional<std::string> engine_mode;  // last reported ("live", "edit", ...)
  std::vector<std::string> active_rules;   // rules currently raising their severity
  friend bool operator==(const MachineView&, const MachineView&) = default;
};

// One signal of a pair (fill, key, program, ...): its outputs, its input on each machine and
// what the router shows on its outputs.
struct SignalView {
  std::string signal;
  std::vector<int> outputs;
  int main_input = 0;
  int backup_input = 0;
  std::optional<int> input;  // the input on the signal's outputs, when they all agree
  friend bool operator==(const SignalView&, const SignalView&) = default;
};

struct RouterView {
  std::string id;
  bool enabled = true;
  bool connected = false;
  std::vector<int> outputs;
  std::optional<int> input;         // the input on the pair's outputs, when they all agree
  std::vector<int> locked_outputs;  // pair outputs locked by another client
  std::vector<SignalView> signals;  // in configuration order; one (program) for the shorthand
  friend bool operator==(const RouterView&, const RouterView&) = default;
};

struct PairWarning {
  std::string code;  // e.g. "output_locked", "feature_mismatch", "backup_busy"
  std::string message;
  friend bool operator==(const PairWarning&, const PairWarning&) = default;
};

struct PairView {
  std::string pair;
  std::string main;
  std::string backup;
  std::optional<std::string> active;  // unset while the routing does not say
  config::FailoverMode mode = config::FailoverMode::Auto;
  bool armed = true;
  FailoverState failover = FailoverState::Degraded;
  bool switch_advised = false;
  std::vector<MachineView> machines;  // Main, then Backup
  RouterView router;
  std::vector<PairWarning> warnings;
  std::optional<SwitchEvent> last_switch;
  friend bool operator==(const PairView&, const PairView&) = default;
};

const char* toString(CheckStatus status);    // "unknown", "ok", "warn", "fail", "stale"
const char* toString(MachineStatus status);  // "ok", "warn", "unknown", "critical", "fail"
const char* toString(FailoverState state);   // "idle", "switching", "active", "degraded"

}  // namespace failover::engine
