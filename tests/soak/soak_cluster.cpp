#include "soak_cluster.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

namespace failover::soak {
namespace {

using Json = nlohmann::json;

constexpr double kNever = std::numeric_limits<double>::infinity();
const std::string kRoot = "failover/studio/";

std::string seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3fs", ms / 1000.0);
  return text;
}

// "failover/studio/nodes/<id>/role" -> "<id>"
std::string nodeOfRoleTopic(const std::string& topic) {
  const std::string prefix = kRoot + "nodes/";
  const std::string suffix = "/role";
  if (topic.rfind(prefix, 0) != 0 || topic.size() <= prefix.size() + suffix.size() ||
      topic.compare(topic.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return "";
  }
  return topic.substr(prefix.size(), topic.size() - prefix.size() - suffix.size());
}

}  // namespace

ClusterView::ClusterView(const Facility& facility, const Record& record)
    : facility_(facility), record_(record) {
  readBus();
  buildCharges();
}

void ClusterView::readBus() {
  // Retained copies are old news (handed out again on every resubscribe): only messages
  // delivered as they were published count.
  for (const auto& message : record_.bus) {
    if (message.retained) {
      continue;
    }
    if (message.topic == kRoot + "cluster/active") {
      announcements_.push_back({message.at_ms, message.at_ms, message.payload});
    } else if (message.topic == kRoot + "cluster/event") {
      auto json = Json::parse(message.payload, nullptr, false);
      if (json.is_discarded() || !json.is_object() || !json.contains("to") ||
          !json["to"].is_string()) {
        continue;
      }
      Takeover takeover;
      takeover.at_ms = message.at_ms;
      if (json.contains("ts") && json["ts"].is_string()) {
        if (auto wall = parseRfc3339Ms(json["ts"].get<std::string>())) {
          takeover.at_ms = std::min(takeover.at_ms, *wall - record_.wall_at_zero_ms);
        }
      }
      takeover.to = json["to"].get<std::string>();
      takeover.from =
          json.contains("from") && json["from"].is_string() ? json["from"].get<std::string>() : "";
      takeover.reason = json.value("reason", "");
      takeover.takeover_ms = json.value("takeover_ms", 0.0);
      takeovers_.push_back(takeover);
      announcements_.push_back({takeover.at_ms, message.at_ms, takeover.to});
    } else if (const auto node = nodeOfRoleTopic(message.topic); !node.empty()) {
      roles_.push_back({message.at_ms, node, message.payload});
    } else if (message.payload == "online") {
      for (const auto& each : facility_.nodes) {
        if (message.topic == facility_.nodeStateTopic(each)) {
          online_[each].push_back(message.at_ms);
        }
      }
    }
  }
  std::sort(announcements_.begin(), announcements_.end(),
            [](const Announcement& a, const Announcement& b) { return a.at_ms < b.at_ms; });
}

void ClusterView::buildCharges() {
  // The end a charge comes to by itself: the node's SIGKILL, or its own role saying it is no
  // longer active (read after the announcement: one publisher's messages keep their order).
  const auto naturalEnd = [&](const Announcement& announcement, std::string& why) {
    double end = kNever;
    if (const auto kill = killAfter(announcement.node, announcement.at_ms)) {
      end = *kill;
      why = "killed";
    }
    for (const auto& role : roles_) {
      if (role.node == announcement.node && role.received_ms > announcement.received_ms &&
          role.role != "active" && role.received_ms < end) {
        end = role.received_ms;
        why = "role " + role.role;
        break;
      }
    }
    return end;
  };
  for (const auto& announcement : announcements_) {
    if (!charges_.empty() && charges_.back().node == announcement.node &&
        charges_.back().end_ms >= announcement.at_ms) {
      continue;  // the same charge announced twice (C/cluster/active and the event)
    }
    if (!charges_.empty() && charges_.back().end_ms > announcement.at_ms) {
      charges_.back().end_ms = announcement.at_ms;
      charges_.back().ended_by = "replaced by " + announcement.node;
    }
    Charge charge;
    charge.node = announcement.node;
    charge.begin_ms = announcement.at_ms;
    charge.end_ms = naturalEnd(announcement, charge.ended_by);
    charges_.push_back(charge);
  }
}

double ClusterView::backOnBroker(const Outage& outage) const {
  // Each node reconnects on its own back-off (up to mqtt reconnect_max, 5 s), so the cluster
  // can only be judged once every running node has said `online` again.
  double back = std::max(outage.up_ms, outage.links_up_ms);
  for (const auto& node : facility_.nodes) {
    const auto spawn = spawnOf(node, outage.up_ms);
    const auto kill = spawn ? killAfter(node, *spawn) : std::nullopt;
    if (!spawn || (kill && *kill < outage.up_ms)) {
      continue;  // not running then: its start is a disturbance of its own
    }
    double online = kNever;
    const auto found = online_.find(node);
    if (found != online_.end()) {
      for (double at : found->second) {
        if (at >= outage.up_ms) {
          online = at;
          break;
        }
      }
    }
    back = std::max(back, online);
  }
  return back;
}

bool ClusterView::outageAt(double at) const {
  const auto within = [&](const Outage& outage, double end) {
    return outage.stopping_ms <= at && at < end;
  };
  for (const auto& outage : record_.broker_outages) {
    if (within(outage, backOnBroker(outage))) {
      return true;
    }
  }
  for (const auto& outage : record_.router_outages) {
    if (within(outage, outage.up_ms)) {
      return true;
    }
  }
  return false;
}

std::pair<double, double> ClusterView::longestGap() const {
  std::pair<double, double> longest{0, 0};
  for (size_t i = 1; i < charges_.size(); ++i) {
    const double gap = charges_[i].begin_ms - charges_[i - 1].end_ms;
    if (gap > longest.first) {
      longest = {gap, charges_[i - 1].end_ms};
    }
  }
  return longest;
}

const Charge* ClusterView::chargeAt(double at) const {
  const Charge* found = nullptr;
  for (const auto& charge : charges_) {
    if (charge.begin_ms <= at && at < charge.end_ms) {
      found = &charge;
    }
  }
  return found;
}

std::optional<double> ClusterView::spawnOf(const std::string& node, double at) const {
  std::optional<double> spawn;
  for (const auto& mark : record_.node_spawns) {
    if (mark.node == node && mark.at_ms <= at) {
      spawn = mark.at_ms;
    }
  }
  return spawn;
}

std::optional<double> ClusterView::killAfter(const std::string& node, double at) const {
  for (const auto& mark : record_.node_kills) {
    if (mark.node == node && mark.at_ms >= at) {
      return mark.at_ms;
    }
  }
  return std::nullopt;
}

bool ClusterView::frozenDuring(const std::string& node, double from, double to) const {
  return std::any_of(record_.node_freezes.begin(), record_.node_freezes.end(),
                     [&](const NodeFreeze& freeze) {
                       const double cont = freeze.cont_ms == 0 ? kNever : freeze.cont_ms;
                       return freeze.node == node && freeze.stop_ms <= to && cont >= from;
                     });
}

bool ClusterView::runningThroughout(const std::string& node, double from, double to) const {
  const auto spawn = spawnOf(node, from);
  if (!spawn) {
    return false;
  }
  const auto kill = killAfter(node, *spawn);
  return (!kill || *kill > to) && !frozenDuring(node, from, to);
}

std::optional<std::string> ClusterView::roleAt(const std::string& node, double at) const {
  const auto spawn = spawnOf(node, at);
  std::optional<std::string> latest;
  for (const auto& role : roles_) {
    if (role.node == node && spawn && role.received_ms >= *spawn && role.received_ms <= at) {
      latest = role.role;
    }
  }
  return latest;
}

std::string ClusterView::describeCharges(const std::string& node, double at) const {
  const Charge* own = nullptr;
  for (const auto& charge : charges_) {
    if (charge.node == node && charge.begin_ms <= at) {
      own = &charge;
    }
  }
  const Charge* current = chargeAt(at);
  std::string text = own == nullptr ? node + " had never been announced in charge"
                                    : node + "'s last charge t=" + seconds(own->begin_ms) + ".." +
                                          seconds(own->end_ms) + " ended (" + own->ended_by + ")";
  text += current == nullptr
              ? "; nobody in charge then"
              : "; in charge then: " + current->node + " since t=" + seconds(current->begin_ms);
  return text;
}

void ClusterView::checkRoutingFromCharge(Verdict& verdict) const {
  for (const auto& line : record_.router_log) {
    if (line.kind != RouterLogLine::Kind::NodeRoutingRequest) {
      continue;
    }
    ++verdict.checks[invariantName(7)];
    const auto spawn = spawnOf(line.node, line.at_ms);
    const bool covered =
        spawn && std::any_of(charges_.begin(), charges_.end(), [&](const Charge& charge) {
          // The charge was announced by the process that routed (not an earlier one of the
          // same node), and covers the request with the tolerances.
          return charge.node == line.node && charge.begin_ms + kChargeLeadMs >= *spawn &&
                 charge.begin_ms - kChargeLeadMs <= line.at_ms &&
                 line.at_ms <= charge.end_ms + kChargeTailMs;
        });
    if (!covered) {
      verdict.violations.push_back({7, line.at_ms, "-",
                                    line.node + " (" + facility_.routerAddress(line.node) +
                                        ") sent a routing block while not in charge: " +
                                        describeCharges(line.node, line.at_ms)});
    }
  }
}

void ClusterView::checkOneActive(Verdict& verdict) const {
  // Every moment the soak disturbed the cluster: a node's fault or return, a handover, the
  // broker or the router going or coming back.
  std::vector<std::pair<double, std::string>> disturbances;
  for (const auto& mark : record_.node_spawns) {
    disturbances.emplace_back(mark.at_ms, "start of " + mark.node);
  }
  for (const auto& mark : record_.node_kills) {
    disturbances.emplace_back(mark.at_ms, "kill of " + mark.node);
  }
  for (const auto& freeze : record_.node_freezes) {
    disturbances.emplace_back(freeze.stop_ms, "freeze of " + freeze.node);
    disturbances.emplace_back(freeze.cont_ms, "end of the freeze of " + freeze.node);
  }
  for (const auto& request : record_.handovers) {
    disturbances.emplace_back(request.at_ms, "handover request to " + request.to);
  }
  for (const auto& outage : record_.broker_outages) {
    disturbances.emplace_back(outage.stopping_ms, "broker stop");
    disturbances.emplace_back(backOnBroker(outage), "broker back (every node online)");
  }
  for (const auto& outage : record_.router_outages) {
    disturbances.emplace_back(outage.down_ms, "router stop");
    disturbances.emplace_back(outage.up_ms, "router back");
  }
  std::sort(disturbances.begin(), disturbances.end());
  for (size_t i = 0; i < disturbances.size(); ++i) {
    const double at = disturbances[i].first + kOneActiveWithinMs;
    const bool quiet = i + 1 == disturbances.size() || disturbances[i + 1].first > at;
    if (!quiet || at > record_.end_ms || outageAt(at)) {
      continue;
    }
    ++verdict.checks[invariantName(9)];
    std::vector<std::string> active;
    for (const auto& node : facility_.nodes) {
      if (runningThroughout(node, at, at) && roleAt(node, at) == "active") {
        active.push_back(node);
      }
    }
    const Charge* charge = chargeAt(at);
    if (active.size() == 1 && charge != nullptr && charge->node == active.front()) {
      continue;
    }
    std::string names;
    for (const auto& node : active) {
      names += (names.empty() ? "" : ", ") + node;
    }
    verdict.violations.push_back(
        {9, at, "-",
         seconds(kOneActiveWithinMs) + " after the " + disturbances[i].second +
             " (t=" + seconds(disturbances[i].first) + "), running nodes saying active: [" + names +
             "], in charge by C/cluster/active: " + (charge ? charge->node : "nobody")});
  }
}

}  // namespace failover::soak
