#include "takeover_runs.h"

#include <signal.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace failover::bench {
namespace {

using cluster_e2e::ClusterLab;
using cluster_e2e::kBackup;
using cluster_e2e::kBackupInput;
using cluster_e2e::kMain;
using cluster_e2e::kMainInput;
using namespace std::chrono_literals;

constexpr const char* kEngineError = R"({"status":"error","mode":"live"})";
// Restarting a node: process start, broker connect, then listening for takeover_after_ms.
constexpr auto kStartBound = 15000ms;

double millisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::optional<nlohmann::json> parse(const std::string& payload) {
  return cluster_e2e::parseJson(payload);
}

std::string runLabel(int run) {
  return "run " + std::to_string(run + 1) + ": ";
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

TakeoverRuns::TakeoverRuns(const TakeoverSettings& settings)
    : settings_(settings), random_(settings.seed) {
  cluster_e2e::ClusterLabOptions options;
  options.heartbeat_ms = settings.heartbeat_ms;
  options.takeover_after_ms = settings.takeover_after_ms;
  lab_ = std::make_unique<ClusterLab>(options);
  lab_->start();
  bus_ = std::make_unique<BenchBus>(lab_->brokerUri(), "takeover-bench");
  bus_->subscribe(topic("cluster/active"), 1);
  bus_->subscribe(topic("cluster/event"), 1);
  bus_->subscribe(topic("nodes/+/heartbeat"), 1);
  bus_->subscribe(ClusterLab::pairTopic("state"), 1);
  on_air_ = kMain;
}

TakeoverRuns::~TakeoverRuns() {
  bus_.reset();
  lab_.reset();
}

std::chrono::milliseconds TakeoverRuns::takeoverBound() const {
  return std::chrono::milliseconds(10 * settings_.takeover_after_ms) + 3000ms;
}

TakeoverRuns::Takeover TakeoverRuns::waitTakeover(const std::string& to,
                                                  std::chrono::milliseconds timeout,
                                                  const std::string& on_air) {
  Takeover seen;
  const std::string active_topic = topic("cluster/active");
  const std::string event_topic = topic("cluster/event");
  const std::string state_topic = ClusterLab::pairTopic("state");
  bus_->waitFor(
      [&](const Received& message) {
        if (message.topic == active_topic && message.payload == to && !seen.active_at) {
          seen.active_at = message.at;
        } else if (message.topic == event_topic) {
          const auto event = parse(message.payload);
          if (event && event->value("event_type", "") == "takeover" &&
              event->value("to", "") == to && event->contains("takeover_ms")) {
            seen.event_ms = (*event)["takeover_ms"].get<double>();
          }
        } else if (!on_air.empty() && message.topic == state_topic && !seen.on_air_at) {
          const auto state = parse(message.payload);
          if (state && state->value("active", nlohmann::json()) == on_air) {
            seen.on_air_at = message.at;
          }
        }
        return seen.active_at && seen.event_ms && (on_air.empty() || seen.on_air_at);
      },
      timeout);
  return seen;
}

bool TakeoverRuns::waitHeartbeat(const std::string& node, Clock::time_point since,
                                 const std::function<bool(const nlohmann::json&)>& match,
                                 std::chrono::milliseconds timeout) {
  const std::string heartbeat_topic = topic("nodes/" + node + "/heartbeat");
  return bus_
      ->waitFor(
          [&](const Received& message) {
            if (message.topic != heartbeat_topic || message.at < since) {
              return false;
            }
            const auto heartbeat = parse(message.payload);
            return heartbeat && match(*heartbeat);
          },
          timeout)
      .has_value();
}

bool TakeoverRuns::waitReadyStandby(const std::string& node, Clock::time_point since) {
  return waitHeartbeat(
      node, since,
      [](const nlohmann::json& heartbeat) {
        return heartbeat.value("role", "") == "standby" && heartbeat.value("candidate", false);
      },
      kStartBound);
}

bool TakeoverRuns::waitOpenActive(const std::string& node, Clock::time_point since) {
  return waitHeartbeat(
      node, since,
      [&](const nlohmann::json& heartbeat) {
        return heartbeat.value("role", "") == "active" && !heartbeat.value("fenced", true) &&
               heartbeat.value("active", "") == node;
      },
      takeoverBound());
}

bool TakeoverRuns::restart(const std::string& node) {
  lab_->stopNode(node, SIGKILL);  // reaps it (already killed)
  const auto since = Clock::now();
  lab_->startNode(node);
  return waitReadyStandby(node, since);
}

void TakeoverRuns::randomPhase() {
  std::uniform_int_distribution<int> micros(0, settings_.heartbeat_ms * 1000 - 1);
  std::this_thread::sleep_for(std::chrono::microseconds(micros(random_)));
}

void TakeoverRuns::drainObserver() {
  // The lab's own observer reads only when asked: keep its pipe from filling up.
  auto& observer = lab_->bus();
  (void)observer.collect(observer.mark(), "", 5ms);
}

int TakeoverRuns::blocksFrom(const std::string& node) const {
  return lab_->routingRequestsFrom(ClusterLab::routerAddress(node));
}

void TakeoverRuns::countBlocks(TakeoverResults& results, int fo1_before, int fo2_before) const {
  results.blocks_fo1 = blocksFrom("fo1") - fo1_before;
  results.blocks_fo2 = blocksFrom("fo2") - fo2_before;
}

TakeoverResults TakeoverRuns::disruptions(int runs, const Disruption& disruption) {
  TakeoverResults results;
  const int fo1_before = blocksFrom("fo1");
  const int fo2_before = blocksFrom("fo2");
  for (int run = 0; run < runs; ++run) {
    const std::string victim = active_;
    const std::string taker = other(victim);
    bus_->clear();
    randomPhase();
    const auto disrupted_at = Clock::now();
    disruption.disrupt(victim);
    const auto seen = waitTakeover(taker, takeoverBound());
    const auto ended_at = Clock::now();
    disruption.end(victim);
    if (!seen.active_at || !seen.event_ms) {
      results.problems.push_back(runLabel(run) + taker + " did not take charge " +
                                 disruption.during + " " + victim + disruption.what);
      break;
    }
    results.to_active_ms.push_back(millisBetween(disrupted_at, *seen.active_at));
    results.event_ms.push_back(*seen.event_ms);
    active_ = taker;
    if (!disruption.back(victim, ended_at)) {
      results.problems.push_back(runLabel(run) + victim + disruption.not_back);
      break;
    }
    drainObserver();
    ++results.runs;
  }
  countBlocks(results, fo1_before, fo2_before);
  if (results.blocks_fo1 + results.blocks_fo2 != 0) {
    results.problems.push_back("a takeover routed: the router received routing blocks");
  }
  return results;
}

TakeoverResults TakeoverRuns::kill(int runs) {
  Disruption disruption;
  disruption.during = "after";
  disruption.what = " was killed";
  disruption.disrupt = [this](const std::string& node) {
    lab_->signalNode(node, SIGKILL);
  };
  disruption.end = [](const std::string&) {
  };
  disruption.back = [this](const std::string& node, Clock::time_point) {
    return restart(node);
  };
  disruption.not_back = " did not come back as a standby ready to take over";
  return disruptions(runs, disruption);
}

TakeoverResults TakeoverRuns::freeze(int runs) {
  Disruption disruption;
  disruption.during = "while";
  disruption.what = " was frozen";
  disruption.disrupt = [this](const std::string& node) {
    lab_->signalNode(node, SIGSTOP);
  };
  disruption.end = [this](const std::string& node) {
    lab_->signalNode(node, SIGCONT);
  };
  // The resumed node reads the newer claim and stands down.
  disruption.back = [this](const std::string& node, Clock::time_point resumed_at) {
    return waitReadyStandby(node, resumed_at);
  };
  disruption.not_back = " did not stand down, ready to take over, after it resumed";
  return disruptions(runs, disruption);
}

TakeoverResults TakeoverRuns::failAfterKill(int runs) {
  TakeoverResults results;
  const int fo1_before = blocksFrom("fo1");
  const int fo2_before = blocksFrom("fo2");
  for (int run = 0; run < runs; ++run) {
    const std::string victim = active_;
    const std::string taker = other(victim);
    const std::string failing = on_air_;
    const std::string next = failing == kMain ? kBackup : kMain;
    const int next_input = next == kMain ? kMainInput : kBackupInput;
    const int victim_blocks = blocksFrom(victim);
    const int taker_blocks = blocksFrom(taker);
    bus_->clear();
    randomPhase();
    const auto killed_at = Clock::now();
    lab_->signalNode(victim, SIGKILL);
    // The scenario's own timing: the machine on air fails this long after the kill.
    std::this_thread::sleep_until(killed_at + std::chrono::milliseconds(settings_.fail_after_ms));
    lab_->health().set(failing, "engine", kEngineError);
    // At once, not at the agents' next beat: the failure's instant is the scenario's.
    bus_->publish("render/" + failing + "/engine", kEngineError, 1);
    const auto seen = waitTakeover(taker, takeoverBound(), next);
    if (!seen.active_at || !seen.event_ms || !seen.on_air_at) {
      results.problems.push_back(runLabel(run) + next + " was not put on air by " + taker +
                                 " after " + victim + " was killed and " + failing + " failed");
      break;
    }
    results.to_active_ms.push_back(millisBetween(killed_at, *seen.active_at));
    results.event_ms.push_back(*seen.event_ms);
    results.to_on_air_ms.push_back(millisBetween(killed_at, *seen.on_air_at));
    active_ = taker;
    on_air_ = next;
    const auto routes = lab_->routes();
    const auto routed = [&](int output) {
      const auto found = routes.find(output);
      return found != routes.end() && found->second == next_input;
    };
    if (!routed(1) || !routed(2)) {
      results.problems.push_back(runLabel(run) + "the router does not show " + next +
                                 " on both outputs");
    }
    if (blocksFrom(victim) != victim_blocks || blocksFrom(taker) != taker_blocks + 1) {
      results.problems.push_back(runLabel(run) + "expected exactly one routing block, from " +
                                 taker);
    }
    // Back to a healthy pair on `next`, with the killed node a ready standby again.
    const auto restored_at = Clock::now();
    lab_->health().set(failing, "engine", testing::Heartbeats::kOk);
    if (!waitPairHealthy(restored_at)) {
      results.problems.push_back(runLabel(run) + "the pair did not settle healthy on " + next);
      break;
    }
    if (!restart(victim)) {
      results.problems.push_back(runLabel(run) + victim +
                                 " did not come back as a standby ready to take over");
      break;
    }
    drainObserver();
    ++results.runs;
  }
  countBlocks(results, fo1_before, fo2_before);
  return results;
}

bool TakeoverRuns::waitPairHealthy(Clock::time_point since) {
  const std::string state_topic = ClusterLab::pairTopic("state");
  return bus_
      ->waitFor(
          [&](const Received& message) {
            if (message.topic != state_topic || message.at < since) {
              return false;
            }
            const auto state = parse(message.payload);
            if (!state) {
              return false;
            }
            const auto machines = state->value("machines", nlohmann::json::object());
            const auto healthy = [&](const char* machine) {
              return machines.contains(machine) && machines[machine].value("healthy", false);
            };
            // "failover" stays "active" while the Backup is on air: not asked for here.
            return state->value("active", nlohmann::json()) == on_air_ && healthy(kMain) &&
                   healthy(kBackup);
          },
          kStartBound)
      .has_value();
}

TakeoverResults TakeoverRuns::shortFreeze(int runs) {
  TakeoverResults results;
  const int fo1_before = blocksFrom("fo1");
  const int fo2_before = blocksFrom("fo2");
  for (int run = 0; run < runs; ++run) {
    const std::string victim = active_;
    const std::string taker = other(victim);
    bus_->clear();
    randomPhase();
    const auto frozen_at = Clock::now();
    lab_->signalNode(victim, SIGSTOP);
    // The freeze itself is the scenario.
    std::this_thread::sleep_until(frozen_at + std::chrono::milliseconds(settings_.freeze_ms));
    lab_->signalNode(victim, SIGCONT);
    // Long enough for a takeover started by the freeze to show.
    const auto seen =
        waitTakeover(taker, std::chrono::milliseconds(3 * settings_.takeover_after_ms));
    const auto settled_at = Clock::now();
    if (seen.active_at || seen.event_ms) {
      ++results.takeovers;
      if (seen.active_at) {
        results.to_active_ms.push_back(millisBetween(frozen_at, *seen.active_at));
      }
      if (seen.event_ms) {
        results.event_ms.push_back(*seen.event_ms);
      }
      if (!waitOpenActive(taker, settled_at) || !waitReadyStandby(victim, settled_at)) {
        results.problems.push_back(runLabel(run) + "after a takeover by " + taker +
                                   " the nodes did not settle");
        break;
      }
      active_ = taker;
    } else if (!waitOpenActive(victim, settled_at) || !waitReadyStandby(taker, settled_at)) {
      results.problems.push_back(runLabel(run) + victim + " did not stay in charge with " + taker +
                                 " ready to take over");
      break;
    }
    drainObserver();
    ++results.runs;
  }
  countBlocks(results, fo1_before, fo2_before);
  if (results.blocks_fo1 + results.blocks_fo2 != 0) {
    results.problems.push_back("the router received routing blocks during the freezes");
  }
  return results;
}

bool TakeoverRuns::relayNodes() {
  const std::string broker = lab_->brokerUri();
  const uint16_t broker_port =
      static_cast<uint16_t>(std::stoi(broker.substr(broker.rfind(':') + 1)));
  for (const std::string node : {"fo1", "fo2"}) {
    relays_[node] = std::make_unique<cluster_e2e::CutRelay>(broker_port);
    const auto path = lab_->configPath(node);
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    std::string config = text.str();
    const std::string relayed = "tcp://127.0.0.1:" + std::to_string(relays_[node]->port());
    for (auto at = config.find(broker); at != std::string::npos; at = config.find(broker, at)) {
      config.replace(at, broker.size(), relayed);
      at += relayed.size();
    }
    std::ofstream(path) << config;
  }
  // The standby first; then the node in charge, which hands charge over by its death.
  const std::string standby = other(active_);
  if (!restart(standby)) {
    return false;
  }
  bus_->clear();
  const std::string first = active_;
  lab_->signalNode(first, SIGKILL);
  if (!waitTakeover(standby, takeoverBound()).active_at) {
    return false;
  }
  active_ = standby;
  return restart(first);
}

TakeoverResults TakeoverRuns::cut(int runs, cluster_e2e::CutRelay::Mode mode) {
  if (relays_.empty() && !relayNodes()) {
    TakeoverResults results;
    results.problems.push_back("the nodes did not come back behind their relays");
    return results;
  }
  Disruption disruption;
  disruption.during = "while";
  disruption.what = " was cut from the broker";
  disruption.disrupt = [this, mode](const std::string& node) {
    if (mode == cluster_e2e::CutRelay::Mode::Close) {
      relays_[node]->close();
    } else {
      relays_[node]->set(mode);
    }
  };
  disruption.end = [this, mode](const std::string& node) {
    if (mode == cluster_e2e::CutRelay::Mode::Close) {
      relays_[node]->set(cluster_e2e::CutRelay::Mode::Pass);
    } else {
      // The bytes dropped meanwhile broke the connections' streams: they are rebuilt, as
      // TCP connections that timed out during a long outage would be.
      relays_[node]->closeThenPass();
    }
  };
  // Back on the broker, the old node listens again and stands by.
  disruption.back = [this](const std::string& node, Clock::time_point restored_at) {
    return waitReadyStandby(node, restored_at);
  };
  disruption.not_back = " did not stand by, ready to take over, once back on the broker";
  return disruptions(runs, disruption);
}

}  // namespace failover::bench
