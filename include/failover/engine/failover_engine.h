#pragma once

// FailoverEngine: the decision core of failover-node. Events in, actions out; no I/O, no
// clock, no threads, no logging. The daemon calls handle() for every observation with the
// monotonic time it arrived, tick() when nextDeadline() is due, and executes the returned
// actions in order. docs/engine.md describes the states, rules and timers.
//
// Determinism: the same events at the same times give the same actions. Pairs, machines
// and routers are visited in configuration order.
//
// Cost: handle() of a health message that changes nothing (a healthy machine's heartbeat)
// does a hash lookup, an O(1) staleness-list update and the comparisons of the rules on that
// check; it allocates nothing and returns an empty vector. nextDeadline() is O(1).

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "failover/config/config.h"
#include "failover/config/state_file.h"
#include "failover/core/time.h"
#include "failover/engine/actions.h"
#include "failover/engine/events.h"
#include "failover/engine/pair_view.h"

namespace failover::engine {

struct EngineOptions {
  // The one clock of a switch: a switch whose target the router's routing has not shown
  // this long after the decision has failed (switch_failed, router_timeout). The router
  // client keeps no verdict of its own; its ACK timeout only judges the connection. A block
  // still unanswered when this passes stays ours: if the router applies it later, the change
  // is reported as this switch's, not as someone else's.
  std::chrono::milliseconds switch_timeout{1000};
};

class FailoverEngine {
 public:
  // `config` should have passed config::validate() without errors; a pair whose router or
  // machines do not resolve, or whose outputs are out of range, is not managed (its id is
  // then an unknown pair). The engine keeps its own copy. `start` is the monotonic time the
  // node started: start-up grace and "unknown" are measured from it. The engine assumes the
  // node's broker link is up from `start`; the daemon sends BusConnectionChanged{false} as
  // soon as it knows otherwise. Routers are assumed disconnected until a RouterObserved says
  // connected. The first handle() or tick() also returns a Warning for each configuration
  // warning of a pair (feature mismatch).
  FailoverEngine(const config::Config& config, core::MonoTime start, EngineOptions options = {});
  ~FailoverEngine();
  FailoverEngine(const FailoverEngine&) = delete;
  FailoverEngine& operator=(const FailoverEngine&) = delete;

  // Applies one observation received at `now` (monotonic, never earlier than a previous
  // call's `now`). Returns the actions to execute, RouteRequests first.
  std::vector<Action> handle(const Event& event, core::MonoTime now);

  // Runs the timers that are due at `now`: staleness, rule holds, switch timeouts, grace
  // ends, dwell and failback delays. Calling it early is harmless (it does nothing).
  std::vector<Action> tick(core::MonoTime now);

  // When tick() must be called next; unset when no timer is pending. May be earlier than
  // strictly needed, never later.
  std::optional<core::MonoTime> nextDeadline() const;

  // A snapshot of one pair for publishing; unset for an unknown pair id.
  std::optional<PairView> pairView(const std::string& pair) const;
  // Pair ids in configuration order.
  std::vector<std::string> pairIds() const;

  // The dotted field paths the rules read from payloads of `check`, without duplicates, in
  // rule order. The daemon extracts only these into HealthObserved::fields.
  const std::vector<std::string>& ruleFields(config::Check check) const;

  // The current run-time settings (mode, armed per pair; enabled per router).
  config::RunState runState() const;

  // Takes over `config` at `now` (a configuration reload, SPEC 8.3); `config` should have
  // passed config::validate(). Compared with the running configuration
  // (config::diffConfigs):
  //  - an unchanged pair keeps everything: which machine is on air, a switch in flight,
  //    dwell, failback and retry timers, its mode and armed, its event sequence;
  //  - a changed pair keeps its mode, armed, event sequence and dwell, reads which machine
  //    is on air from the routing as it stands, and gets its own start-up grace from `now`;
  //    nothing is routed because of the reload. A switch of it in flight fails
  //    (switch_failed, not_allowed; a waiting command is answered);
  //  - a new pair starts as at a node start: its own start-up grace from `now`;
  //  - a removed pair is gone (a switch of it in flight fails the same way);
  //  - a machine whose id stays keeps its health; a new one is unknown until heard, like
  //    at start; rule holds start again when the rules changed;
  //  - a router whose id stays keeps `enabled`; an unchanged one also its connection and
  //    routing; a changed or new one counts as disconnected until it reports its routing.
  // The node's own grace periods and broker state carry on. Returns the actions of the
  // change (failed switches, warnings of new pairs, states that changed), RouteRequests of
  // unchanged pairs only.
  std::vector<Action> reload(const config::Config& config, core::MonoTime now);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace failover::engine
