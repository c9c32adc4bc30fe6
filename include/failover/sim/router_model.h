#pragma once

// The state of a simulated Videohub and the protocol rules that act on it, with no sockets or
// timers: a request block and the requester's IP go in; the reply for the requester and the
// change to broadcast come out. The server renders each change once per recipient, because
// locks read differently for the owner's IP (O) and for everyone else (L).
//
// Indexes are ZERO-based, as on the wire; the control channel converts from the 1-based port
// numbers printed on the router. Locks are keyed by IP address, not by connection, so they
// survive the owner's disconnect, as on real units.
//
// Not thread-safe: the server uses it from its single I/O thread.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "failover/core/enum_names.h"
#include "failover/core/result.h"
#include "failover/videohub/blocks.h"

namespace failover::sim {

// Order of the prelude blocks.
enum class BlockOrder {
  Manual,     // the manual's order: labels, routing, locks; no CONFIGURATION / TAKE MODE
  Protocol28  // as 12G units on protocol 2.8 send it: locks before routing, then
              // CONFIGURATION, TAKE MODE (and END PRELUDE when enabled)
};

enum class LineEnding { Lf, CrLf };

// What a request that routes (or locks) an output held by another IP gets, when no line of
// the block could be applied. Out-of-range lines are refused the same way.
enum class RefusalReply { Nak, Ack };
// As given to --locked-route and the locked-route control command.
inline constexpr std::array kRefusalReplyNames = {
    core::EnumName{RefusalReply::Nak, "nak"},
    core::EnumName{RefusalReply::Ack, "ack"},
};
static_assert(core::isNameTable(kRefusalReplyNames, RefusalReply::Ack));

struct RouterSettings {
  uint32_t inputs = 40;
  uint32_t outputs = 40;
  std::string model_name = "Blackmagic Videohub 40x40 12G";
  std::string friendly_name = "Lab Router";
  std::string unique_id = "7C2E0D1A2B3C";
  std::string protocol_version = "2.8";
  // Zero-based index -> text; ports without an entry are named "Input N" / "Output N".
  std::map<uint32_t, std::string> input_labels;
  std::map<uint32_t, std::string> output_labels;
  // Zero-based output -> input; outputs without an entry start on input (output % inputs).
  std::map<uint32_t, uint32_t> routes;
  // Zero-based output -> IP address of the lock holder.
  std::map<uint32_t, std::string> locks;
  bool end_prelude = true;
  bool device_counts = true;  // the monitoring / serial / processing count lines
  // NETWORK and NETWORK INTERFACE 0 after the device block, as 12G units send them: blocks a
  // client must skip. Off by default.
  bool network_blocks = false;
  BlockOrder block_order = BlockOrder::Protocol28;
  LineEnding line_ending = LineEnding::Lf;
  videohub::DevicePresence presence = videohub::DevicePresence::Present;
  RefusalReply refusal_reply = RefusalReply::Nak;
};

// What changed, by item; rendered per recipient by RouterModel::render.
struct Change {
  std::vector<videohub::Label> input_labels;
  std::vector<videohub::Label> output_labels;
  std::vector<videohub::Route> routes;
  std::vector<uint32_t> locks;  // outputs whose lock changed; state read at render time
  bool everything = false;      // a new device block and every block after it
  bool device_only = false;     // only a new device block (device absent or needing update)

  bool empty() const {
    return input_labels.empty() && output_labels.empty() && routes.empty() && locks.empty() &&
           !everything && !device_only;
  }
};

struct RequestOutcome {
  bool ack = true;   // ACK, or NAK
  std::string dump;  // bytes for the requester after the ACK (answer to a dump request)
  Change change;     // to broadcast to every client, the requester included, after the ACK
};

class RouterModel {
 public:
  // REQUIRES: settings passed validateSettings().
  explicit RouterModel(RouterSettings settings);

  // Checks counts, indexes, labels and lock addresses. Error message names the bad item.
  static core::Status validateSettings(const RouterSettings& settings);

  // The bytes sent to a new connection from `client_ip`.
  std::string prelude(std::string_view client_ip) const;

  // Applies one request block from `client_ip`. `malformed` is true when the parser had to
  // skip lines of this block; such blocks are refused whole with NAK.
  RequestOutcome handleRequest(const videohub::Block& request, bool malformed,
                               std::string_view client_ip);

  // The bytes that tell `recipient_ip` about `change`; empty when there is nothing to send
  // (no change, or the device is absent and the change is not about the device).
  std::string render(const Change& change, std::string_view recipient_ip) const;

  // Front-panel style changes from the control channel. Indexes are zero-based; an index out
  // of range is an InvalidArgument error and changes nothing.
  core::Result<Change> setRoute(uint32_t output, uint32_t input);
  core::Result<Change> setLabel(videohub::PortKind port, uint32_t index, std::string text);
  core::Result<Change> lockFor(uint32_t output, std::string ip);
  core::Result<Change> unlock(uint32_t output);
  // A new matrix size: labels, routes and locks of remaining ports are kept, new ports get
  // defaults. Answers a change that re-sends every block except the preamble.
  core::Result<Change> resize(uint32_t inputs, uint32_t outputs);
  Change setPresence(videohub::DevicePresence presence);

  void setEndPrelude(bool on) { settings_.end_prelude = on; }
  void setRefusalReply(RefusalReply reply) { settings_.refusal_reply = reply; }

  uint32_t inputs() const { return settings_.inputs; }
  uint32_t outputs() const { return settings_.outputs; }
  uint32_t routeOf(uint32_t output) const { return routes_.at(output); }
  const std::string& lockOwner(uint32_t output) const { return lock_owner_.at(output); }
  const std::string& inputLabel(uint32_t index) const { return input_labels_.at(index); }
  const std::string& outputLabel(uint32_t index) const { return output_labels_.at(index); }
  videohub::DevicePresence presence() const { return settings_.presence; }
  const RouterSettings& settings() const { return settings_; }

  // "ACK\n\n" / "NAK\n\n" in the configured line ending.
  std::string ackBytes() const;
  std::string nakBytes() const;

 private:
  struct LineCount {
    size_t applied = 0;
    size_t refused = 0;
  };

  void appendBlock(const videohub::Block& block, std::string& out) const;
  void appendEverything(std::string_view client_ip, std::string& out) const;
  videohub::DeviceBlock deviceBlock() const;
  videohub::LabelsBlock labelsBlock(videohub::PortKind port) const;
  videohub::RoutingBlock routingBlock() const;
  videohub::LocksBlock locksBlock(std::string_view client_ip) const;
  videohub::LocksBlock locksBlock(const std::vector<uint32_t>& outputs,
                                  std::string_view client_ip) const;
  videohub::LockState lockSeenBy(uint32_t output, std::string_view client_ip) const;

  RequestOutcome answer(LineCount count, Change change) const;
  RequestOutcome applyLabels(const videohub::LabelsBlock& block);
  RequestOutcome applyRouting(const videohub::RoutingBlock& block, std::string_view client_ip);
  RequestOutcome applyLocks(const videohub::LocksBlock& block, std::string_view client_ip);
  RequestOutcome dumpAnswer(const videohub::Block& block) const;

  RouterSettings settings_;
  std::vector<std::string> input_labels_;
  std::vector<std::string> output_labels_;
  std::vector<uint32_t> routes_;
  std::vector<std::string> lock_owner_;  // empty = unlocked
};

}  // namespace failover::sim
