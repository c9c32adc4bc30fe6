// Lower-case names of the engine's enums, as published in MQTT payloads (SPEC 5.2, 5.3): the
// name tables next to each enum.

#include "failover/engine/actions.h"
#include "failover/engine/events.h"
#include "failover/engine/pair_view.h"
#include "failover/engine/switch_event.h"

namespace failover::engine {

const char* toString(Reported status) {
  return core::nameOf(kReportedNames, status);
}
const char* toString(SwitchEventType type) {
  return core::nameOf(kSwitchEventTypeNames, type);
}
const char* toString(ErrorCode code) {
  return core::nameOf(kErrorCodeNames, code);
}
const char* toString(CheckStatus status) {
  return core::nameOf(kCheckStatusNames, status);
}
const char* toString(MachineStatus status) {
  return core::nameOf(kMachineStatusNames, status);
}
const char* toString(FailoverState state) {
  return core::nameOf(kFailoverStateNames, state);
}

}  // namespace failover::engine
