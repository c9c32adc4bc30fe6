#pragma once

// The client's mirror of one Videohub: device info, labels, routing, locks and take mode.
// It changes ONLY through apply(), with blocks the router sent: the router's updates are the
// truth, whoever caused them (this node, another client, the front panel).
//
// Numbering: blocks are zero-based as on the wire; every port number this class returns or
// takes is ONE-based, as printed on the router and used in the configuration. This is the
// boundary where the conversion happens.
//
// A VIDEOHUB DEVICE block discards everything and starts a new mirror (the router re-sends
// every block when its hardware changes, and the counts may differ). Items whose index is
// beyond the device's counts are ignored and counted.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "failover/videohub/blocks.h"

namespace failover::videohub_client {

using videohub::DevicePresence;
using videohub::LockState;

struct DeviceInfo {
  std::string protocol_version;  // from PROTOCOL PREAMBLE, e.g. "2.8"
  DevicePresence presence = DevicePresence::Absent;
  std::string model_name;
  std::string friendly_name;
  std::string unique_id;
  uint32_t video_inputs = 0;
  uint32_t video_outputs = 0;
  uint32_t monitoring_outputs = 0;
  uint32_t serial_ports = 0;
  uint32_t processing_units = 0;
  friend bool operator==(const DeviceInfo&, const DeviceInfo&) = default;
};

// What one apply() changed. Port numbers are 1-based. Only real changes are listed: an
// update that repeats the cached value is not a change.
struct StateChange {
  bool device = false;                  // a device block: the whole mirror was rebuilt
  std::vector<uint32_t> routes;         // outputs whose source changed
  std::vector<uint32_t> locks;          // outputs whose lock changed
  std::vector<uint32_t> input_labels;   // inputs whose label changed
  std::vector<uint32_t> output_labels;  // outputs whose label changed
  bool take_mode = false;               // CONFIGURATION or TAKE MODE changed
  uint32_t out_of_range = 0;            // items ignored: index beyond the device counts

  bool empty() const {
    return !device && routes.empty() && locks.empty() && input_labels.empty() &&
           output_labels.empty() && !take_mode;
  }
};

class RouterState {
 public:
  // Applies one block from the router. Blocks the mirror does not keep (ACK, NAK, unknown
  // blocks, monitoring and serial families) change nothing.
  StateChange apply(const videohub::Block& block);

  // Forgets everything (a new connection starts a new mirror).
  void clear();

  bool hasDevice() const { return has_device_; }
  // True when a VIDEOHUB DEVICE block said "Device present: true".
  bool available() const { return has_device_ && device_.presence == DevicePresence::Present; }
  const DeviceInfo& device() const { return device_; }

  // Which of the prelude's essential blocks have arrived since the last device block.
  bool hasInputLabels() const { return has_input_labels_; }
  bool hasOutputLabels() const { return has_output_labels_; }
  bool hasRouting() const { return has_routing_; }
  bool hasLocks() const { return has_locks_; }

  uint32_t inputCount() const { return device_.video_inputs; }
  uint32_t outputCount() const { return device_.video_outputs; }

  // The source of 1-based `output`, or nullopt when unknown or out of range.
  std::optional<uint32_t> sourceOf(uint32_t output) const;
  // The lock of 1-based `output` as the router shows it to this client (U, O or L);
  // Unlocked when unknown or out of range.
  LockState lockOf(uint32_t output) const;
  // Labels of 1-based ports; empty when unknown or out of range.
  std::string inputLabel(uint32_t input) const;
  std::string outputLabel(uint32_t output) const;
  // Front-panel take mode from CONFIGURATION, when the router sent it.
  std::optional<bool> takeMode() const { return take_mode_; }
  // Per-output take mode from TAKE MODE (1-based), when the router sent it.
  std::optional<bool> outputTakeMode(uint32_t output) const;

  // 1-based outputs currently locked (O or L), in order.
  std::vector<uint32_t> lockedOutputs() const;

 private:
  StateChange applyDevice(const videohub::DeviceBlock& block);
  StateChange applyLabels(const videohub::LabelsBlock& block);
  StateChange applyRouting(const videohub::RoutingBlock& block);
  StateChange applyLocks(const videohub::LocksBlock& block);
  StateChange applyTakeMode(const videohub::TakeModeBlock& block);
  void resize();

  bool has_device_ = false;
  DeviceInfo device_;
  bool has_input_labels_ = false;
  bool has_output_labels_ = false;
  bool has_routing_ = false;
  bool has_locks_ = false;
  // Indexed by the zero-based wire index.
  std::vector<std::string> input_labels_;
  std::vector<std::string> output_labels_;
  std::vector<std::optional<uint32_t>> routes_;  // zero-based source
  std::vector<LockState> locks_;
  std::vector<std::optional<bool>> output_take_mode_;
  std::optional<bool> take_mode_;
};

}  // namespace failover::videohub_client
