#include "soak_invariants.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <limits>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "soak_cluster.h"

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
  // The node whose routing request the router logged last before the change ("" if none).
  std::string node;
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
  std::string node;
  double spawn = 0;
  double kill = kNever;
};

}  // namespace

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

namespace {

class Judge {
 public:
  Judge(const Facility& facility, const Record& record)
      : facility_(facility), record_(record), cluster_(facility, record) {}

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
    if (facility_.cluster) {
      cluster_.checkRoutingFromCharge(verdict_);
      checkNothingChangedByItself();
      cluster_.checkOneActive(verdict_);
      std::map<std::string, int> reasons;
      double slowest = 0;
      for (const auto& takeover : cluster_.takeovers()) {
        ++reasons[takeover.reason];
        slowest = std::max(slowest, takeover.takeover_ms);
      }
      std::string text = "takeovers:";
      for (const auto& [reason, count] : reasons) {
        text += " " + reason + "=" + std::to_string(count);
      }
      const auto [gap, gap_at] = cluster_.longestGap();
      verdict_.notes.push_back(text + " (slowest takeover_ms " +
                               std::to_string(static_cast<int>(slowest)) +
                               "); longest stretch with nobody in charge: " + seconds(gap) +
                               " from t=" + seconds(gap_at));
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
      const std::string node = routedBy(update.at_ms);
      std::map<int, int> next = routing;
      for (const auto& [output, input] : update.changes) {
        next[output] = input;
      }
      for (const auto& pair : facility_.pairs) {
        const auto before = machineOf(routing, pair);
        const auto after = machineOf(next, pair);
        if (before != after) {
          changes_.push_back({pair.id, update.at_ms, before, after, cause, node});
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

  // The node whose routing request the router logged last before a change it showed at `at`
  // (a single node: always that node).
  std::string routedBy(double at) const {
    if (!facility_.cluster) {
      return facility_.nodes.front();
    }
    std::string node;
    for (const auto& line : record_.router_log) {
      if (line.at_ms > at + kCutToleranceMs) {
        break;
      }
      if (line.kind == RouterLogLine::Kind::NodeRoutingRequest && line.at_ms >= at - 500) {
        node = line.node;
      }
    }
    return node;
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
        for (const auto& spawn : record_.node_spawns) {
          if (spawn.at_ms <= at) {
            effective = std::max(effective, spawn.at_ms);
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
    for (const auto& spawn : record_.node_spawns) {
      NodeLife life{spawn.node, spawn.at_ms, kNever};
      for (const auto& kill : record_.node_kills) {
        if (kill.node == spawn.node && kill.at_ms >= spawn.at_ms) {
          life.kill = kill.at_ms;
          break;
        }
      }
      lives_.push_back(life);
    }
    for (const auto& message : record_.bus) {
      for (const auto& node : facility_.nodes) {
        if (!message.retained && message.topic == facility_.nodeStateTopic(node) &&
            message.payload == "online") {
          online_seen_[node].push_back(message.at_ms);
        }
      }
    }
  }

  const NodeLife* lifeAt(const std::string& node, double at) const {
    for (const auto& life : lives_) {
      if (life.node == node && life.spawn <= at && at < life.kill) {
        return &life;
      }
    }
    return nullptr;
  }

  std::optional<double> onlineAfter(const std::string& node, double at) const {
    const auto found = online_seen_.find(node);
    if (found == online_seen_.end()) {
      return std::nullopt;
    }
    for (double seen : found->second) {
      if (seen >= at) {
        return seen;
      }
    }
    return std::nullopt;
  }

  // When the node's current connection to the router began, if it is connected at `at`.
  std::optional<double> nodeRouterSince(const std::string& node, double at) const {
    std::optional<double> since;
    for (const auto& line : record_.router_log) {
      if (line.at_ms > at) {
        break;
      }
      if (line.node != node) {
        continue;
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
    const NodeLife* life = lifeAt(node, at);
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
    for (const auto& spawn : record_.node_spawns) {
      // The grace of the node that routed (of any node when the router's log names none).
      if (!change.node.empty() && spawn.node != change.node) {
        continue;
      }
      if (at >= spawn.at_ms && at < spawn.at_ms + grace - kCutToleranceMs) {
        violate(2, at, change.pair,
                "the node routed " + orDash(change.to) +
                    " within start-up grace (started at t=" + seconds(spawn.at_ms) + ")");
        return;
      }
    }
  }

  // 3: an automatic change on air waits min_dwell_ms after the pair's previous change on air.
  // Changes from before the node's (re)start are not counted: the node cannot know them.
  void checkDwell(const PairChange& change) {
    count(3);
    const NodeLife* life = lifeAt(change.node, change.at_ms);
    const auto previous = lastChange(change.pair, change.at_ms);
    if (!previous || life == nullptr || (*previous)->at_ms < life->spawn) {
      return;
    }
    // A standby sees the changes on air only while it is connected to the router.
    if (facility_.cluster) {
      const auto connected = nodeRouterSince(change.node, change.at_ms);
      if (!connected || *connected > (*previous)->at_ms) {
        return;
      }
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
    // Who owes the event: the node that routed, or for an operator's change the node in
    // charge at the time.
    const std::string reporter = by_node ? change.node : nodeInCharge(change.at_ms);
    const NodeLife* life = lifeAt(reporter, change.at_ms);
    const double deliver_by = deliverBy(change.at_ms);
    const auto connected = nodeRouterSince(reporter, change.at_ms);
    const bool required = life != nullptr && life->kill > deliver_by &&
                          deliver_by < record_.end_ms &&
                          (by_node || (connected && *connected <= change.at_ms - 100)) &&
                          keptCharge(reporter, change.at_ms - 100, deliver_by);
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

  // By when the event of a change at `at` must have arrived: 2.5 s, counted from the broker's
  // return when it was away.
  double deliverBy(double at) const {
    double deliver_by = at;
    for (const auto& outage : record_.broker_outages) {
      if (outage.down_ms <= deliver_by && deliver_by < outage.up_ms) {
        deliver_by = outage.up_ms;
      }
    }
    return deliver_by + 2500;
  }

  // The node in charge at `at`: a single node always; in a cluster by its announcements.
  std::string nodeInCharge(double at) const {
    if (!facility_.cluster) {
      return facility_.nodes.front();
    }
    const Charge* charge = cluster_.chargeAt(at);
    return charge == nullptr ? "" : charge->node;
  }

  // In a cluster: `node` was in charge, running and not frozen throughout [from, to], and the
  // broker stayed up; a node that leaves charge stops publishing the pairs, so what it owed may
  // never come. A node cut off from the broker leaves charge when its lease runs out (250 ms),
  // but its role `standby` reaches the soak only after the broker is back, so the soak cannot
  // see the end of that charge. A single node always is.
  bool keptCharge(const std::string& node, double from, double to) const {
    if (!facility_.cluster) {
      return true;
    }
    for (const auto& outage : record_.broker_outages) {
      if (outage.stopping_ms <= to && std::max(outage.up_ms, outage.links_up_ms) >= from) {
        return false;
      }
    }
    const Charge* charge = cluster_.chargeAt(from);
    return charge != nullptr && charge->node == node && charge->end_ms > to &&
           cluster_.runningThroughout(node, from, to);
  }

  // 8 (cluster): no takeover, handover or broker restart changes the routing on air by
  // itself. Every change on air around one (until 3 s after) that the node made is a switch
  // with its switch event; the event may be missing only when the node that routed could not
  // deliver it (killed, frozen, out of charge). A change first seen in the router's prelude
  // after it was away cannot be attributed; it stays a note, as in the single node's soak.
  void checkNothingChangedByItself() {
    std::vector<std::pair<double, double>> windows;
    std::vector<std::string> names;
    for (const auto& takeover : cluster_.takeovers()) {
      windows.emplace_back(takeover.at_ms - kChargeLeadMs, takeover.at_ms + 3000);
      names.push_back("takeover to " + takeover.to + " (" + takeover.reason +
                      ") at t=" + seconds(takeover.at_ms));
    }
    for (const auto& request : record_.handovers) {
      windows.emplace_back(request.at_ms, request.at_ms + 3000);
      names.push_back("handover request to " + request.to + " at t=" + seconds(request.at_ms));
    }
    for (const auto& outage : record_.broker_outages) {
      windows.emplace_back(outage.stopping_ms, std::max(outage.up_ms, outage.links_up_ms) + 3000);
      names.push_back("broker restart at t=" + seconds(outage.stopping_ms));
    }
    for (size_t i = 0; i < windows.size(); ++i) {
      const auto [from, to] = windows[i];
      if (to > record_.end_ms) {
        continue;
      }
      count(8);
      for (const auto& change : changes_) {
        if (change.at_ms < from || change.at_ms > to || change.to.empty() ||
            change.cause == Cause::Operator || change.cause == Cause::Ambiguous) {
          continue;
        }
        const bool explained =
            std::any_of(events_.begin(), events_.end(), [&](const SwitchEventSeen& event) {
              return event.ok && event.pair == change.pair && event.to == change.to &&
                     (event.type == "failover" || event.type == "failback" ||
                      event.type == "manual_switch") &&
                     std::abs(event.at_ms - change.at_ms) <= kEventMatchMs;
            });
        if (explained) {
          continue;
        }
        const double deliver_by = deliverBy(change.at_ms);
        const NodeLife* life = lifeAt(change.node, change.at_ms);
        const bool could_report = change.cause == Cause::Node && life != nullptr &&
                                  life->kill > deliver_by && deliver_by < record_.end_ms &&
                                  keptCharge(change.node, change.at_ms, deliver_by);
        if (could_report) {
          violate(8, change.at_ms, change.pair,
                  "pair changed on air " + orDash(change.from) + " -> " + orDash(change.to) +
                      " (routed by " + (change.node.empty() ? "no node" : change.node) +
                      ") around the " + names[i] + " with no switch event to explain it");
        }
      }
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
    // The node (in a cluster: the node in charge, in charge for a while, not frozen lately)
    // is up, connected, out of start-up and reconnect grace.
    const std::string node = nodeInCharge(at);
    const NodeLife* life = lifeAt(node, at);
    if (life == nullptr || life->kill <= end) {
      return false;
    }
    if (facility_.cluster && (!keptCharge(node, at - kSettleMarginMs, end) ||
                              cluster_.frozenDuring(node, at - 2 * kMissedBoundMs, end))) {
      return false;
    }
    const double grace = std::max(facility_.startup_grace_ms, facility_.reconnect_grace_ms);
    const auto online = onlineAfter(node, life->spawn);
    if (!online || at < *online + grace + kSettleMarginMs) {
      return false;
    }
    for (const auto& outage : record_.broker_outages) {
      if (outage.stopping_ms <= end && outage.up_ms >= at - kSettleMarginMs) {
        return false;
      }
      if (outage.up_ms < at) {
        const auto back = onlineAfter(node, outage.up_ms);
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
    const auto router_since = nodeRouterSince(node, at);
    const auto router_until = nodeRouterSince(node, end);
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
  ClusterView cluster_;
  std::map<std::string, std::vector<double>> online_seen_;
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
    case 7:
      return "7 routed by the node in charge";
    case 8:
      return "8 nothing changed by a takeover itself";
    case 9:
      return "9 exactly one node in charge";
  }
  return "?";
}

}  // namespace failover::soak
