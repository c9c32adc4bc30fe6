#pragma once

// The router port: what the node asks of a video router. VideohubRouter implements it for a
// Blackmagic Videohub; what the router reports comes back to the node as engine events.

#include <functional>
#include <vector>

#include "failover/engine/events.h"

namespace failover::ports {

class RouterControl {
 public:
  virtual ~RouterControl() = default;
  // Sends every route in ONE block. `done` is called exactly once with one outcome per
  // output, possibly before routeSalvo returns.
  virtual void routeSalvo(std::vector<engine::Route> routes,
                          std::function<void(std::vector<engine::OutputOutcome>)> done) = 0;
  // Connects (true) or disconnects and stays away (false).
  virtual void setEnabled(bool enabled) = 0;
};

}  // namespace failover::ports
