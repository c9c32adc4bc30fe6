#pragma once

// The router port: what the node asks of a video router. VideohubRouter implements it for a
// Blackmagic Videohub. The port carries routing blocks and what became of them; whether a
// route is on air comes from the router's own updates, which reach the node separately.

#include <functional>
#include <vector>

#include "failover/core/route.h"

namespace failover::ports {

class RouterControl {
 public:
  virtual ~RouterControl() = default;
  // Sends every route in ONE block. `report` is called on the io thread, possibly before
  // sendRoutes returns, in the order core/route.h describes: BlockSent when the block is
  // written to the router connection (monotonic time), then exactly one of
  // BlockAcknowledged, BlockRefused or BlockConnectionLost; or, for a block never written,
  // one BlockRefused and nothing else.
  virtual void sendRoutes(std::vector<core::Route> routes,
                          std::function<void(const core::BlockOutcome&)> report) = 0;
  // Takes this client's router locks on `outputs` (1-based, like routes), so that panels and
  // other clients cannot route them: outputs locked by another client are force-unlocked
  // first, then every output is taken in ONE lock block. `report` follows sendRoutes: BlockSent
  // when the first block (the forced unlock, if one is needed) is written, then exactly one of
  // BlockAcknowledged, BlockRefused or BlockConnectionLost for the last block; or, for a block
  // never written, one BlockRefused and nothing else. The router's lock updates, not the ACK,
  // show who holds an output. Releasing the locks is left to the router (or to whoever takes
  // them next): a node that is no longer in charge must not write to the router at all.
  virtual void lockOutputs(std::vector<int> outputs,
                           std::function<void(const core::BlockOutcome&)> report) = 0;
  // Connects (true) or disconnects and stays away (false).
  virtual void setEnabled(bool enabled) = 0;
};

}  // namespace failover::ports
