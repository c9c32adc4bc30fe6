#pragma once

// The vocabulary of routing shared from the engine to the router adapter: one crosspoint,
// and what became of a routing block the node asked a router to take. A leaf header: the
// engine, the ports and the adapters include it, it includes nothing of theirs.
//
// Port numbers are 1-based, as printed on the router and written in the configuration; only
// the Videohub codec converts to the zero-based wire form.

#include <cstdint>
#include <string>
#include <variant>

#include "failover/core/time.h"

namespace failover::core {

// Router output `output` shows input `input`.
struct Route {
  int output = 0;
  int input = 0;
  friend bool operator==(const Route&, const Route&) = default;
};

// Why a router did not take a block. Each has one meaning to the engine; the detail text
// that travels with it is for people only.
enum class BlockRefusal {
  Disabled,      // the router is disabled (configuration or operator): nothing was written
  NotConnected,  // no connection ready for routing: nothing was written
  Unavailable,   // connected, but the device is absent or needs an update: nothing was written
  OutOfRange,    // a port beyond the router's real size: nothing was written
  Locked,        // an output is locked by another client and could not be unlocked
  Nak,           // the router answered NAK: nothing of the block was applied
};

// "disabled", "not_connected", "unavailable", "out_of_range", "locked", "nak".
inline const char* toString(BlockRefusal reason) {
  switch (reason) {
    case BlockRefusal::Disabled:
      return "disabled";
    case BlockRefusal::NotConnected:
      return "not_connected";
    case BlockRefusal::Unavailable:
      return "unavailable";
    case BlockRefusal::OutOfRange:
      return "out_of_range";
    case BlockRefusal::Locked:
      return "locked";
    case BlockRefusal::Nak:
      return "nak";
  }
  return "unknown";
}

// The block was written to the router connection at `at` (monotonic).
struct BlockSent {
  MonoTime at{};
  friend bool operator==(const BlockSent&, const BlockSent&) = default;
};

// The router answered ACK: it accepted the block. Not a confirmation: only the router's
// routing updates say what is on air.
struct BlockAcknowledged {
  friend bool operator==(const BlockAcknowledged&, const BlockAcknowledged&) = default;
};

struct BlockRefused {
  BlockRefusal reason = BlockRefusal::NotConnected;
  std::string detail;  // e.g. "output 3 locked", "NAK"
  friend bool operator==(const BlockRefused&, const BlockRefused&) = default;
};

// The connection went away after the block was written and before its ACK (ACK timeout,
// reset, silence). The router may or may not have applied it: the routing it shows after
// the reconnect says which.
struct BlockConnectionLost {
  std::string detail;
  friend bool operator==(const BlockConnectionLost&, const BlockConnectionLost&) = default;
};

// A block reports BlockSent once it is written, then exactly one of BlockAcknowledged,
// BlockRefused (Nak, or Locked after a failed force-unlock) or BlockConnectionLost. A block
// that is never written reports one BlockRefused and nothing else.
using BlockOutcome = std::variant<BlockSent, BlockAcknowledged, BlockRefused, BlockConnectionLost>;

}  // namespace failover::core
