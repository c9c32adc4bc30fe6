// Router truth: the observed routing decides which machine is on air, confirms switches and
// reveals switches made by others; what became of routing blocks; reconcile after a reconnect.

#include <algorithm>

#include "engine_impl.h"

namespace failover::engine {

bool FailoverEngine::Impl::routable(std::size_t router) const {
  return routers_[router].enabled && routers_[router].connected;
}

int FailoverEngine::Impl::observedSide(std::size_t pair_index) const {
  const PairRt& pair = pairs_[pair_index];
  const RouterRt& router = routers_[pair.router];
  if (!router.connected) {
    return kNone;
  }
  const int main_input = sideInput(pair, Side::Main);
  const int backup_input = sideInput(pair, Side::Backup);
  bool all_main = true;
  bool all_backup = true;
  for (const int output : pair.settings->outputs) {
    const auto index = static_cast<std::size_t>(output - 1);
    const int source = index < router.source.size() ? router.source[index] : 0;
    all_main = all_main && source == main_input;
    all_backup = all_backup && source == backup_input;
  }
  if (all_main) {
    return static_cast<int>(Side::Main);
  }
  if (all_backup) {
    return static_cast<int>(Side::Backup);
  }
  return kNone;
}

void FailoverEngine::Impl::onRouter(const RouterObserved& event, core::MonoTime now,
                                    std::vector<Action>& out) {
  std::size_t r = 0;
  while (r < routers_.size() && routers_[r].settings->id != event.router) {
    ++r;
  }
  if (r == routers_.size()) {
    return;
  }
  RouterRt& router = routers_[r];
  bool locks_changed = false;
  if (event.locked_outputs) {
    std::vector<int> locked = *event.locked_outputs;
    std::sort(locked.begin(), locked.end());
    locks_changed = locked != router.locked;
    router.locked = std::move(locked);
  }

  if (!event.connected || !event.device_present) {
    if (router.connected) {
      routerLost(r, now, out);
    } else if (locks_changed) {
      for (const std::size_t pair : router.pairs) {
        evaluatePair(pair, now, out);
      }
    }
    flushRoutes(out);
    refreshDeadlines();
    return;
  }

  const bool reconnected = !router.connected;
  router.connected = true;
  if (event.full || reconnected) {
    std::fill(router.source.begin(), router.source.end(), 0);
  }
  std::vector<std::size_t> affected;
  for (const Route& route : event.routes) {
    if (route.output < 1 || route.output > kMaxPort || route.input < 1) {
      continue;  // no such port on any router
    }
    const auto index = static_cast<std::size_t>(route.output - 1);
    if (router.source.size() <= index) {
      router.source.resize(index + 1, 0);
    }
    router.source[index] = route.input;
    if (index < router.owner.size() && router.owner[index] != kNone) {
      affected.push_back(static_cast<std::size_t>(router.owner[index]));
    }
  }
  const bool whole = event.full || reconnected || locks_changed;
  if (whole) {
    affected = router.pairs;
  } else {
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
  }
  const bool first_routing = !router.routing_known;
  if (event.full || !event.routes.empty()) {
    router.routing_known = true;
  }
  for (const std::size_t pair : affected) {
    updateActive(pair, reconnected && !first_routing, now, out);
  }
  for (const std::size_t pair : affected) {
    evaluatePair(pair, now, out);
  }
  flushRoutes(out);
  refreshDeadlines();
}

void FailoverEngine::Impl::updateActive(std::size_t pair_index, bool after_reconnect,
                                        core::MonoTime now, std::vector<Action>& out) {
  PairRt& pair = pairs_[pair_index];
  const int side = observedSide(pair_index);
  pair.active = side;
  if (side == kNone) {
    return;
  }
  if (pair.switching && side == static_cast<int>(pair.switching->target)) {
    completeSwitch(pair_index, now, out);
    pair.last_known_active = side;
    return;
  }
  if (pair.last_known_active != kNone && side != pair.last_known_active) {
    SwitchEvent event = eventFor(pair, SwitchEventType::ExternalSwitch);
    event.from = sideId(pair, static_cast<Side>(pair.last_known_active));
    event.to = sideId(pair, static_cast<Side>(side));
    event.input_from = sideInput(pair, static_cast<Side>(pair.last_known_active));
    event.input_to = sideInput(pair, static_cast<Side>(side));
    event.reason = after_reconnect
                       ? "the routing changed while the router was disconnected"
                       : "the router's routing changed outside this node (front panel or "
                         "another client)";
    event.detected = now;
    event.confirmed = now;
    pair.last_switch = event;
    pair.last_switch_at = now;  // an operator's switch at the panel also starts the dwell
    out.emplace_back(SwitchEventAction{std::move(event)});
  }
  pair.last_known_active = side;
}

void FailoverEngine::Impl::routerLost(std::size_t router_index, core::MonoTime now,
                                      std::vector<Action>& out) {
  RouterRt& router = routers_[router_index];
  router.connected = false;
  std::fill(router.source.begin(), router.source.end(), 0);
  for (const std::size_t p : router.pairs) {
    PairRt& pair = pairs_[p];
    pair.active = kNone;
    if (pair.switching && pair.switching->commanded) {
      if (pair.switching->is_command) {
        failSwitch(p, ErrorCode::RouterDisconnected,
                   "the router disconnected before it confirmed the switch", now, out);
      } else {
        // An automatic decision stands: it is requested again when the router returns.
        pair.switching->commanded.reset();
        pair.switching->request_id = 0;
        pair.switching->waiting_for_router = true;
      }
    }
    evaluatePair(p, now, out);
  }
}

namespace {

// How the engine reads a refused block: a disabled router and a refusal of the request
// itself are not allowed; a router that could not be reached is disconnected.
ErrorCode errorFor(core::BlockRefusal reason) {
  switch (reason) {
    case core::BlockRefusal::NotConnected:
    case core::BlockRefusal::Unavailable:
      return ErrorCode::RouterDisconnected;
    case core::BlockRefusal::Disabled:
    case core::BlockRefusal::OutOfRange:
    case core::BlockRefusal::Locked:
    case core::BlockRefusal::Nak:
      return ErrorCode::NotAllowed;
  }
  return ErrorCode::NotAllowed;
}

}  // namespace

void FailoverEngine::Impl::onBlockReport(const RouteBlockReport& event, core::MonoTime now,
                                         std::vector<Action>& out) {
  if (event.request_id == 0 || std::holds_alternative<core::BlockAcknowledged>(event.outcome)) {
    return;  // an ACK is not a confirmation: the router's routing is
  }
  std::optional<ErrorCode> code;
  std::string message;
  if (const auto* refused = std::get_if<core::BlockRefused>(&event.outcome)) {
    code = errorFor(refused->reason);
    message = std::string("the router refused the routing block: ") +
              core::toString(refused->reason) +
              (refused->detail.empty() ? "" : " (" + refused->detail + ")");
  } else if (const auto* lost = std::get_if<core::BlockConnectionLost>(&event.outcome)) {
    code = ErrorCode::RouterDisconnected;
    message = "the router connection was lost before it answered the routing block" +
              (lost->detail.empty() ? "" : " (" + lost->detail + ")");
  }
  const auto* sent = std::get_if<core::BlockSent>(&event.outcome);
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    PairRt& pair = pairs_[p];
    if (!pair.switching || !pair.switching->commanded ||
        pair.switching->request_id != event.request_id) {
      continue;
    }
    if (sent != nullptr) {
      // The switch is commanded when its block reached the router connection, not when it
      // was decided; an earlier time cannot be this block's.
      if (sent->at >= *pair.switching->commanded) {
        pair.switching->commanded = sent->at;
      }
      continue;
    }
    failSwitch(p, *code, message, now, out);
    evaluatePair(p, now, out);
  }
  flushRoutes(out);
  refreshDeadlines();
}

}  // namespace failover::engine
