#include "failover/config/config.h"

#include <algorithm>

namespace failover::config {
namespace {

template <typename T>
const T* findById(const std::vector<T>& items, const std::string& id) {
  const auto found =
      std::find_if(items.begin(), items.end(), [&](const T& item) { return item.id == id; });
  return found == items.end() ? nullptr : &*found;
}

}  // namespace

const RouterSettings* Config::findRouter(const std::string& router_id) const {
  return findById(routers, router_id);
}
const MachineSettings* Config::findMachine(const std::string& machine_id) const {
  return findById(machines, machine_id);
}
const PairSettings* Config::findPair(const std::string& pair_id) const {
  return findById(pairs, pair_id);
}

std::vector<SignalInput> machineInputs(const MachineSettings& machine) {
  if (!machine.inputs.empty()) {
    return machine.inputs;
  }
  return {SignalInput{kProgramSignal, machine.input}};
}

std::optional<int> inputOf(const MachineSettings& machine, const std::string& signal) {
  if (machine.inputs.empty()) {
    return signal == kProgramSignal ? std::optional<int>(machine.input) : std::nullopt;
  }
  for (const SignalInput& entry : machine.inputs) {
    if (entry.signal == signal) {
      return entry.input;
    }
  }
  return std::nullopt;
}

std::vector<SignalOutputs> pairSignals(const PairSettings& pair) {
  if (!pair.signal_outputs.empty()) {
    return pair.signal_outputs;
  }
  return {SignalOutputs{kProgramSignal, pair.outputs}};
}

const char* toString(Check check) {
  return core::nameOf(kCheckNames, check);
}
const char* toString(Trigger trigger) {
  return core::nameOf(kTriggerNames, trigger);
}
const char* toString(FailoverMode mode) {
  return core::nameOf(kFailoverModeNames, mode);
}
const char* toString(FailbackMode mode) {
  return core::nameOf(kFailbackModeNames, mode);
}
const char* toString(Operator op) {
  return core::nameOf(kOperatorNames, op);
}
const char* toString(Severity severity) {
  return core::nameOf(kSeverityNames, severity);
}

}  // namespace failover::config
