#pragma once

// The blocks of the Blackmagic Videohub Ethernet protocol (TCP 9990) as typed values.
// A block is a header line in capitals ending in a colon, body lines, then a blank line;
// ACK and NAK are one-line blocks. Indexes here are ZERO-based, as on the wire: only this
// module's users convert to the 1-based numbers printed on the router.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "failover/core/enum_names.h"

namespace failover::videohub {

// Largest port index the codec accepts. The biggest routers have 288 ports per kind; the
// bound keeps a hostile or corrupt stream from making us allocate per index.
inline constexpr uint32_t kMaxPortIndex = 4095;

// The families of ports that labels, routing and locks apply to.
enum class PortKind { VideoInput, VideoOutput, MonitoringOutput, SerialPort };

enum class DevicePresence { Present, Absent, NeedsUpdate };
// The values of the "Device present" line; videohub-sim's --device-present takes the same.
inline constexpr std::array kDevicePresenceNames = {
    core::EnumName{DevicePresence::Present, "true"},
    core::EnumName{DevicePresence::Absent, "false"},
    core::EnumName{DevicePresence::NeedsUpdate, "needs_update"},
};
static_assert(core::isNameTable(kDevicePresenceNames, DevicePresence::NeedsUpdate));

// Lock codes. Server to client: U, O (held from this client's IP), L (held by another IP).
// Client to server: O (take), U (release own), F (force-unlock anyone's).
enum class LockState { Unlocked, Owned, LockedByOther, ForceUnlock };
inline constexpr std::array kLockCodes = {
    core::EnumName{LockState::Unlocked, "U"},
    core::EnumName{LockState::Owned, "O"},
    core::EnumName{LockState::LockedByOther, "L"},
    core::EnumName{LockState::ForceUnlock, "F"},
};
static_assert(core::isNameTable(kLockCodes, LockState::ForceUnlock));

struct PreambleBlock {
  std::string version;  // e.g. "2.8"
  friend bool operator==(const PreambleBlock&, const PreambleBlock&) = default;
};

struct DeviceBlock {
  std::optional<DevicePresence> present;  // nullopt when the line is missing or unreadable
  std::string model_name;
  std::string friendly_name;  // the key is "Friendly name", lower-case n
  std::string unique_id;
  std::optional<uint32_t> video_inputs;
  std::optional<uint32_t> video_outputs;
  // Missing on some 12G units (nullopt): callers read a missing count as 0, value_or(0).
  // Counts above kMaxPortIndex + 1 are malformed and also left nullopt.
  std::optional<uint32_t> processing_units;
  std::optional<uint32_t> monitoring_outputs;
  std::optional<uint32_t> serial_ports;
  friend bool operator==(const DeviceBlock&, const DeviceBlock&) = default;
};

struct Label {
  uint32_t index = 0;
  std::string text;  // UTF-8, may contain spaces, never a newline
  friend bool operator==(const Label&, const Label&) = default;
};

struct LabelsBlock {
  PortKind port = PortKind::VideoInput;
  std::vector<Label> labels;  // empty in a request: "send me the whole block"
  friend bool operator==(const LabelsBlock&, const LabelsBlock&) = default;
};

struct Route {
  uint32_t destination = 0;  // output (or monitoring output, serial port)
  uint32_t source = 0;       // input
  friend bool operator==(const Route&, const Route&) = default;
};

struct RoutingBlock {
  PortKind destination = PortKind::VideoOutput;  // VideoOutput, MonitoringOutput, SerialPort
  std::vector<Route> routes;                     // empty in a request: dump request
  friend bool operator==(const RoutingBlock&, const RoutingBlock&) = default;
};

struct Lock {
  uint32_t index = 0;
  LockState state = LockState::Unlocked;
  friend bool operator==(const Lock&, const Lock&) = default;
};

struct LocksBlock {
  PortKind port = PortKind::VideoOutput;  // VideoOutput, MonitoringOutput, SerialPort
  std::vector<Lock> locks;                // empty in a request: dump request
  friend bool operator==(const LocksBlock&, const LocksBlock&) = default;
};

// CONFIGURATION: front-panel take mode (read only for us).
struct ConfigurationBlock {
  std::optional<bool> take_mode;
  friend bool operator==(const ConfigurationBlock&, const ConfigurationBlock&) = default;
};

struct TakeModeEntry {
  uint32_t index = 0;
  bool enabled = false;
  friend bool operator==(const TakeModeEntry&, const TakeModeEntry&) = default;
};

// TAKE MODE: per-output take mode on protocol 2.8 units.
struct TakeModeBlock {
  std::vector<TakeModeEntry> outputs;
  friend bool operator==(const TakeModeBlock&, const TakeModeBlock&) = default;
};

struct EndPreludeBlock {
  friend bool operator==(const EndPreludeBlock&, const EndPreludeBlock&) = default;
};
struct PingBlock {
  friend bool operator==(const PingBlock&, const PingBlock&) = default;
};
struct AckBlock {
  friend bool operator==(const AckBlock&, const AckBlock&) = default;
};
struct NakBlock {
  friend bool operator==(const NakBlock&, const NakBlock&) = default;
};

// A block we do not act on (NETWORK, ALARM STATUS, MULTIVIEW DEVICE, ...). The protocol
// tells clients to skip these; we keep the header for diagnostics and a few lines.
struct UnknownBlock {
  std::string header;              // without the trailing colon
  std::vector<std::string> lines;  // at most kMaxUnknownLinesKept
  uint32_t line_count = 0;         // every body line, kept or not
  // False when the header line had no colon (e.g. a bare "PING"): re-encoding it then
  // sends it as received, so it is not mistaken for the block it resembles.
  bool header_has_colon = true;
  friend bool operator==(const UnknownBlock&, const UnknownBlock&) = default;
};
inline constexpr uint32_t kMaxUnknownLinesKept = 16;

using Block = std::variant<PreambleBlock, DeviceBlock, LabelsBlock, RoutingBlock, LocksBlock,
                           ConfigurationBlock, TakeModeBlock, EndPreludeBlock, PingBlock, AckBlock,
                           NakBlock, UnknownBlock>;

// The header text of a block (without the colon), e.g. "VIDEO OUTPUT ROUTING"; for an
// UnknownBlock, its own header. ACK and NAK return "ACK" / "NAK".
std::string headerOf(const Block& block);

// One-letter wire codes (kLockCodes) and names, for logs and diagnostics.
char lockCode(LockState state);
const char* toString(DevicePresence presence);  // "true", "false", "needs_update"
const char* toString(PortKind port);            // "input", "output", "monitoring output", ...

}  // namespace failover::videohub
