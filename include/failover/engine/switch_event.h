#pragma once

// The record of one switch (or failed switch) of a pair, as the engine emits it and as the
// pair's state keeps the last one. The daemon turns it into the JSON of SPEC 5.2, converting
// the monotonic times into wall-clock timestamps and latencies.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "failover/config/config.h"
#include "failover/core/enum_names.h"
#include "failover/core/time.h"

namespace failover::engine {

enum class SwitchEventType { Failover, ManualSwitch, Failback, ExternalSwitch, SwitchFailed };
inline constexpr std::array kSwitchEventTypeNames = {
    core::EnumName{SwitchEventType::Failover, "failover"},
    core::EnumName{SwitchEventType::ManualSwitch, "manual_switch"},
    core::EnumName{SwitchEventType::Failback, "failback"},
    core::EnumName{SwitchEventType::ExternalSwitch, "external_switch"},
    core::EnumName{SwitchEventType::SwitchFailed, "switch_failed"},
};
static_assert(core::isNameTable(kSwitchEventTypeNames, SwitchEventType::SwitchFailed));

// Error codes of command replies and failed switches (SPEC 5.3).
enum class ErrorCode {
  BadRequest,
  UnknownPair,
  UnknownTarget,
  TargetUnhealthy,
  Busy,
  RouterDisconnected,
  RouterTimeout,
  NotAllowed,
  PortOutOfRange,  // a port of the pair is beyond the connected router's size
};
inline constexpr std::array kErrorCodeNames = {
    core::EnumName{ErrorCode::BadRequest, "bad_request"},
    core::EnumName{ErrorCode::UnknownPair, "unknown_pair"},
    core::EnumName{ErrorCode::UnknownTarget, "unknown_target"},
    core::EnumName{ErrorCode::TargetUnhealthy, "target_unhealthy"},
    core::EnumName{ErrorCode::Busy, "busy"},
    core::EnumName{ErrorCode::RouterDisconnected, "router_disconnected"},
    core::EnumName{ErrorCode::RouterTimeout, "router_timeout"},
    core::EnumName{ErrorCode::NotAllowed, "not_allowed"},
    core::EnumName{ErrorCode::PortOutOfRange, "port_out_of_range"},
};
static_assert(core::isNameTable(kErrorCodeNames, ErrorCode::PortOutOfRange));

// What caused a decision: the machine, the check ("engine", "videoio", "network", "status"
// or "critical"), its status ("fail", "stale", "offline", "critical", "ok") and a detail.
struct TriggerInfo {
  std::string machine;
  std::string check;
  std::string status;
  std::string detail;
  friend bool operator==(const TriggerInfo&, const TriggerInfo&) = default;
};

// What a switch moves for one signal: its outputs from one input to another.
struct SignalRoute {
  std::string signal;
  std::vector<int> outputs;
  std::optional<int> input_from;  // unset when the machine it came from is unknown
  int input_to = 0;
  friend bool operator==(const SignalRoute&, const SignalRoute&) = default;
};

struct SwitchEvent {
  SwitchEventType type = SwitchEventType::Failover;
  // For SwitchFailed: what was attempted (Failover, ManualSwitch or Failback).
  SwitchEventType attempted = SwitchEventType::Failover;
  std::string pair;
  uint64_t seq = 0;                 // per pair, from 1
  std::optional<std::string> from;  // machine ids; unset when unknown
  std::optional<std::string> to;
  std::string reason;  // human-readable
  std::optional<TriggerInfo> trigger;
  std::optional<std::string> requested_by;
  std::optional<std::string> transaction;
  config::FailoverMode mode = config::FailoverMode::Auto;
  std::string router;
  std::vector<int> outputs;
  // The first signal's inputs (the only signal of a pair with one); `signals` has them all.
  std::optional<int> input_from;
  std::optional<int> input_to;
  std::vector<SignalRoute> signals;
  // detected: the condition was first seen (for a command: its arrival); commanded: the
  // RouteRequest was emitted; confirmed: the router's routing showed the target. Unset when
  // the stage did not happen.
  std::optional<core::MonoTime> detected;
  std::optional<core::MonoTime> commanded;
  std::optional<core::MonoTime> confirmed;
  bool ok = true;
  std::optional<ErrorCode> error;  // for SwitchFailed
  std::string error_message;

  friend bool operator==(const SwitchEvent&, const SwitchEvent&) = default;
};

const char* toString(SwitchEventType type);  // "failover", "manual_switch", ...
const char* toString(ErrorCode code);        // "bad_request", "unknown_pair", ...

}  // namespace failover::engine
