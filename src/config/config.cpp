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
  switch (check) {
    case Check::Status:
      return "status";
    case Check::Engine:
      return "engine";
    case Check::VideoIo:
      return "videoio";
    case Check::Network:
      return "network";
    case Check::Diagnostics:
      return "diagnostics";
  }
  return "?";
}

const char* toString(Trigger trigger) {
  switch (trigger) {
    case Trigger::Engine:
      return "engine";
    case Trigger::VideoIo:
      return "videoio";
    case Trigger::Network:
      return "network";
    case Trigger::Critical:
      return "critical";
  }
  return "?";
}

const char* toString(FailoverMode mode) {
  return mode == FailoverMode::Auto ? "auto" : "manual";
}
const char* toString(FailbackMode mode) {
  return mode == FailbackMode::Auto ? "auto" : "manual";
}

const char* toString(Operator op) {
  switch (op) {
    case Operator::Greater:
      return ">";
    case Operator::GreaterEqual:
      return ">=";
    case Operator::Less:
      return "<";
    case Operator::LessEqual:
      return "<=";
    case Operator::Equal:
      return "==";
    case Operator::NotEqual:
      return "!=";
  }
  return "?";
}

const char* toString(Severity severity) {
  return severity == Severity::Critical ? "critical" : "warning";
}

}  // namespace failover::config
