#include "failover/sim/router_model.h"

#include <utility>

#include "failover/videohub/block_encoder.h"

namespace failover::sim {
namespace {

using videohub::Block;
using videohub::DevicePresence;
using videohub::LockState;
using videohub::PortKind;

std::string defaultLabel(const char* prefix, uint32_t index) {
  return std::string(prefix) + " " + std::to_string(index + 1);
}

// The encoder writes LF; a simulator configured for CRLF rewrites every line end.
std::string withLineEnding(std::string text, LineEnding ending) {
  if (ending == LineEnding::Lf) {
    return text;
  }
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    if (c == '\n') {
      out.push_back('\r');
    }
    out.push_back(c);
  }
  return out;
}

bool hasLineBreak(const std::string& text) {
  return text.find_first_of("\r\n") != std::string::npos;
}

core::Status outOfRange(const char* what, uint32_t index, uint32_t count) {
  return core::Status::invalidArgument(std::string(what) + " " + std::to_string(index + 1) +
                                       " is out of range 1.." + std::to_string(count));
}

}  // namespace

RouterModel::RouterModel(RouterSettings settings) : settings_(std::move(settings)) {
  input_labels_.resize(settings_.inputs);
  for (uint32_t i = 0; i < settings_.inputs; ++i) {
    const auto found = settings_.input_labels.find(i);
    input_labels_[i] =
        found != settings_.input_labels.end() ? found->second : defaultLabel("Input", i);
  }
  output_labels_.resize(settings_.outputs);
  routes_.resize(settings_.outputs);
  lock_owner_.resize(settings_.outputs);
  for (uint32_t o = 0; o < settings_.outputs; ++o) {
    const auto label = settings_.output_labels.find(o);
    output_labels_[o] =
        label != settings_.output_labels.end() ? label->second : defaultLabel("Output", o);
    const auto route = settings_.routes.find(o);
    routes_[o] = route != settings_.routes.end() ? route->second : o % settings_.inputs;
    const auto lock = settings_.locks.find(o);
    if (lock != settings_.locks.end()) {
      lock_owner_[o] = lock->second;
    }
  }
}

core::Status RouterModel::validateSettings(const RouterSettings& settings) {
  constexpr uint32_t kMaxPorts = videohub::kMaxPortIndex + 1;
  if (settings.inputs == 0 || settings.inputs > kMaxPorts) {
    return core::Status::invalidArgument("inputs must be 1.." + std::to_string(kMaxPorts));
  }
  if (settings.outputs == 0 || settings.outputs > kMaxPorts) {
    return core::Status::invalidArgument("outputs must be 1.." + std::to_string(kMaxPorts));
  }
  for (const auto& [index, text] : settings.input_labels) {
    if (index >= settings.inputs) {
      return outOfRange("input label", index, settings.inputs);
    }
    if (hasLineBreak(text)) {
      return core::Status::invalidArgument("a label cannot contain a line break");
    }
  }
  for (const auto& [index, text] : settings.output_labels) {
    if (index >= settings.outputs) {
      return outOfRange("output label", index, settings.outputs);
    }
    if (hasLineBreak(text)) {
      return core::Status::invalidArgument("a label cannot contain a line break");
    }
  }
  for (const auto& [output, input] : settings.routes) {
    if (output >= settings.outputs) {
      return outOfRange("route output", output, settings.outputs);
    }
    if (input >= settings.inputs) {
      return outOfRange("route input", input, settings.inputs);
    }
  }
  for (const auto& [output, ip] : settings.locks) {
    if (output >= settings.outputs) {
      return outOfRange("lock output", output, settings.outputs);
    }
    if (ip.empty()) {
      return core::Status::invalidArgument("a lock needs the holder's IP address");
    }
  }
  for (const auto* text : {&settings.model_name, &settings.friendly_name, &settings.unique_id,
                           &settings.protocol_version}) {
    if (hasLineBreak(*text)) {
      return core::Status::invalidArgument("device fields cannot contain a line break");
    }
  }
  return core::Status::ok();
}

std::string RouterModel::ackBytes() const {
  return withLineEnding(videohub::encodeBlock(videohub::AckBlock{}), settings_.line_ending);
}

std::string RouterModel::nakBytes() const {
  return withLineEnding(videohub::encodeBlock(videohub::NakBlock{}), settings_.line_ending);
}

void RouterModel::appendBlock(const Block& block, std::string& out) const {
  out.append(withLineEnding(videohub::encodeBlock(block), settings_.line_ending));
}

videohub::DeviceBlock RouterModel::deviceBlock() const {
  videohub::DeviceBlock block;
  block.present = settings_.presence;
  block.model_name = settings_.model_name;
  block.friendly_name = settings_.friendly_name;
  block.unique_id = settings_.unique_id;
  // A Videohub Server without working hardware reports nothing about the matrix.
  if (settings_.presence == DevicePresence::Present) {
    block.video_inputs = settings_.inputs;
    block.video_outputs = settings_.outputs;
    if (settings_.device_counts) {
      block.processing_units = 0;
      block.monitoring_outputs = 0;
      block.serial_ports = 0;
    }
  }
  return block;
}

videohub::LabelsBlock RouterModel::labelsBlock(PortKind port) const {
  const auto& labels = port == PortKind::VideoInput ? input_labels_ : output_labels_;
  videohub::LabelsBlock block{port, {}};
  block.labels.reserve(labels.size());
  for (uint32_t i = 0; i < labels.size(); ++i) {
    block.labels.push_back({i, labels[i]});
  }
  return block;
}

videohub::RoutingBlock RouterModel::routingBlock() const {
  videohub::RoutingBlock block{PortKind::VideoOutput, {}};
  block.routes.reserve(routes_.size());
  for (uint32_t o = 0; o < routes_.size(); ++o) {
    block.routes.push_back({o, routes_[o]});
  }
  return block;
}

LockState RouterModel::lockSeenBy(uint32_t output, std::string_view client_ip) const {
  const auto& owner = lock_owner_[output];
  if (owner.empty()) {
    return LockState::Unlocked;
  }
  return owner == client_ip ? LockState::Owned : LockState::LockedByOther;
}

videohub::LocksBlock RouterModel::locksBlock(std::string_view client_ip) const {
  videohub::LocksBlock block{PortKind::VideoOutput, {}};
  block.locks.reserve(lock_owner_.size());
  for (uint32_t o = 0; o < lock_owner_.size(); ++o) {
    block.locks.push_back({o, lockSeenBy(o, client_ip)});
  }
  return block;
}

videohub::LocksBlock RouterModel::locksBlock(const std::vector<uint32_t>& outputs,
                                             std::string_view client_ip) const {
  videohub::LocksBlock block{PortKind::VideoOutput, {}};
  for (const uint32_t o : outputs) {
    if (o < lock_owner_.size()) {
      block.locks.push_back({o, lockSeenBy(o, client_ip)});
    }
  }
  return block;
}

void RouterModel::appendEverything(std::string_view client_ip, std::string& out) const {
  appendBlock(deviceBlock(), out);
  if (settings_.network_blocks) {
    // Illustrative values in the shape of a 12G unit's blocks; we do not model networking.
    appendBlock(
        videohub::UnknownBlock{"NETWORK", {"Interface Count: 1", "Default Interface: 0"}, 2}, out);
    appendBlock(
        videohub::UnknownBlock{
            "NETWORK INTERFACE 0",
            {"Name: 1GbE", "Priority: 1", "MAC Address: 7c:2e:0d:1a:2b:3c", "Dynamic IP: false",
             "Current Addresses: 192.168.10.240/255.255.255.0", "Current Gateway: 192.168.10.1"},
            6},
        out);
  }
  appendBlock(labelsBlock(PortKind::VideoInput), out);
  appendBlock(labelsBlock(PortKind::VideoOutput), out);
  if (settings_.block_order == BlockOrder::Manual) {
    appendBlock(routingBlock(), out);
    appendBlock(locksBlock(client_ip), out);
  } else {
    appendBlock(locksBlock(client_ip), out);
    appendBlock(routingBlock(), out);
    appendBlock(videohub::ConfigurationBlock{false}, out);
    videohub::TakeModeBlock take_mode;
    take_mode.outputs.reserve(settings_.outputs);
    for (uint32_t o = 0; o < settings_.outputs; ++o) {
      take_mode.outputs.push_back({o, false});
    }
    appendBlock(take_mode, out);
  }
  if (settings_.end_prelude) {
    appendBlock(videohub::EndPreludeBlock{}, out);
  }
}

std::string RouterModel::prelude(std::string_view client_ip) const {
  std::string out;
  // About 40 bytes per port and block: one allocation for a 288x288 dump.
  out.reserve(256 + 40 * 5 * static_cast<size_t>(settings_.inputs + settings_.outputs));
  appendBlock(videohub::PreambleBlock{settings_.protocol_version}, out);
  if (settings_.presence == DevicePresence::Present) {
    appendEverything(client_ip, out);
  } else {
    // Without hardware, nothing follows the device block: no labels, no END PRELUDE.
    appendBlock(deviceBlock(), out);
  }
  return out;
}

std::string RouterModel::render(const Change& change, std::string_view recipient_ip) const {
  std::string out;
  if (change.everything || change.device_only) {
    if (settings_.presence == DevicePresence::Present && change.everything) {
      appendEverything(recipient_ip, out);
    } else {
      appendBlock(deviceBlock(), out);
    }
    return out;
  }
  if (settings_.presence != DevicePresence::Present) {
    return out;
  }
  if (!change.input_labels.empty()) {
    appendBlock(videohub::LabelsBlock{PortKind::VideoInput, change.input_labels}, out);
  }
  if (!change.output_labels.empty()) {
    appendBlock(videohub::LabelsBlock{PortKind::VideoOutput, change.output_labels}, out);
  }
  const bool locks_first = settings_.block_order == BlockOrder::Protocol28;
  if (locks_first && !change.locks.empty()) {
    appendBlock(locksBlock(change.locks, recipient_ip), out);
  }
  if (!change.routes.empty()) {
    appendBlock(videohub::RoutingBlock{PortKind::VideoOutput, change.routes}, out);
  }
  if (!locks_first && !change.locks.empty()) {
    appendBlock(locksBlock(change.locks, recipient_ip), out);
  }
  return out;
}

core::Result<Change> RouterModel::setRoute(uint32_t output, uint32_t input) {
  if (output >= settings_.outputs) {
    return outOfRange("output", output, settings_.outputs);
  }
  if (input >= settings_.inputs) {
    return outOfRange("input", input, settings_.inputs);
  }
  Change change;
  if (routes_[output] != input) {
    routes_[output] = input;
    change.routes.push_back({output, input});
  }
  return change;
}

core::Result<Change> RouterModel::setLabel(PortKind port, uint32_t index, std::string text) {
  auto& labels = port == PortKind::VideoInput ? input_labels_ : output_labels_;
  if (index >= labels.size()) {
    return outOfRange(port == PortKind::VideoInput ? "input" : "output", index,
                      static_cast<uint32_t>(labels.size()));
  }
  if (hasLineBreak(text)) {
    return core::Status::invalidArgument("a label cannot contain a line break");
  }
  Change change;
  if (labels[index] != text) {
    labels[index] = text;
    auto& target = port == PortKind::VideoInput ? change.input_labels : change.output_labels;
    target.push_back({index, std::move(text)});
  }
  return change;
}

core::Result<Change> RouterModel::lockFor(uint32_t output, std::string ip) {
  if (output >= settings_.outputs) {
    return outOfRange("output", output, settings_.outputs);
  }
  if (ip.empty()) {
    return core::Status::invalidArgument("a lock needs the holder's IP address");
  }
  Change change;
  if (lock_owner_[output] != ip) {
    lock_owner_[output] = std::move(ip);
    change.locks.push_back(output);
  }
  return change;
}

core::Result<Change> RouterModel::unlock(uint32_t output) {
  if (output >= settings_.outputs) {
    return outOfRange("output", output, settings_.outputs);
  }
  Change change;
  if (!lock_owner_[output].empty()) {
    lock_owner_[output].clear();
    change.locks.push_back(output);
  }
  return change;
}

core::Result<Change> RouterModel::resize(uint32_t inputs, uint32_t outputs) {
  constexpr uint32_t kMaxPorts = videohub::kMaxPortIndex + 1;
  if (inputs == 0 || inputs > kMaxPorts || outputs == 0 || outputs > kMaxPorts) {
    return core::Status::invalidArgument("inputs and outputs must be 1.." +
                                         std::to_string(kMaxPorts));
  }
  input_labels_.resize(inputs);
  for (uint32_t i = settings_.inputs; i < inputs; ++i) {
    input_labels_[i] = defaultLabel("Input", i);
  }
  output_labels_.resize(outputs);
  routes_.resize(outputs);
  lock_owner_.resize(outputs);
  for (uint32_t o = 0; o < outputs; ++o) {
    if (o >= settings_.outputs) {
      output_labels_[o] = defaultLabel("Output", o);
      routes_[o] = o % inputs;
    } else if (routes_[o] >= inputs) {
      routes_[o] = o % inputs;  // its input no longer exists
    }
  }
  settings_.inputs = inputs;
  settings_.outputs = outputs;
  Change change;
  change.everything = true;
  return change;
}

Change RouterModel::setPresence(DevicePresence presence) {
  settings_.presence = presence;
  Change change;
  if (presence == DevicePresence::Present) {
    change.everything = true;
  } else {
    change.device_only = true;
  }
  return change;
}

}  // namespace failover::sim
