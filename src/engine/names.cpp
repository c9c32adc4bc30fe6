// Lower-case names of the engine's enums, as published in MQTT payloads (SPEC 5.2, 5.3).

#include "failover/engine/actions.h"
#include "failover/engine/events.h"
#include "failover/engine/pair_view.h"
#include "failover/engine/switch_event.h"

namespace failover::engine {

const char* toString(Reported status) {
  switch (status) {
    case Reported::Ok:
      return "ok";
    case Reported::Warn:
      return "warn";
    case Reported::Fail:
      return "fail";
  }
  return "?";
}

const char* toString(SwitchEventType type) {
  switch (type) {
    case SwitchEventType::Failover:
      return "failover";
    case SwitchEventType::ManualSwitch:
      return "manual_switch";
    case SwitchEventType::Failback:
      return "failback";
    case SwitchEventType::ExternalSwitch:
      return "external_switch";
    case SwitchEventType::SwitchFailed:
      return "switch_failed";
  }
  return "?";
}

const char* toString(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadRequest:
      return "bad_request";
    case ErrorCode::UnknownPair:
      return "unknown_pair";
    case ErrorCode::UnknownTarget:
      return "unknown_target";
    case ErrorCode::TargetUnhealthy:
      return "target_unhealthy";
    case ErrorCode::Busy:
      return "busy";
    case ErrorCode::RouterDisconnected:
      return "router_disconnected";
    case ErrorCode::RouterTimeout:
      return "router_timeout";
    case ErrorCode::NotAllowed:
      return "not_allowed";
    case ErrorCode::PortOutOfRange:
      return "port_out_of_range";
  }
  return "?";
}

const char* toString(CheckStatus status) {
  switch (status) {
    case CheckStatus::Unknown:
      return "unknown";
    case CheckStatus::Ok:
      return "ok";
    case CheckStatus::Warn:
      return "warn";
    case CheckStatus::Fail:
      return "fail";
    case CheckStatus::Stale:
      return "stale";
  }
  return "?";
}

const char* toString(MachineStatus status) {
  switch (status) {
    case MachineStatus::Ok:
      return "ok";
    case MachineStatus::Warn:
      return "warn";
    case MachineStatus::Unknown:
      return "unknown";
    case MachineStatus::Critical:
      return "critical";
    case MachineStatus::Fail:
      return "fail";
  }
  return "?";
}

const char* toString(FailoverState state) {
  switch (state) {
    case FailoverState::Idle:
      return "idle";
    case FailoverState::Switching:
      return "switching";
    case FailoverState::Active:
      return "active";
    case FailoverState::Degraded:
      return "degraded";
  }
  return "?";
}

}  // namespace failover::engine
