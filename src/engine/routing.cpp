// Router truth: the observed routing decides which machine is on air, confirms switches and
// reveals switches made by others; what became of our routing blocks; router loss.

#include <algorithm>

#include "engine_impl.h"

namespace failover::engine {

bool FailoverEngine::Impl::routable(std::size_t router) const {
  return in_charge_ && routers_[router].enabled && routers_[router].connected;
}

std::string FailoverEngine::Impl::sideInputs(const PairRt& pair, Side side) {
  if (pair.signals.size() == 1) {
    return "input " + std::to_string(sideInput(pair, side));
  }
  std::string text;
  for (const PairSignal& signal : pair.signals) {
    text += (text.empty() ? "inputs " : ", ") + signal.name + " " +
            std::to_string(signal.input[sideIndex(side)]);
  }
  return text;
}

std::string FailoverEngine::Impl::portsBeyondRouter(const PairRt& pair) const {
  const RouterRt& router = routers_[pair.router];
  if (!router.size) {
    return "";
  }
  std::string text;
  const auto add = [&text](const std::string& item) {
    text += (text.empty() ? "" : ", ") + item;
  };
  for (const int output : pair.settings->outputs) {
    if (output > router.size->outputs) {
      add("output " + std::to_string(output));
    }
  }
  for (const Side side : {Side::Main, Side::Backup}) {
    for (const PairSignal& signal : pair.signals) {
      const int input = signal.input[sideIndex(side)];
      if (input > router.size->inputs) {
        add("input " + std::to_string(input) + " (" + sideId(pair, side) +
            (pair.signals.size() == 1 ? "" : " " + signal.name) + ")");
      }
    }
  }
  if (text.empty()) {
    return "";
  }
  return "router '" + router.settings->id + "' has " + std::to_string(router.size->inputs) +
         " inputs and " + std::to_string(router.size->outputs) + " outputs: " + text + " beyond it";
}

std::vector<SignalRoute> FailoverEngine::Impl::signalRoutes(const PairRt& pair,
                                                            std::optional<Side> from, Side to) {
  std::vector<SignalRoute> routes;
  for (const PairSignal& signal : pair.signals) {
    SignalRoute& route = routes.emplace_back();
    route.signal = signal.name;
    route.outputs = signal.outputs;
    if (from) {
      route.input_from = signal.input[sideIndex(*from)];
    }
    route.input_to = signal.input[sideIndex(to)];
  }
  return routes;
}

std::optional<Side> FailoverEngine::Impl::observedSide(std::size_t pair_index) const {
  const PairRt& pair = pairs_[pair_index];
  const RouterRt& router = routers_[pair.router];
  if (!router.connected) {
    return std::nullopt;
  }
  // A side is on air when every output shows that side's input of the output's signal.
  bool all_main = true;
  bool all_backup = true;
  for (const PairSignal& signal : pair.signals) {
    for (const int output : signal.outputs) {
      const auto index = static_cast<std::size_t>(output - 1);
      const int source = index < router.source.size() ? router.source[index] : 0;
      all_main = all_main && source == signal.input[sideIndex(Side::Main)];
      all_backup = all_backup && source == signal.input[sideIndex(Side::Backup)];
    }
  }
  if (all_main) {
    return Side::Main;
  }
  if (all_backup) {
    return Side::Backup;
  }
  return std::nullopt;
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
    return;
  }

  const bool reconnected = !router.connected;
  router.connected = true;
  const bool size_changed = event.size && event.size != router.size;
  if (event.size) {
    router.size = event.size;
  }
  if (event.full || reconnected) {
    std::fill(router.source.begin(), router.source.end(), 0);
  }
  std::vector<std::size_t> affected;
  for (const core::Route& route : event.routes) {
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
  const bool whole = event.full || reconnected || locks_changed || size_changed;
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
    // A block lost with its connection is judged by the first whole routing after it.
    PairRt& state = pairs_[pair];
    if (event.full && state.unsettled && state.unsettled->connection_lost) {
      state.unsettled.reset();
    }
  }
  for (const std::size_t pair : affected) {
    evaluatePair(pair, now, out);
  }
}

void FailoverEngine::Impl::updateActive(std::size_t pair_index, bool after_reconnect,
                                        core::MonoTime now, std::vector<Action>& out) {
  PairRt& pair = pairs_[pair_index];
  const std::optional<Side> side = observedSide(pair_index);
  pair.active = side;
  if (!side) {
    return;
  }
  if (!pair.last_known_active) {
    pair.on_air_since = now;  // first sight: on air since at least now
  }
  if (pair.switching && *side == pair.switching->target) {
    completeSwitch(pair_index, now, out);
  } else if (pair.last_known_active && *side != *pair.last_known_active &&
             !settleUnsettled(pair_index, *side, now, out)) {
    SwitchEvent event = eventFor(pair, SwitchEventType::ExternalSwitch);
    event.from = sideId(pair, *pair.last_known_active);
    event.to = sideId(pair, *side);
    event.input_from = sideInput(pair, *pair.last_known_active);
    event.input_to = sideInput(pair, *side);
    event.signals = signalRoutes(pair, pair.last_known_active, *side);
    event.reason = after_reconnect
                       ? "the routing changed while the router was disconnected"
                       : "the router's routing changed outside this node (front panel or "
                         "another client)";
    event.detected = now;
    event.confirmed = now;
    pair.last_switch = event;
    out.emplace_back(SwitchEventAction{std::move(event)});
  }
  if (pair.last_known_active && *side != *pair.last_known_active) {
    pair.on_air_since = now;
    pair.changed_on_air_at = now;  // every change on air, ours or anyone's, starts the dwell
    deadlines_dirty_ = true;
  }
  pair.last_known_active = side;
}

bool FailoverEngine::Impl::settleUnsettled(std::size_t pair_index, Side side, core::MonoTime now,
                                           std::vector<Action>& out) {
  PairRt& pair = pairs_[pair_index];
  if (!pair.unsettled) {
    return false;
  }
  const UnsettledBlock block = std::move(*pair.unsettled);
  pair.unsettled.reset();
  if ((block.until && now > *block.until) || block.attempt.target != side) {
    return false;
  }
  SwitchEvent event = eventFor(pair, block.attempt.kind, block.attempt);
  event.reason += block.connection_lost
                      ? "; the router applied the block before its connection was lost"
                      : "; the router applied the block after the switch had been reported "
                        "failed";
  event.confirmed = now;
  pair.last_switch = event;
  out.emplace_back(SwitchEventAction{std::move(event)});
  return true;
}

void FailoverEngine::Impl::routerLost(std::size_t router_index, core::MonoTime now,
                                      std::vector<Action>& out) {
  RouterRt& router = routers_[router_index];
  router.connected = false;
  std::fill(router.source.begin(), router.source.end(), 0);
  for (const std::size_t p : router.pairs) {
    PairRt& pair = pairs_[p];
    pair.active.reset();
    if (pair.switching) {
      // Answered now, whoever asked: nothing is replayed when the router returns, the pair
      // is decided afresh then. The block itself may have reached the router: the routing
      // it shows when it returns says so.
      const bool written = pair.switching->phase != SwitchPhase::Requested;
      PendingSwitch attempt =
          failSwitch(p, ErrorCode::RouterDisconnected,
                     "the router disconnected before it confirmed the switch", out);
      if (written) {
        pair.unsettled = UnsettledBlock{std::move(attempt), std::nullopt, true};
      }
    } else if (pair.unsettled) {
      pair.unsettled->connection_lost = true;
      pair.unsettled->until.reset();
    }
    evaluatePair(p, now, out);
  }
}

namespace {

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
  if (event.request_id == 0) {
    return;
  }
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    PairRt& pair = pairs_[p];
    if (pair.switching && pair.switching->request_id == event.request_id) {
      PendingSwitch& pending = *pair.switching;
      if (const auto* sent = std::get_if<core::BlockSent>(&event.outcome)) {
        pending.phase = SwitchPhase::Sent;
        if (sent->at >= pending.commanded && sent->at <= now) {
          pending.commanded = sent->at;  // when it really left, not when it was decided
        }
        // Every block the node sends starts the minimum dwell, as every change on air does.
        pair.last_block_at = pending.commanded;
        deadlines_dirty_ = true;
      } else if (std::holds_alternative<core::BlockAcknowledged>(event.outcome)) {
        pending.phase = SwitchPhase::Acknowledged;
      } else if (const auto* refused = std::get_if<core::BlockRefused>(&event.outcome)) {
        failSwitch(p, errorFor(refused->reason),
                   std::string("the router refused the block: ") + core::toString(refused->reason) +
                       (refused->detail.empty() ? "" : " (" + refused->detail + ")"),
                   out);
        evaluatePair(p, now, out);
      } else if (const auto* lost = std::get_if<core::BlockConnectionLost>(&event.outcome)) {
        PendingSwitch attempt =
            failSwitch(p, ErrorCode::RouterDisconnected,
                       "the router connection was lost before it acknowledged the block" +
                           (lost->detail.empty() ? std::string() : " (" + lost->detail + ")"),
                       out);
        pair.unsettled = UnsettledBlock{std::move(attempt), std::nullopt, true};
        evaluatePair(p, now, out);
      }
    } else if (pair.unsettled && pair.unsettled->attempt.request_id == event.request_id) {
      // A block whose switch already failed: its outcome says how long it may still land.
      if (std::holds_alternative<core::BlockAcknowledged>(event.outcome)) {
        pair.unsettled->until = now + options_.switch_timeout;  // its echo follows the ACK
      } else if (std::holds_alternative<core::BlockRefused>(event.outcome)) {
        pair.unsettled.reset();
      } else if (std::holds_alternative<core::BlockConnectionLost>(event.outcome)) {
        pair.unsettled->connection_lost = true;
      }
    }
  }
}

}  // namespace failover::engine
