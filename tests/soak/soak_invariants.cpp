#include "soak_invariants.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <limits>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

namespace failover::soak {
namespace {

using Json = nlohmann::json;

constexpr double kNever = std::numeric_limits<double>::infinity();
// The node's view of a recovered machine catches up within a heartbeat or a reconnect of
// render-sim (50-250 ms backoff); a machine counts as healthy only this long after.
constexpr double kRecoverMarginMs = 600;
// A block already on its way when the node was cut off, and the ordering of two loopback
// sockets read by two threads.
constexpr double kCutToleranceMs = 20;
// How far a switch event's `confirmed` time may be from the moment the soak's own router
// client saw the change.
constexpr double kEventMatchMs = 500;
// Invariant 6: how long the node has to switch once every precondition holds, and the grid
// the preconditions are sampled on.
constexpr double kMissedBoundMs = 1000;
constexpr double kSampleMs = 25;
// Margins on top of the node's own timers before invariant 6 expects anything.
constexpr double kSettleMarginMs = 500;

enum class Cause { Node, Operator, Ambiguous, Unattributed };

const char* toString(Cause cause) {
  switch (cause) {
    case Cause::Node:
      return "node";
    case Cause::Operator:
      return "operator";
    case Cause::Ambiguous:
      return "ambiguous";
    case Cause::Unattributed:
      return "unattributed";
  }
  return "?";
}

struct Snapshot {
  double at_ms = 0;
  std::map<int, int> routing;
};

struct PairChange {
  std::string pair;
  double at_ms = 0;
  std::string from;  // "" when the outputs showed a mix or another input
  std::string to;
  Cause cause = Cause::Node;
};

struct SwitchEventSeen {
  double received_ms = 0;
  double at_ms = 0;  // ts.confirmed, or the receive time
  std::string pair;
  std::string type;
  std::string from;
  std::string to;
  bool ok = true;
};

struct Period {  // a machine unhealthy by the soak's truth
  double begin_sent = 0;
  double begin_done = 0;
  double end_sent = kNever;
  double end_done = kNever;
};

struct NodeLife {
  double spawn = 0;
  double kill = kNever;
};

std::optional<double> parseRfc3339Ms(const std::string& text) {
  std::tm parts{};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  return static_cast<double>(::timegm(&parts)) * 1000.0 + millis;
}

class Judge {
 public:
  Judge(const Facility& facility, const Record& record) : facility_(facility), record_(record) {}

  Verdict run() {
    replayRouting();
    buildTruth();
    buildNodeLives();
    readEvents();
    for (const auto& change : changes_) {
      ++verdict_.switches[toString(change.cause)];
      verdict_.timeline.push_back("t=" + seconds(change.at_ms) + " pair=" + change.pair + " " +
                                  orDash(change.from) + " -> " + orDash(change.to) + " by " +
                                  toString(change.cause));
      if (change.cause == Cause::Node) {
        checkTargetHealthy(change);
        checkNotCutOff(change);
        checkDwell(change);
        checkManualFailback(change);
      }
      checkReported(change);
    }
    checkEventsHaveChanges();
    for (const auto& pair : facility_.pairs) {
      checkNoMissedFailover(pair);
    }
    std::sort(verdict_.violations.begin(), verdict_.violations.end(),
              [](const Violation& a, const Violation& b) { return a.at_ms < b.at_ms; });
    return verdict_;
  }

 private:
  // --- the router's routing, replayed -------------------------------------------------
  std::string machineOf(const std::map<int, int>& routing, const Pair& pair) const {
    std::optional<int> input;
    for (int output : pair.outputs) {
      const auto found = routing.find(output);
      if (found == routing.end() || (input && *input != found->second)) {
        return "";
      }
      input = found->second;
    }
    const std::string machine = facility_.machineOnInput(input.value_or(0));
    return machine == pair.main || machine == pair.backup ? machine : "";
  }

  Cause attribute(const RouterUpdate& update, std::vector<bool>& used) const {
    if (update.prelude) {
      return Cause::Unattributed;
    }
    size_t matched = 0;
    std::vector<size_t> matches;
    for (const auto& [output, input] : update.changes) {
      for (size_t i = 0; i < record_.operator_routes.size(); ++i) {
        const auto& route = record_.operator_routes[i];
        if (!used[i] && route.output == output && route.input == input &&
            update.at_ms >= route.sent_ms - 5 && update.at_ms <= route.done_ms + 300) {
          matches.push_back(i);
          ++matched;
          break;
        }
      }
    }
    if (matched == 0) {
      return Cause::Node;  // the only other client that routes
    }
    for (size_t i : matches) {
      used[i] = true;
    }
    const bool node_request_near = std::any_of(
        record_.router_log.begin(), record_.router_log.end(), [&](const RouterLogLine& line) {
          return line.kind == RouterLogLine::Kind::NodeRoutingRequest &&
                 line.at_ms >= update.at_ms - 50 && line.at_ms <= update.at_ms + 20;
        });
    return matched == update.changes.size() && !node_request_near ? Cause::Operator
                                                                  : Cause::Ambiguous;
  }

  void replayRouting() {
    std::map<int, int> routing = record_.initial_routing;
    snapshots_.push_back({0, routing});
    std::vector<bool> used(record_.operator_routes.size(), false);
    for (const auto& update : record_.router_updates) {
      if (update.changes.empty()) {
        continue;
      }
      const Cause cause = attribute(update, used);
      std::map<int, int> next = routing;
      for (const auto& [output, input] : update.changes) {
        next[output] = input;
      }
      for (const auto& pair : facility_.pairs) {
        const auto before = machineOf(routing, pair);
        const auto after = machineOf(next, pair);
        if (before != after) {
          changes_.push_back({pair.id, update.at_ms, before, after, cause});
          if (cause == Cause::Unattributed) {
            verdict_.notes.push_back(
                "routing of pair " + pair.id + " changed while the router was " +
                "away (seen in its prelude at t=" + seconds(update.at_ms) + ")");
          }
        }
      }
      routing = std::move(next);
      snapshots_.push_back({update.at_ms, routing});
    }
  }

  const std::map<int, int>& routingAt(double at) const {
    auto it = std::upper_bound(snapshots_.begin(), snapshots_.end(), at,
                               [](double t, const Snapshot& s) { return t < s.at_ms; });
    return std::prev(it)->routing;
  }

  // The pair's machine on air at `at`, and when it last changed.
  std::optional<const PairChange*> lastChange(const std::string& pair, double before) const {
    const PairChange* last = nullptr;
    for (const auto& change : changes_) {
      if (change.pair == pair && change.at_ms < before) {
        last = &change;
      }
    }
    return last ? std::optional<const PairChange*>(last) : std::nullopt;
  }

  // --- the machines' health, as the soak made it -------------------------------------------
  void buildTruth() {
    for (const auto& machine : facility_.machines) {
      periods_[machine.id];
    }
    for (const auto& change : record_.health) {
      auto& list = periods_[change.machine];
      const bool open = !list.empty() && list.back().end_sent == kNever;
      if (change.unhealthy && !open) {
        list.push_back({change.sent_ms, change.done_ms});
      } else if (!change.unhealthy && open) {
        list.back().end_sent = change.sent_ms;
        list.back().end_done = change.done_ms;
      }
    }
  }

  // The broker stretches in which machines may not be heard: from its stop until every
  // render machine was back on it, plus the margin.
  bool brokerUncertain(double from, double to) const {
    return std::any_of(
        record_.broker_outages.begin(), record_.broker_outages.end(), [&](const Outage& outage) {
          return outage.stopping_ms <= to && outage.links_up_ms + kRecoverMarginMs >= from;
        });
  }

  // Unhealthy at `at` for at least `lag` as far as the node could know: the fault was in
  // effect, heard over a working broker by a running node, for that long.
  bool definitelyUnhealthy(const std::string& machine, double at, double lag,
                           const Period** period_out = nullptr) const {
    for (const auto& period : periods_.at(machine)) {
      if (period.begin_sent <= at && at < period.end_sent) {
        double effective = period.begin_done;
        for (const auto& outage : record_.broker_outages) {
          if (outage.stopping_ms <= at && outage.links_up_ms >= period.begin_sent) {
            effective = std::max(effective, outage.links_up_ms);
          }
        }
        for (double spawn : record_.node_spawns) {
          if (spawn <= at) {
            effective = std::max(effective, spawn);
          }
        }
        if (period_out != nullptr) {
          *period_out = &period;
        }
        return effective + lag <= at;
      }
    }
    return false;
  }

  // Healthy throughout [from, to], recovered long enough before, and heard over a broker
  // that was not in the middle of an outage.
  bool definitelyHealthy(const std::string& machine, double from, double to) const {
    for (const auto& period : periods_.at(machine)) {
      if (period.begin_sent <= to && period.end_done + kRecoverMarginMs >= from) {
        return false;
      }
    }
    return !brokerUncertain(from, to);
  }

  // --- the node's lives ------------------------------------------------------------------
  void buildNodeLives() {
    for (double spawn : record_.node_spawns) {
      NodeLife life{spawn, kNever};
      for (double kill : record_.node_kills) {
        if (kill >= spawn) {
          life.kill = kill;
          break;
        }
      }
      lives_.push_back(life);
    }
    for (const auto& message : record_.bus) {
      if (!message.retained && message.topic == "failover/fo1/node/state" &&
          message.payload == "online") {
        online_seen_.push_back(message.at_ms);
      }
    }
  }

  const NodeLife* lifeAt(double at) const {
    for (const auto& life : lives_) {
      if (life.spawn <= at && at < life.kill) {
        return &life;
      }
    }
    return nullptr;
  }

  std::optional<double> onlineAfter(double at) const {
    for (double seen : online_seen_) {
      if (seen >= at) {
        return seen;
      }
    }
    return std::nullopt;
  }

  // When the node's current connection to the router began, if it is connected at `at`.
  std::optional<double> nodeRouterSince(double at) const {
    std::optional<double> since;
    for (const auto& line : record_.router_log) {
      if (line.at_ms > at) {
        break;
      }
      if (line.kind == RouterLogLine::Kind::NodeConnected) {
        since = line.at_ms;
      } else if (line.kind == RouterLogLine::Kind::NodeDisconnected) {
        since.reset();
      }
    }
    for (const auto& outage : record_.router_outages) {
      if (since && outage.down_ms >= *since && outage.down_ms <= at) {
        since.reset();
      }
    }
    const NodeLife* life = lifeAt(at);
    if (since && (life == nullptr || *since < life->spawn)) {
      since.reset();
    }
    return since;
  }

  // --- what the node published -------------------------------------------------------------
  void readEvents() {
    std::set<std::string> seen;
    for (const auto& message : record_.bus) {
      if (message.retained || message.topic.size() < 6 ||
          message.topic.compare(message.topic.size() - 6, 6, "/event") != 0) {
        continue;
      }
      if (!seen.insert(message.payload).second) {
        continue;  // delivered again after a reconnect (at least once)
      }
      auto json = Json::parse(message.payload, nullptr, false);
      if (json.is_discarded() || !json.is_object()) {
        continue;
      }
      SwitchEventSeen event;
      event.received_ms = message.at_ms;
      event.at_ms = message.at_ms;
      event.pair = json.value("pair", "");
      event.type = json.value("event_type", "");
      event.from =
          json.contains("from") && json["from"].is_string() ? json["from"].get<std::string>() : "";
      event.to = json.contains("to") && json["to"].is_string() ? json["to"].get<std::string>() : "";
      event.ok = json.value("result", "") == "ok";
      if (json.contains("ts") && json["ts"].is_object() && json["ts"].contains("confirmed") &&
          json["ts"]["confirmed"].is_string()) {
        if (auto wall = parseRfc3339Ms(json["ts"]["confirmed"].get<std::string>())) {
          event.at_ms = *wall - record_.wall_at_zero_ms;
        }
      }
      events_.push_back(event);
    }
  }

  // --- the invariants ----------------------------------------------------------------------
  void violate(int invariant, double at, const std::string& pair, const std::string& what) {
    verdict_.violations.push_back({invariant, at, pair, what});
  }

  void count(int invariant) { ++verdict_.checks[invariantName(invariant)]; }

  static std::string seconds(double ms) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.3fs", ms / 1000.0);
    return text;
  }

  // 1: never routed to a machine that was unhealthy at the time.
  void checkTargetHealthy(const PairChange& change) {
    if (change.to.empty()) {
      return;
    }
    count(1);
    const double lag = facility_.stale_after_ms + 200.0;
    const Period* period = nullptr;
    if (definitelyUnhealthy(change.to, change.at_ms, lag, &period)) {
      violate(1, change.at_ms, change.pair,
              "the node routed " + change.to + " (from " + orDash(change.from) +
                  "), which had been unhealthy since t=" + seconds(period->begin_done));
    }
  }

  // 2: no routing while cut off from the broker, in start-up grace, or in reconnect grace.
  void checkNotCutOff(const PairChange& change) {
    count(2);
    const double at = change.at_ms;
    for (const auto& outage : record_.broker_outages) {
      if (at >= outage.stopping_ms && at < outage.down_ms + kCutToleranceMs) {
        // Not cut off yet: the stopping broker was still delivering its clients' wills.
        verdict_.notes.push_back("t=" + seconds(at) + " pair " + change.pair +
                                 ": the node switched to " + orDash(change.to) +
                                 " while the broker was shutting down (it publishes every "
                                 "machine's will `offline` before it closes the connections)");
        return;
      }
      const double grace_end = outage.up_ms + facility_.reconnect_grace_ms - kCutToleranceMs;
      if (at >= outage.down_ms + kCutToleranceMs && at < grace_end) {
        const bool down = at < outage.up_ms;
        violate(2, at, change.pair,
                "the node routed " + orDash(change.to) +
                    (down ? " while the broker was down (since t=" + seconds(outage.down_ms) + ")"
                          : " within reconnect grace (broker back at t=" + seconds(outage.up_ms) +
                                ")"));
        return;
      }
    }
    const double grace = std::max(facility_.startup_grace_ms, facility_.reconnect_grace_ms);
    for (double spawn : record_.node_spawns) {
      if (at >= spawn && at < spawn + grace - kCutToleranceMs) {
        violate(2, at, change.pair,
                "the node routed " + orDash(change.to) +
                    " within start-up grace (started at t=" + seconds(spawn) + ")");
        return;
      }
    }
  }

  // 3: an automatic change on air waits min_dwell_ms after the pair's previous change on air.
  // Changes from before the node's (re)start are not counted: the node cannot know them.
  void checkDwell(const PairChange& change) {
    count(3);
    const NodeLife* life = lifeAt(change.at_ms);
    const auto previous = lastChange(change.pair, change.at_ms);
    if (!previous || life == nullptr || (*previous)->at_ms < life->spawn) {
      return;
    }
    const double gap = change.at_ms - (*previous)->at_ms;
    if (gap < facility_.min_dwell_ms - kCutToleranceMs) {
      violate(3, change.at_ms, change.pair,
              "the node switched " + orDash(change.from) + " -> " + orDash(change.to) + " " +
                  std::to_string(static_cast<int>(gap)) + " ms after the previous change on air (" +
                  toString((*previous)->cause) + ", " + orDash((*previous)->from) + " -> " +
                  orDash((*previous)->to) + " at t=" + seconds((*previous)->at_ms) +
                  "); min_dwell_ms is " + std::to_string(facility_.min_dwell_ms));
    }
  }

  // 5: with failback manual, never away from a healthy machine.
  void checkManualFailback(const PairChange& change) {
    const auto& pair = facility_.pair(change.pair);
    if (pair.failback_auto || change.from.empty()) {
      return;
    }
    count(5);
    if (definitelyHealthy(change.from, change.at_ms - 1000, change.at_ms)) {
      violate(5, change.at_ms, change.pair,
              "the node switched away from " + change.from + " to " + orDash(change.to) +
                  " although " + change.from + " had been healthy for at least 1.6 s");
    }
  }

  // 4: every change on air is reported: the node's as failover/failback/manual_switch, an
  // operator's as external_switch, each with the machine now on air.
  void checkReported(const PairChange& change) {
    if (change.to.empty() || (change.cause != Cause::Node && change.cause != Cause::Operator)) {
      return;
    }
    const bool by_node = change.cause == Cause::Node;
    const NodeLife* life = lifeAt(change.at_ms);
    double deliver_by = change.at_ms;
    for (const auto& outage : record_.broker_outages) {
      if (outage.down_ms <= deliver_by && deliver_by < outage.up_ms) {
        deliver_by = outage.up_ms;
      }
    }
    deliver_by += 2500;
    const auto connected = nodeRouterSince(change.at_ms);
    const bool required = life != nullptr && life->kill > deliver_by &&
                          deliver_by < record_.end_ms &&
                          (by_node || (connected && *connected <= change.at_ms - 100));
    SwitchEventSeen* match = nullptr;
    SwitchEventSeen* other = nullptr;
    for (auto& event : events_) {
      if (event.pair != change.pair || event.to != change.to || !event.ok ||
          std::abs(event.at_ms - change.at_ms) > kEventMatchMs) {
        continue;
      }
      const bool right_type = by_node ? (event.type == "failover" || event.type == "failback" ||
                                         event.type == "manual_switch")
                                      : event.type == "external_switch";
      if (right_type && matched_events_.count(&event) == 0) {
        match = &event;
        break;
      }
      other = &event;
    }
    if (match != nullptr) {
      matched_events_.insert(match);
    }
    if (!required) {
      return;
    }
    count(4);
    if (match == nullptr) {
      violate(4, change.at_ms, change.pair,
              std::string(by_node ? "the node's switch " : "an operator's switch ") +
                  orDash(change.from) + " -> " + change.to + " was not reported as " +
                  (by_node ? "failover/failback/manual_switch" : "external_switch") +
                  (other != nullptr ? " (reported as " + other->type + ")" : " (no event)"));
    }
  }

  // 4, the other way: a switch event stands for a change the router made.
  void checkEventsHaveChanges() {
    for (auto& event : events_) {
      if (!event.ok || event.to.empty() ||
          (event.type != "failover" && event.type != "failback" && event.type != "manual_switch")) {
        continue;
      }
      count(4);
      if (matched_events_.count(&event) != 0) {
        continue;
      }
      const bool found =
          std::any_of(changes_.begin(), changes_.end(), [&](const PairChange& change) {
            return change.pair == event.pair && change.to == event.to &&
                   std::abs(event.at_ms - change.at_ms) <= kEventMatchMs;
          });
      if (!found) {
        violate(4, event.at_ms, event.pair,
                "the node reported " + event.type + " " + orDash(event.from) + " -> " + event.to +
                    " (received t=" + seconds(event.received_ms) +
                    ") but the router showed no such change");
      }
    }
  }

  // 6: no missed failover. Every precondition must hold for the whole bound.
  void checkNoMissedFailover(const Pair& pair) {
    // Coverage: every failure of a machine while it was on air for this pair is one check
    // (a node that switches at once leaves no sample below where a switch is still owed).
    for (const auto& [machine, periods] : periods_) {
      for (const auto& period : periods) {
        if (machineOf(routingAt(period.begin_done), pair) == machine) {
          count(6);
        }
      }
    }
    double quiet_until = 0;
    const double last = record_.end_ms - kMissedBoundMs - 500;
    for (double at = record_.schedule_start_ms; at < last; at += kSampleMs) {
      if (at < quiet_until) {
        continue;
      }
      const auto on_air = machineOf(routingAt(at), pair);
      if (on_air.empty() || !failoverExpected(pair, on_air, at)) {
        continue;
      }
      const double deadline = at + kMissedBoundMs;
      const bool switched =
          std::any_of(changes_.begin(), changes_.end(), [&](const PairChange& change) {
            return change.pair == pair.id && change.at_ms > at && change.at_ms <= deadline;
          });
      if (switched) {
        quiet_until = deadline;
        continue;
      }
      const std::string partner = on_air == pair.main ? pair.backup : pair.main;
      const Period* period = nullptr;
      definitelyUnhealthy(on_air, at, 0, &period);
      violate(6, at, pair.id,
              on_air + " on air had been unhealthy since t=" +
                  seconds(period ? period->begin_done : at) + ", " + partner +
                  " healthy and free, node, broker and router up and out of grace, dwell " +
                  "passed; no switch within " + std::to_string(static_cast<int>(kMissedBoundMs)) +
                  " ms");
      // One report per episode: quiet until the pair changes on air.
      quiet_until = kNever;
      for (const auto& change : changes_) {
        if (change.pair == pair.id && change.at_ms > at) {
          quiet_until = change.at_ms;
          break;
        }
      }
    }
  }

  bool failoverExpected(const Pair& pair, const std::string& on_air, double at) const {
    const double end = at + kMissedBoundMs;
    const std::string partner = on_air == pair.main ? pair.backup : pair.main;
    // The machine on air has failed for longer than the node needs to notice, and stays so.
    const Period* period = nullptr;
    if (!definitelyUnhealthy(on_air, at, facility_.stale_after_ms + 300.0, &period) ||
        period->end_sent <= end) {
      return false;
    }
    if (!definitelyHealthy(partner, at - kRecoverMarginMs, end)) {
      return false;
    }
    // The partner is free: no other pair shows it on any output.
    const int partner_input = facility_.machine(partner).input;
    for (const auto& snapshot : snapshots_) {
      if (snapshot.at_ms > end) {
        break;
      }
      const auto next = &snapshot + 1;
      const double until = next != snapshots_.data() + snapshots_.size() ? next->at_ms : kNever;
      if (until < at - kSettleMarginMs) {
        continue;
      }
      for (const auto& other : facility_.pairs) {
        if (other.id == pair.id) {
          continue;
        }
        for (int output : other.outputs) {
          const auto found = snapshot.routing.find(output);
          if (found != snapshot.routing.end() && found->second == partner_input) {
            return false;
          }
        }
      }
    }
    // The node is up, connected, out of start-up and reconnect grace.
    const NodeLife* life = lifeAt(at);
    if (life == nullptr || life->kill <= end) {
      return false;
    }
    const double grace = std::max(facility_.startup_grace_ms, facility_.reconnect_grace_ms);
    const auto online = onlineAfter(life->spawn);
    if (!online || at < *online + grace + kSettleMarginMs) {
      return false;
    }
    for (const auto& outage : record_.broker_outages) {
      if (outage.stopping_ms <= end && outage.up_ms >= at - kSettleMarginMs) {
        return false;
      }
      if (outage.up_ms < at) {
        const auto back = onlineAfter(outage.up_ms);
        if (!back || at < *back + facility_.reconnect_grace_ms + kSettleMarginMs ||
            at < outage.links_up_ms + facility_.stale_after_ms + kRecoverMarginMs) {
          return false;
        }
      }
    }
    for (const auto& outage : record_.router_outages) {
      if (outage.down_ms <= end && outage.up_ms >= at - kSettleMarginMs) {
        return false;
      }
    }
    const auto router_since = nodeRouterSince(at);
    const auto router_until = nodeRouterSince(end);
    if (!router_since || !router_until || *router_since != *router_until ||
        at < *router_since + kSettleMarginMs) {
      return false;
    }
    // The dwell has passed since the last change on air and the last attempt the node made.
    if (const auto previous = lastChange(pair.id, at)) {
      if (at < (*previous)->at_ms + facility_.min_dwell_ms + 300) {
        return false;
      }
    }
    for (const auto& event : events_) {
      if (event.pair == pair.id && event.type != "external_switch" && event.received_ms <= end &&
          event.received_ms > at - facility_.min_dwell_ms - 300) {
        return false;
      }
    }
    return true;
  }

  static std::string orDash(const std::string& text) { return text.empty() ? "(mixed)" : text; }

  const Facility& facility_;
  const Record& record_;
  Verdict verdict_;
  std::vector<Snapshot> snapshots_;
  std::vector<PairChange> changes_;
  std::map<std::string, std::vector<Period>> periods_;
  std::vector<NodeLife> lives_;
  std::vector<double> online_seen_;
  std::vector<SwitchEventSeen> events_;
  std::set<const SwitchEventSeen*> matched_events_;
};

}  // namespace

Verdict judge(const Facility& facility, const Record& record) {
  return Judge(facility, record).run();
}

const char* invariantName(int invariant) {
  switch (invariant) {
    case 1:
      return "1 target healthy";
    case 2:
      return "2 not while cut off or in grace";
    case 3:
      return "3 minimum dwell";
    case 4:
      return "4 every switch reported";
    case 5:
      return "5 manual failback";
    case 6:
      return "6 no missed failover";
  }
  return "?";
}

}  // namespace failover::soak
