#pragma once

// Decides when the status dump a Videohub sends on connect (the prelude) is complete, and
// whether the peer is a Videohub at all.
//
// Complete means the device is present and either END PRELUDE arrived (firmware from about
// 2020), or, for older firmware without the marker, the essentials (device, input and output
// labels, routing, locks) are in AND the PING the client sent right after connecting has been
// ACKed (the router answers it only after its dump).
//
// Not a Videohub: the first block is not PROTOCOL PREAMBLE, or the device header is another
// product's (e.g. MULTIVIEW DEVICE). Unavailable: "Device present: false" or "needs_update";
// the router then sends nothing more until its hardware appears, which re-sends the device
// block (and the tracker moves on from Unavailable).

#include <string>

#include "failover/videohub/blocks.h"
#include "failover/videohub_client/router_state.h"

namespace failover::videohub_client {

enum class PreludeStatus { InProgress, Complete, NotAVideohub, DeviceUnavailable };

class PreludeTracker {
 public:
  // A new connection: the preamble must come first.
  void reset();
  // A device block arrived mid-session: the router re-sends everything but the preamble.
  // The caller sends a new PING and reports onPingAcked() for it.
  void restartForRedump();

  // Feeds one block from the router, AFTER it has been applied to `state`.
  PreludeStatus onBlock(const videohub::Block& block, const RouterState& state);
  // The PING sent after connecting (or after a re-dump began) was ACKed.
  PreludeStatus onPingAcked(const RouterState& state);

  PreludeStatus status() const { return status_; }
  // Why the status is NotAVideohub or DeviceUnavailable, in one line.
  const std::string& reason() const { return reason_; }

 private:
  PreludeStatus evaluate(const RouterState& state);

  PreludeStatus status_ = PreludeStatus::InProgress;
  std::string reason_;
  bool seen_first_block_ = false;
  bool seen_end_prelude_ = false;
  bool ping_acked_ = false;
};

}  // namespace failover::videohub_client
