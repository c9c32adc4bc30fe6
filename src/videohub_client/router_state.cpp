#include "failover/videohub_client/router_state.h"

#include <type_traits>

namespace failover::videohub_client {

namespace vh = videohub;

StateChange RouterState::apply(const vh::Block& block) {
  return std::visit(
      [this](const auto& b) -> StateChange {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, vh::PreambleBlock>) {
          device_.protocol_version = b.version;
          return {};
        } else if constexpr (std::is_same_v<T, vh::DeviceBlock>) {
          return applyDevice(b);
        } else if constexpr (std::is_same_v<T, vh::LabelsBlock>) {
          return applyLabels(b);
        } else if constexpr (std::is_same_v<T, vh::RoutingBlock>) {
          return applyRouting(b);
        } else if constexpr (std::is_same_v<T, vh::LocksBlock>) {
          return applyLocks(b);
        } else if constexpr (std::is_same_v<T, vh::ConfigurationBlock>) {
          StateChange change;
          if (has_device_ && b.take_mode && b.take_mode != take_mode_) {
            take_mode_ = b.take_mode;
            change.take_mode = true;
          }
          return change;
        } else if constexpr (std::is_same_v<T, vh::TakeModeBlock>) {
          return applyTakeMode(b);
        } else {
          return {};
        }
      },
      block);
}

void RouterState::clear() {
  *this = RouterState();
}

StateChange RouterState::applyDevice(const vh::DeviceBlock& block) {
  // A device block mid-session means the router re-sends everything: rebuild from scratch,
  // keeping only the protocol version (the preamble is not repeated).
  const std::string version = device_.protocol_version;
  clear();
  has_device_ = true;
  device_.protocol_version = version;
  device_.presence = block.present.value_or(DevicePresence::Absent);
  device_.model_name = block.model_name;
  device_.friendly_name = block.friendly_name;
  device_.unique_id = block.unique_id;
  device_.video_inputs = block.video_inputs.value_or(0);
  device_.video_outputs = block.video_outputs.value_or(0);
  device_.monitoring_outputs = block.monitoring_outputs.value_or(0);
  device_.serial_ports = block.serial_ports.value_or(0);
  device_.processing_units = block.processing_units.value_or(0);
  resize();
  StateChange change;
  change.device = true;
  return change;
}

void RouterState::resize() {
  // Without hardware the counts mean nothing; nothing else is sent either.
  const bool present = device_.presence == DevicePresence::Present;
  const uint32_t inputs = present ? device_.video_inputs : 0;
  const uint32_t outputs = present ? device_.video_outputs : 0;
  input_labels_.assign(inputs, std::string());
  output_labels_.assign(outputs, std::string());
  routes_.assign(outputs, std::nullopt);
  locks_.assign(outputs, LockState::Unlocked);
  output_take_mode_.assign(outputs, std::nullopt);
}

StateChange RouterState::applyLabels(const vh::LabelsBlock& block) {
  StateChange change;
  std::vector<std::string>* labels = nullptr;
  std::vector<uint32_t>* changed = nullptr;
  if (block.port == vh::PortKind::VideoInput) {
    labels = &input_labels_;
    changed = &change.input_labels;
    has_input_labels_ = has_device_;
  } else if (block.port == vh::PortKind::VideoOutput) {
    labels = &output_labels_;
    changed = &change.output_labels;
    has_output_labels_ = has_device_;
  } else {
    return change;  // monitoring and serial labels are not mirrored
  }
  for (const auto& label : block.labels) {
    if (label.index >= labels->size()) {
      ++change.out_of_range;
      continue;
    }
    if ((*labels)[label.index] != label.text) {
      (*labels)[label.index] = label.text;
      changed->push_back(label.index + 1);
    }
  }
  return change;
}

StateChange RouterState::applyRouting(const vh::RoutingBlock& block) {
  StateChange change;
  if (block.destination != vh::PortKind::VideoOutput) {
    return change;
  }
  has_routing_ = has_device_;
  for (const auto& route : block.routes) {
    if (route.destination >= routes_.size() || route.source >= device_.video_inputs) {
      ++change.out_of_range;
      continue;
    }
    if (routes_[route.destination] != route.source) {
      routes_[route.destination] = route.source;
      change.routes.push_back(route.destination + 1);
    }
  }
  return change;
}

StateChange RouterState::applyLocks(const vh::LocksBlock& block) {
  StateChange change;
  if (block.port != vh::PortKind::VideoOutput) {
    return change;
  }
  has_locks_ = has_device_;
  for (const auto& lock : block.locks) {
    // F is never sent by a router; treat it like a malformed item.
    if (lock.index >= locks_.size() || lock.state == LockState::ForceUnlock) {
      ++change.out_of_range;
      continue;
    }
    if (locks_[lock.index] != lock.state) {
      locks_[lock.index] = lock.state;
      change.locks.push_back(lock.index + 1);
    }
  }
  return change;
}

StateChange RouterState::applyTakeMode(const vh::TakeModeBlock& block) {
  StateChange change;
  for (const auto& entry : block.outputs) {
    if (entry.index >= output_take_mode_.size()) {
      ++change.out_of_range;
      continue;
    }
    if (output_take_mode_[entry.index] != entry.enabled) {
      output_take_mode_[entry.index] = entry.enabled;
      change.take_mode = true;
    }
  }
  return change;
}

std::optional<uint32_t> RouterState::sourceOf(uint32_t output) const {
  if (output == 0 || output > routes_.size() || !routes_[output - 1]) {
    return std::nullopt;
  }
  return *routes_[output - 1] + 1;
}

LockState RouterState::lockOf(uint32_t output) const {
  if (output == 0 || output > locks_.size()) {
    return LockState::Unlocked;
  }
  return locks_[output - 1];
}

std::string RouterState::inputLabel(uint32_t input) const {
  if (input == 0 || input > input_labels_.size()) {
    return {};
  }
  return input_labels_[input - 1];
}

std::string RouterState::outputLabel(uint32_t output) const {
  if (output == 0 || output > output_labels_.size()) {
    return {};
  }
  return output_labels_[output - 1];
}

std::optional<bool> RouterState::outputTakeMode(uint32_t output) const {
  if (output == 0 || output > output_take_mode_.size()) {
    return std::nullopt;
  }
  return output_take_mode_[output - 1];
}

std::vector<uint32_t> RouterState::lockedOutputs() const {
  std::vector<uint32_t> locked;
  for (size_t i = 0; i < locks_.size(); ++i) {
    if (locks_[i] == LockState::Owned || locks_[i] == LockState::LockedByOther) {
      locked.push_back(static_cast<uint32_t>(i + 1));
    }
  }
  return locked;
}

}  // namespace failover::videohub_client
