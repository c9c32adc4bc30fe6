#include "failover/videohub/route_request.h"

namespace failover::videohub {

RoutingBlock routingRequest(const std::vector<core::Route>& routes) {
  RoutingBlock block{PortKind::VideoOutput, {}};
  block.routes.reserve(routes.size());
  for (const auto& route : routes) {
    block.routes.push_back(
        Route{static_cast<uint32_t>(route.output - 1), static_cast<uint32_t>(route.input - 1)});
  }
  return block;
}

}  // namespace failover::videohub
