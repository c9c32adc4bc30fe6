// Decisions: when a pair switches by itself (failover, failback), how a switch is commanded,
// confirmed or failed, and the timers that drive it.

#include <algorithm>

#include "engine_impl.h"

namespace failover::engine {
namespace {

std::chrono::milliseconds ms(int64_t value) {
  return std::chrono::milliseconds(value);
}

}  // namespace

bool FailoverEngine::Impl::suspended(core::MonoTime now) const {
  return !bus_up_ || now < grace_until_;
}

bool FailoverEngine::Impl::pairSuspended(PairRt& pair, core::MonoTime now) const {
  if (suspended(now)) {
    return true;
  }
  if (pair.grace_until && now < *pair.grace_until) {
    pair.wake_at = pair.grace_until;
    return true;
  }
  return false;
}

void FailoverEngine::Impl::onControl(const ControlChanged& event, core::MonoTime now,
                                     std::vector<Action>& out) {
  if (event.in_charge == in_charge_) {
    return;
  }
  in_charge_ = event.in_charge;
  // Coming into charge: every pair is decided afresh from the health and the routing
  // observed now; dwell and failback already count from the changes on air the shadow saw.
  // Going out of charge: nothing new is decided; a block already sent stays this switch's,
  // confirmed by the router's routing like any other.
  evaluateAll(now, out);
}

void FailoverEngine::Impl::evaluateAll(core::MonoTime now, std::vector<Action>& out) {
  if (grace_pending_ && now >= grace_until_) {
    grace_pending_ = false;
  }
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    evaluatePair(p, now, out);
  }
}

void FailoverEngine::Impl::evaluatePair(std::size_t p, core::MonoTime now, std::vector<Action>& out,
                                        bool cascade) {
  PairRt& pair = pairs_[p];
  deadlines_dirty_ = true;
  if (verdict(pair.machine[0], *pair.settings) == Verdict::Good) {
    if (!pair.main_healthy_since) {
      pair.main_healthy_since = now;
    }
  } else {
    pair.main_healthy_since.reset();
  }
  pair.wake_at.reset();
  if (!pair.switching) {
    decideAutomatic(p, now);
  }
  const std::optional<Side> old_active = pair.published.active;
  const bool was_switching = pair.published.failover == FailoverState::Switching;
  publishIfChanged(p, out);
  const bool moved = pair.published.active != old_active ||
                     (pair.published.failover == FailoverState::Switching) != was_switching;
  if (!cascade || !moved) {
    return;
  }
  // N:1: a shared Backup going on or off air (or being switched to) changes what the other
  // pairs of its machines may do (busy, free again); they decide again, once.
  for (const std::size_t machine : pair.machine) {
    for (const std::size_t other : machines_[machine].pairs) {
      if (other != p) {
        evaluatePair(other, now, out, false);
      }
    }
  }
}

std::optional<Side> FailoverEngine::Impl::effectiveActive(const PairRt& pair) const {
  // While its router is away a pair's machine counts as on air where the routing last
  // showed it: a shared Backup stays busy for the other pairs until the router says not.
  if (!pair.active && !routers_[pair.router].connected) {
    return pair.last_known_active;
  }
  return pair.active;
}

bool FailoverEngine::Impl::dwellBlocks(PairRt& pair, core::MonoTime now) {
  std::optional<core::MonoTime> until;
  const auto hold = [&until](std::optional<core::MonoTime> at) {
    if (at && (!until || *at > *until)) {
      until = at;
    }
  };
  const core::Duration dwell = ms(pair.settings->min_dwell_ms);
  if (pair.changed_on_air_at) {
    hold(*pair.changed_on_air_at + dwell);
  }
  if (pair.last_block_at) {
    hold(*pair.last_block_at + dwell);
  }
  hold(pair.retry_at);
  if (!until || now >= *until) {
    return false;
  }
  pair.wake_at = until;
  return true;
}

bool FailoverEngine::Impl::busyElsewhere(std::size_t machine, std::size_t pair,
                                         std::string* other_pair) const {
  for (const std::size_t q : machines_[machine].pairs) {
    if (q == pair) {
      continue;
    }
    const PairRt& other = pairs_[q];
    const std::optional<Side> other_active = effectiveActive(other);
    const bool on_air = other_active && other.machine[sideIndex(*other_active)] == machine;
    const bool wanted =
        other.switching && other.machine[sideIndex(other.switching->target)] == machine;
    if (on_air || wanted) {
      if (other_pair != nullptr) {
        *other_pair = other.settings->id;
      }
      return true;
    }
  }
  return false;
}

void FailoverEngine::Impl::decideAutomatic(std::size_t p, core::MonoTime now) {
  PairRt& pair = pairs_[p];
  const config::PairSettings& settings = *pair.settings;
  // Decisions are taken only from routing the router shows now. While it cannot be routed
  // to, nothing is decided (so nothing is replayed after its reason is gone): the pair is
  // decided afresh from the health and the routing seen when it returns.
  if (!pair.active || pair.mode != config::FailoverMode::Auto || !pair.armed ||
      !routable(pair.router)) {
    return;
  }
  const Side active = *pair.active;
  const Side standby = otherSide(active);
  const std::size_t active_machine = pair.machine[sideIndex(active)];
  const std::size_t standby_machine = pair.machine[sideIndex(standby)];

  if (verdict(active_machine, settings) == Verdict::Failing) {
    if (pairSuspended(pair, now)) {
      return;
    }
    if (settings.require_live && active == Side::Main && !machines_[active_machine].live) {
      return;
    }
    if (verdict(standby_machine, settings) != Verdict::Good ||
        busyElsewhere(standby_machine, p, nullptr) || dwellBlocks(pair, now)) {
      return;
    }
    core::MonoTime since = now;
    auto trigger = firstFailure(active_machine, settings, &since);
    // A Main that only fell silent is failed over once the node has heard something well
    // after the Main's last message: half the silence period later, or after its deadline.
    // When the node's own link to the broker goes quiet, every machine falls silent within a
    // few milliseconds of the Main, and the first would otherwise be switched to a Backup
    // that is about to fall silent too. Machines beat several times per silence period, so
    // a link that delivers has already given that proof by the deadline.
    if (silentOnly(active_machine, settings)) {
      if (last_health_at_ <= since - stale_after_ / 2) {
        link_proof_wanted_ = true;
        return;
      }
      if (resumed_at_ && *resumed_at_ > since - stale_after_ / 2 &&
          now < *resumed_at_ + kBacklogSettle) {
        // Heard again after a gap: the Main's own messages may be further in the backlog.
        pair.wake_at = *resumed_at_ + kBacklogSettle;
        return;
      }
    }
    PendingSwitch pending;
    pending.target = standby;
    pending.from = active;
    pending.kind = SwitchEventType::Failover;
    pending.trigger = std::move(trigger);
    pending.detected = since;
    pending.reason =
        unhealthyReason(active_machine, settings) + ": switching to " + machineId(standby_machine);
    startSwitch(p, std::move(pending), now);
    return;
  }

  if (active == Side::Backup && settings.failback == config::FailbackMode::Auto &&
      pair.main_healthy_since && !pairSuspended(pair, now)) {
    // The Main must have been healthy for failback_after_ms while the Backup was on air: an
    // operator's switch to a healthy Backup holds that long too.
    core::MonoTime healthy_from = *pair.main_healthy_since;
    if (pair.on_air_since && *pair.on_air_since > healthy_from) {
      healthy_from = *pair.on_air_since;
    }
    const core::MonoTime due = healthy_from + ms(settings.failback_after_ms);
    if (now < due) {
      pair.wake_at = due;
      return;
    }
    if (busyElsewhere(standby_machine, p, nullptr) || dwellBlocks(pair, now)) {
      return;
    }
    PendingSwitch pending;
    pending.target = Side::Main;
    pending.from = Side::Backup;
    pending.kind = SwitchEventType::Failback;
    const std::string healthy_for =
        "healthy for " + std::to_string(settings.failback_after_ms) + " ms";
    pending.trigger = TriggerInfo{machineId(standby_machine), "health", "ok", healthy_for};
    pending.detected = due;
    pending.reason = "Main " + machineId(standby_machine) + " " + healthy_for +
                     " with the Backup on air: failing back";
    startSwitch(p, std::move(pending), now);
  }
}

void FailoverEngine::Impl::startSwitch(std::size_t p, PendingSwitch pending, core::MonoTime now) {
  PairRt& pair = pairs_[p];
  pending.commanded = now;
  pending.deadline = now + options_.switch_timeout;
  pending.request_id = 0;  // assigned when the block is built
  pending.phase = SwitchPhase::Requested;
  pair.switching = std::move(pending);
  to_route_.push_back(p);
}

void FailoverEngine::Impl::failUnroutablePairs(std::vector<Action>& out) {
  // A pair moves whole or not at all: routing around an output locked by another client, or
  // beyond the router's size, would leave program and key on different machines. Such a
  // switch fails before anything is sent, and says which ports are in the way. Locked outputs
  // are no obstacle when the router may force-unlock.
  for (const std::size_t p : to_route_) {
    PairRt& pair = pairs_[p];
    const RouterRt& router = routers_[pair.router];
    if (!pair.switching || pair.switching->request_id != 0) {
      continue;
    }
    if (std::string beyond = portsBeyondRouter(pair); !beyond.empty()) {
      failSwitch(p, ErrorCode::PortOutOfRange, beyond, out);
      continue;
    }
    // A router whose outputs the node locks is force-unlocked before routing, as with
    // force_unlock: the node in charge takes its outputs back from whoever holds them.
    if (router.settings->force_unlock || router.settings->lock_outputs) {
      continue;
    }
    std::string locked;
    for (const int output : pair.settings->outputs) {
      if (std::binary_search(router.locked.begin(), router.locked.end(), output)) {
        locked += (locked.empty() ? "" : ", ") + std::to_string(output);
      }
    }
    if (!locked.empty()) {
      failSwitch(p, ErrorCode::NotAllowed,
                 "output " + locked + " of router '" + router.settings->id +
                     "' is locked by another client; unlock it there, or set force_unlock",
                 out);
    }
  }
}

void FailoverEngine::Impl::flushRoutes(std::vector<Action>& out) {
  if (to_route_.empty()) {
    return;
  }
  std::sort(to_route_.begin(), to_route_.end());
  to_route_.erase(std::unique(to_route_.begin(), to_route_.end()), to_route_.end());
  failUnroutablePairs(out);
  std::vector<Action> blocks;
  for (std::size_t r = 0; r < routers_.size(); ++r) {
    RouteRequest request;
    for (const std::size_t p : to_route_) {
      PairRt& pair = pairs_[p];
      if (pair.router != r || !pair.switching || pair.switching->request_id != 0) {
        continue;
      }
      if (request.request_id == 0) {
        request.request_id = next_request_id_++;
        request.router = routers_[r].settings->id;
      }
      pair.switching->request_id = request.request_id;
      const std::size_t target = sideIndex(pair.switching->target);
      for (const PairSignal& signal : pair.signals) {
        for (const int output : signal.outputs) {
          request.routes.push_back(core::Route{output, signal.input[target]});
        }
      }
      request.pairs.push_back(pair.settings->id);
      request.reason = request.pairs.size() == 1
                           ? pair.switching->reason
                           : std::to_string(request.pairs.size()) + " pairs switch together";
    }
    if (request.request_id != 0) {
      blocks.emplace_back(std::move(request));
    }
  }
  to_route_.clear();
  // Routing blocks go first: they are what the latency budget is about.
  out.insert(out.begin(), std::make_move_iterator(blocks.begin()),
             std::make_move_iterator(blocks.end()));
}

SwitchEvent FailoverEngine::Impl::eventFor(PairRt& pair, SwitchEventType type) const {
  SwitchEvent event;
  event.type = type;
  event.attempted = type;
  event.pair = pair.settings->id;
  event.seq = ++pair.seq;
  event.mode = pair.mode;
  event.router = pair.settings->router;
  event.outputs = pair.settings->outputs;
  return event;
}

SwitchEvent FailoverEngine::Impl::eventFor(PairRt& pair, SwitchEventType type,
                                           const PendingSwitch& pending) const {
  SwitchEvent event = eventFor(pair, type);
  event.attempted = pending.kind;
  if (pending.from) {
    event.from = sideId(pair, *pending.from);
    event.input_from = sideInput(pair, *pending.from);
  }
  event.to = sideId(pair, pending.target);
  event.input_to = sideInput(pair, pending.target);
  event.signals = signalRoutes(pair, pending.from, pending.target);
  event.reason = pending.reason;
  event.trigger = pending.trigger;
  event.requested_by = pending.meta.requested_by;
  event.transaction = pending.meta.transaction;
  event.detected = pending.detected;
  event.commanded = pending.commanded;
  return event;
}

void FailoverEngine::Impl::completeSwitch(std::size_t p, core::MonoTime now,
                                          std::vector<Action>& out) {
  PairRt& pair = pairs_[p];
  PendingSwitch pending = std::move(*pair.switching);
  pair.switching.reset();
  SwitchEvent event = eventFor(pair, pending.kind, pending);
  event.confirmed = now;
  pair.last_switch = event;
  out.emplace_back(SwitchEventAction{event});
  if (pending.is_command) {
    CommandReply answer = reply(pending.meta, pair.settings->id);
    answer.message = "switched to " + *event.to;
    answer.event = std::move(event);
    answer.state = buildView(p);
    out.emplace_back(std::move(answer));
  }
}

PendingSwitch FailoverEngine::Impl::failSwitch(std::size_t p, ErrorCode code,
                                               const std::string& message,
                                               std::vector<Action>& out) {
  PairRt& pair = pairs_[p];
  PendingSwitch pending = std::move(*pair.switching);
  pair.switching.reset();
  deadlines_dirty_ = true;
  if (!pending.is_command && code != ErrorCode::RouterDisconnected) {
    // A refused or unconfirmed automatic attempt is not retried at once: the same refusal
    // would follow every heartbeat. A lost router needs no hold: its return is the gate.
    pair.retry_at = pending.commanded + std::max<core::Duration>(ms(pair.settings->min_dwell_ms),
                                                                 options_.switch_timeout);
  }
  SwitchEvent event = eventFor(pair, SwitchEventType::SwitchFailed, pending);
  event.ok = false;
  event.error = code;
  event.error_message = message;
  pair.last_switch = event;
  out.emplace_back(SwitchEventAction{event});
  if (pending.is_command) {
    CommandReply answer = refusal(pending.meta, pair.settings->id, code, message);
    answer.event = std::move(event);
    answer.state = buildView(p);
    out.emplace_back(std::move(answer));
  }
  return pending;
}

void FailoverEngine::Impl::expireSwitches(core::MonoTime now, std::vector<Action>& out) {
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    PairRt& pair = pairs_[p];
    if (!pair.switching || now < pair.switching->deadline) {
      continue;
    }
    // An acknowledged block the routing still does not show was not applied. One that was
    // never answered may still be: it stays ours until its outcome says otherwise.
    const bool answered = pair.switching->phase == SwitchPhase::Acknowledged;
    PendingSwitch attempt = failSwitch(p, ErrorCode::RouterTimeout,
                                       "the router did not confirm the switch within " +
                                           std::to_string(options_.switch_timeout.count()) + " ms",
                                       out);
    if (!answered) {
      pair.unsettled = UnsettledBlock{std::move(attempt), std::nullopt, false};
    }
  }
}

void FailoverEngine::Impl::refreshDeadlines() {
  if (rules_dirty_) {
    rules_dirty_ = false;
    rule_deadline_.reset();
    for (const MachineRt& machine : machines_) {
      for (std::size_t i = 0; i < config_.rules.size(); ++i) {
        const RuleState& state = machine.rules[i];
        if (state.holding && !state.active) {
          const core::MonoTime due = state.since + ms(config_.rules[i].for_ms);
          if (!rule_deadline_ || due < *rule_deadline_) {
            rule_deadline_ = due;
          }
        }
      }
    }
  }
  if (!deadlines_dirty_) {
    return;
  }
  deadlines_dirty_ = false;
  pair_deadline_.reset();
  const auto consider = [this](core::MonoTime at) {
    if (!pair_deadline_ || at < *pair_deadline_) {
      pair_deadline_ = at;
    }
  };
  if (grace_pending_) {
    consider(grace_until_);
  }
  for (const PairRt& pair : pairs_) {
    if (pair.wake_at) {
      consider(*pair.wake_at);
    }
    if (pair.switching) {
      consider(pair.switching->deadline);
    }
  }
}

}  // namespace failover::engine
