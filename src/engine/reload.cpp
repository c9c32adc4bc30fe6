// Reload: a new engine for a new configuration that carries on the running engine's state,
// pair by pair, so that a reload never costs protection (FailoverEngine::reload).

#include <algorithm>

#include "engine_impl.h"

namespace failover::engine {
namespace {

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

constexpr const char* kReloadedInFlight =
    "the configuration was reloaded while the switch was in flight";

}  // namespace

std::unique_ptr<FailoverEngine::Impl> FailoverEngine::Impl::reloaded(Impl& old,
                                                                     const config::Config& config,
                                                                     core::MonoTime now,
                                                                     std::vector<Action>& out) {
  auto next = std::make_unique<Impl>(config, now, old.options_);
  next->takeOver(old, config::diffConfigs(old.config_, config), now, out);
  return next;
}

void FailoverEngine::Impl::takeOver(Impl& old, const config::ConfigDiff& diff, core::MonoTime now,
                                    std::vector<Action>& out) {
  if (!old.announced_) {
    old.announce(out);
  }
  // A switch in flight belongs to the pair as it was configured: one of a pair that changes
  // or goes ends here, answered, in the old engine that knows it.
  for (std::size_t p = 0; p < old.pairs_.size(); ++p) {
    if (old.pairs_[p].switching && !contains(diff.pairs.unchanged, old.pairs_[p].settings->id)) {
      old.failSwitch(p, ErrorCode::NotAllowed, kReloadedInFlight, out);
    }
  }

  // The node's own state carries on: its start-up and reconnect grace, its broker link,
  // whether it is in charge (a standby stays a shadow), when it last heard anything, the
  // numbering of its routing blocks (blocks still on the wire keep their ids).
  start_ = old.start_;
  bus_up_ = old.bus_up_;
  in_charge_ = old.in_charge_;
  last_health_at_ = old.last_health_at_;
  link_proof_wanted_ = old.link_proof_wanted_;
  resumed_at_ = old.resumed_at_;
  grace_until_ = old.grace_until_;
  grace_pending_ = old.grace_pending_;
  next_request_id_ = old.next_request_id_;
  announced_ = true;
  if (diff.machines.added.empty()) {
    unknown_deadline_ = old.unknown_deadline_;
    unheard_diagnostics_deadline_ = old.unheard_diagnostics_deadline_;
  }
  // else: the constructor's deadlines from `now` give the new machines their start.

  takeOverMachines(old, diff, now);
  takeOverRouters(old, diff);
  takeOverPairs(old, diff, now);

  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    if (!contains(diff.pairs.unchanged, pairs_[p].settings->id)) {
      for (const PairWarning& warning : pairs_[p].static_warnings) {
        out.emplace_back(Warning{pairs_[p].settings->id, warning.code, warning.message});
      }
    }
  }
  rules_dirty_ = true;
  deadlines_dirty_ = true;
  evaluateAll(now, out);
  flushRoutes(out);
  refreshDeadlines();
}

void FailoverEngine::Impl::takeOverMachines(const Impl& old, const config::ConfigDiff& diff,
                                            core::MonoTime now) {
  // Health belongs to the machine id: its topics do not change at run time.
  for (std::size_t m = 0; m < machines_.size(); ++m) {
    const auto found = old.machine_index_.find(machineId(m));
    if (found == old.machine_index_.end()) {
      continue;
    }
    const std::size_t o = found->second;
    MachineRt& machine = machines_[m];
    const MachineRt& before = old.machines_[o];
    machine.engine_mode = before.engine_mode;
    machine.live = before.live;
    machine.critical_parameters = before.critical_parameters;
    machine.critical = before.critical;
    machine.critical_since = before.critical_since;
    if (!diff.rules_changed) {
      machine.rules = before.rules;  // same rules, same indices
    }
    for (std::size_t c = 0; c < kCheckCount; ++c) {
      CheckSlot check = old.slots_[o * kCheckCount + c];
      check.fresh = false;
      check.prev = kNone;
      check.next = kNone;
      slots_[m * kCheckCount + c] = std::move(check);
      if (slots_[m * kCheckCount + c].fail_reported_since) {
        unconfirmed_failures_.push_back(static_cast<int32_t>(m * kCheckCount + c));
      }
    }
  }
  // The silence lists in the order they were heard, so the next check to fall silent is
  // still at the head.
  const std::pair<const SilenceList*, SilenceList*> lists[] = {{&old.heartbeats_, &heartbeats_},
                                                               {&old.diagnostics_, &diagnostics_}};
  for (const auto& [before, after] : lists) {
    for (int32_t i = before->head; i != kNone; i = old.slots_[static_cast<std::size_t>(i)].next) {
      const auto index = static_cast<std::size_t>(i);
      const auto kept = machine_index_.find(old.machineId(index / kCheckCount));
      if (kept != machine_index_.end()) {
        listTouch(*after, static_cast<int32_t>(kept->second * kCheckCount + index % kCheckCount));
      }
    }
  }
  if (diff.rules_changed) {
    for (std::size_t m = 0; m < machines_.size(); ++m) {
      updateCritical(m, now);  // rule holds start again under the new rules
    }
  }
}

void FailoverEngine::Impl::takeOverRouters(const Impl& old, const config::ConfigDiff& diff) {
  for (RouterRt& router : routers_) {
    const auto before = std::find_if(
        old.routers_.begin(), old.routers_.end(),
        [&](const RouterRt& item) { return item.settings->id == router.settings->id; });
    if (before == old.routers_.end()) {
      continue;
    }
    // A run-time setting: the running value stays, unless the file's value was edited (then
    // the file wins, as at a start with a state file).
    if (before->settings->enabled == router.settings->enabled) {
      router.enabled = before->enabled;
    }
    if (contains(diff.routers.unchanged, router.settings->id)) {
      router.connected = before->connected;
      router.routing_known = before->routing_known;
      router.source = before->source;
      router.locked = before->locked;
      router.size = before->size;
    }
  }
}

void FailoverEngine::Impl::takeOverPairs(const Impl& old, const config::ConfigDiff& diff,
                                         core::MonoTime now) {
  const auto grace = std::chrono::milliseconds(config_.health.startup_grace_ms);
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    PairRt& pair = pairs_[p];
    const std::string& id = pair.settings->id;
    const auto o = old.findPair(id);
    if (!o) {
      pair.grace_until = now + grace;  // a new pair starts as at a node start
      continue;
    }
    const PairRt& before = old.pairs_[*o];
    // Run-time settings: the running values stay, unless the file's value was edited (then
    // the file wins, as at a start with a state file).
    if (before.settings->mode == pair.settings->mode) {
      pair.mode = before.mode;
    }
    if (before.settings->armed == pair.settings->armed) {
      pair.armed = before.armed;
    }
    pair.seq = before.seq;
    pair.last_switch = before.last_switch;
    pair.published = before.published;  // its state is published again only if it changed
    // The minimum dwell counts from the last change on air whatever the configuration.
    pair.changed_on_air_at = before.changed_on_air_at;
    pair.last_block_at = before.last_block_at;
    if (contains(diff.pairs.unchanged, id)) {
      pair.active = before.active;
      pair.last_known_active = before.last_known_active;
      pair.switching = before.switching;
      pair.unsettled = before.unsettled;
      pair.on_air_since = before.on_air_since;
      pair.retry_at = before.retry_at;
      pair.main_healthy_since = before.main_healthy_since;
      pair.wake_at = before.wake_at;
      pair.grace_until = before.grace_until;
      continue;
    }
    // Changed: what is on air is read from the routing as it stands, under the new
    // settings; the pair decides nothing by itself until its own grace has passed.
    pair.grace_until = now + grace;
    const bool same_machines = old.machineId(before.machine[0]) == sideId(pair, Side::Main) &&
                               old.machineId(before.machine[1]) == sideId(pair, Side::Backup);
    if (same_machines) {
      pair.last_known_active = before.last_known_active;
      pair.main_healthy_since = before.main_healthy_since;
    }
    pair.active = observedSide(p);
    if (pair.active) {
      pair.last_known_active = pair.active;
      pair.on_air_since =
          same_machines && before.active == pair.active ? before.on_air_since : std::optional(now);
    }
  }
}

}  // namespace failover::engine
