#pragma once

// The one place a routing request turns the node's 1-based routes into the zero-based
// indexes the wire carries (blocks.h).

#include <vector>

#include "failover/core/route.h"
#include "failover/videohub/blocks.h"

namespace failover::videohub {

// A VIDEO OUTPUT ROUTING request holding `routes` in order. REQUIRES: every output and input
// is at least 1 (the caller range-checks against the device first).
RoutingBlock routingRequest(const std::vector<core::Route>& routes);

}  // namespace failover::videohub
