// failover_soak: a seeded, randomized fault soak that runs failover-node among real processes
// (Mosquitto, videohub-sim, render-sim) and judges it from outside. See docs/benchmarks.md,
// "Fault soak". With --cluster, two nodes of one cluster (SPEC 8.1) run the facility.
//
//   failover_soak --duration-s 60 --seed 1 [--cluster] [--keep]
//
// Exit status: 0 when no invariant was violated, 1 with the violations, 2 for bad flags or a
// lab that did not come up.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "soak_invariants.h"
#include "soak_lab.h"
#include "soak_record.h"
#include "soak_schedule.h"
#include "support/facility_config.h"
#include "support/mqtt_test_client.h"
#include "support/temp_dir.h"

namespace failover::soak {
namespace {

using namespace std::chrono_literals;

struct Options {
  int64_t duration_s = 60;
  uint64_t seed = 0;
  bool seed_given = false;
  bool keep = false;     // keep the run's directory (node log, config) for inspection
  bool verbose = false;  // print every action and every change on air
  // Self-check of the soak: the pairs are configured `mode: manual`, so the node never
  // switches by itself and invariant 6 must report missed failovers.
  bool manual_pairs = false;
  // Two nodes fo1 and fo2 of cluster `studio` in place of one node.
  bool cluster = false;
  // Self-check of the cluster soak: the operator's routes are sent over the Videohub protocol
  // from the address of the node not in charge, as a standby that routed would; invariant 7
  // must report them.
  bool standby_routes = false;
};

void usage() {
  std::cerr << "usage: failover_soak [--duration-s N] [--seed S] [--cluster] [--keep] [--verbose]"
               " [--manual-pairs] [--standby-routes]\n";
}

bool parseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    try {
      if (flag == "--duration-s" && has_value) {
        options.duration_s = std::stoll(argv[++i]);
      } else if (flag == "--seed" && has_value) {
        options.seed = std::stoull(argv[++i]);
        options.seed_given = true;
      } else if (flag == "--keep") {
        options.keep = true;
      } else if (flag == "--manual-pairs") {
        options.manual_pairs = true;
      } else if (flag == "--standby-routes") {
        options.standby_routes = true;
      } else if (flag == "--cluster") {
        options.cluster = true;
      } else if (flag == "--verbose") {
        options.verbose = true;
      } else {
        return false;
      }
    } catch (const std::exception&) {
      return false;
    }
  }
  return options.duration_s >= 5 && options.duration_s <= 24 * 3600 &&
         (!options.standby_routes || options.cluster);
}

std::string utc(double wall_ms) {
  const auto seconds = static_cast<std::time_t>(wall_ms / 1000);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char text[96];  // room for any int the format could print
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(static_cast<int64_t>(wall_ms) % 1000));
  return text;
}

// A single node: config.yaml and state.json; a cluster's node: <node>.yaml, <node>-state.json.
std::string fileOf(const Facility& facility, const std::string& node, const std::string& single,
                   const std::string& suffix) {
  return facility.cluster ? node + suffix : single;
}

void writeConfig(const std::filesystem::path& path, const std::filesystem::path& directory,
                 const Facility& facility, const std::string& node, uint16_t broker_port,
                 uint16_t router_port, bool manual_pairs) {
  testing::FacilityConfig config;
  config.node_id = node;
  config.mqtt = {"tcp://127.0.0.1:" + std::to_string(broker_port), "failover", 5, 5};
  config.homeassistant_enabled = false;
  config.state_file = (directory / fileOf(facility, node, "state.json", "-state.json")).string();
  config.health.stale_after_ms = facility.stale_after_ms;
  config.health.startup_grace_ms = facility.startup_grace_ms;
  config.health.reconnect_grace_ms = facility.reconnect_grace_ms;
  config.routers = {{"vh1", "127.0.0.1:" + std::to_string(router_port), std::nullopt,
                     facility.cluster ? facility.routerAddress(node) : "", std::nullopt}};
  if (facility.cluster) {
    const auto rank =
        std::find(facility.nodes.begin(), facility.nodes.end(), node) - facility.nodes.begin() + 1;
    // The election's defaults: heartbeat 100 ms, takeover after 500 ms (lease 250 ms).
    config.cluster = testing::FacilityConfig::Cluster{"studio", static_cast<int>(rank), 100, 500};
  }
  for (const auto& machine : facility.machines) {
    config.machines.push_back({machine.id, machine.id, machine.input});
  }
  for (const auto& pair : facility.pairs) {
    testing::FacilityConfig::Pair settings;
    settings.id = pair.id;
    settings.router = "vh1";
    settings.main = pair.main;
    settings.backup = pair.backup;
    settings.outputs = pair.outputs;
    settings.mode = manual_pairs ? "manual" : "auto";
    settings.armed = true;
    settings.triggers = {{"engine", "videoio", "network"}};
    settings.failback = pair.failback_auto ? "auto" : "manual";
    settings.failback_after_ms = facility.failback_after_ms;
    settings.min_dwell_ms = facility.min_dwell_ms;
    config.pairs.push_back(std::move(settings));
  }
  config.write(path);
}

class Soak {
 public:
  Soak(Options options, std::filesystem::path directory)
      : options_(options),
        directory_(std::move(directory)),
        facility_(options.cluster ? clusterFacility() : defaultFacility()),
        recorder_(clock_),
        // The broker keeps sessions and retained messages across its restarts, as a facility
        // broker would; the soak's subscriber then misses nothing while it reconnects.
        broker_("persistence true\npersistence_location " + (directory_ / "").string() +
                "\nautosave_interval 0\n") {}

  int run() {
    setUp();
    const auto schedule = makeSchedule(facility_, options_.seed, options_.duration_s * 1000);
    const double start = clock_.nowMs();
    recorder_.with([&](Record& record) {
      record.schedule_start_ms = start;
      record.wall_at_zero_ms = wall_at_zero_ms_;
    });
    std::cout << "schedule: " << schedule.size() << " actions from t=" << start / 1000 << "s (UTC "
              << utc(wall_at_zero_ms_ + start) << ")" << std::endl;
    for (const auto& action : schedule) {
      std::this_thread::sleep_until(clock_.at(start + static_cast<double>(action.at_ms)));
      execute(action);
    }
    // Let the last switches and their events arrive.
    std::this_thread::sleep_until(
        clock_.at(start + static_cast<double>(options_.duration_s) * 1000.0 + 3000));
    recorder_.with([&](Record& record) { record.end_ms = clock_.nowMs(); });
    tearDown();
    return report();
  }

 private:
  void setUp() {
    wall_at_zero_ms_ = std::chrono::duration<double, std::milli>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       clock_.nowMs();
    if (!broker_.start()) {
      throw std::runtime_error("mosquitto did not start");
    }
    // Mains on air at start: a and c on both their outputs, b on its one.
    std::map<int, int> routing;
    for (int output = 1; output <= facility_.router_size; ++output) {
      routing[output] = output;
    }
    for (const auto& pair : facility_.pairs) {
      for (int output : pair.outputs) {
        routing[output] = facility_.machine(pair.main).input;
      }
    }
    recorder_.with([&](Record& record) { record.initial_routing = routing; });
    router_ = std::make_unique<Router>(recorder_, facility_);
    router_->start(0, routing);
    machines_ = std::make_unique<Machines>(directory_, facility_, broker_.port());
    watch_ = std::make_unique<BusWatch>(recorder_, broker_.port(), facility_);
    std::this_thread::sleep_for(300ms);  // the subscriber's SUBSCRIBE before the node's first state
    for (const auto& node : facility_.nodes) {
      writeConfig(configPath(node), directory_, facility_, node, broker_.port(), router_->port(),
                  options_.manual_pairs);
    }
    // fo1 first, in charge; then each other node, a standby ready to take over.
    for (const auto& node : facility_.nodes) {
      startNode(node);
      if (facility_.cluster) {
        const bool first = node == facility_.nodes.front();
        waitUntil(first ? "fo1 in charge" : node + " a standby ready to take over", [&] {
          return first ? watch_->latest("failover/studio/cluster/active") == node
                       : watch_->latest("failover/studio/nodes/" + node + "/role") == "standby" &&
                             standbyReady(node);
        });
      }
    }
    // Every pair idle with its Main on air before the first fault.
    waitUntil("the pairs idle", [&] { return allIdle(); });
  }

  // Polls `done` (the subscriber's latest messages) for at most 15 s.
  template <typename Done>
  void waitUntil(const std::string& what, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw std::runtime_error("not reached: " + what + "; see the logs in " +
                                 directory_.string());
      }
      std::this_thread::sleep_for(50ms);
    }
  }

  bool standbyReady(const std::string& node) {
    const auto heartbeat = watch_->latest("failover/studio/nodes/" + node + "/heartbeat");
    return heartbeat && heartbeat->find("\"candidate\":true") != std::string::npos;
  }

  std::filesystem::path configPath(const std::string& node) const {
    return directory_ / fileOf(facility_, node, "config.yaml", ".yaml");
  }

  bool allIdle() {
    for (const auto& pair : facility_.pairs) {
      const auto state = watch_->latest(facility_.pairTopic(pair.id, "state"));
      if (!state || state->find("\"failover\":\"idle\"") == std::string::npos) {
        return false;
      }
    }
    return true;
  }

  void startNode(const std::string& node) {
    const double at = clock_.nowMs();
    nodes_[node] = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        "/bin/sh", "-c", "exec \"$0\" --config \"$1\" >>\"$2\" 2>&1",
        testing::binaryPath("failover-node"), configPath(node).string(),
        (directory_ / fileOf(facility_, node, "node.log", ".log")).string()});
    recorder_.with([&](Record& record) { record.node_spawns.push_back({at, node}); });
  }

  // The node a node fault is about; a single node's schedule names none.
  std::string nodeOf(const Action& action) const {
    return action.node.empty() ? facility_.nodes.front() : action.node;
  }

  // --standby-routes: the route sent from the address of the node not in charge.
  void standbyRoute(const Pair& pair, int input) {
    const auto active = watch_->latest("failover/studio/cluster/active").value_or("");
    const auto standby =
        facility_.nodes.front() == active ? facility_.nodes.back() : facility_.nodes.front();
    std::map<int, int> routes;
    for (int output : pair.outputs) {
      routes[output] = input;
    }
    if (!router_->routeFrom(facility_.routerAddress(standby), routes)) {
      std::cout << "warning: videohub-sim did not acknowledge a route from "
                << facility_.routerAddress(standby) << std::endl;
    }
  }

  // A handover to the node not in charge, by the latest C/cluster/active the soak read.
  void handover() {
    const auto active = watch_->latest("failover/studio/cluster/active").value_or("");
    std::string to;
    for (const auto& node : facility_.nodes) {
      if (node != active) {
        to = node;
        break;
      }
    }
    const double at = clock_.nowMs();
    if (!testing::publishMessage(testing::MqttEndpoint{broker_.port()},
                                 "failover/studio/cluster/request/handover",
                                 "{\"to\":\"" + to + "\"}", testing::MqttPublishOptions{})) {
      ++skipped_["handover (broker away)"];
      return;
    }
    recorder_.with([&](Record& record) { record.handovers.push_back({at, to}); });
  }

  void execute(const Action& action) {
    // An outage is one fault: counted at its start.
    if (action.kind != ActionKind::RouterStart && action.kind != ActionKind::BrokerStart &&
        action.kind != ActionKind::NodeStart && action.kind != ActionKind::NodeThaw) {
      ++faults_[action.fault];
    }
    if (options_.verbose) {
      std::cout << "t=" << clock_.nowMs() / 1000 << "s " << toString(action.kind) << " "
                << action.node << action.command << action.pair
                << (action.pair.empty() ? "" : " to ")
                << (action.pair.empty() ? "" : action.machine) << std::endl;
    }
    switch (action.kind) {
      case ActionKind::Render:
        renderCommand(action.command);
        break;
      case ActionKind::Operator:
        operatorSwitch(action);
        break;
      case ActionKind::RouterStop: {
        const double at = clock_.nowMs();
        saved_routing_ = router_->stop();
        recorder_.with([&](Record& record) { record.router_outages.push_back({at, at, 0, 0}); });
        break;
      }
      case ActionKind::RouterStart: {
        const double at = clock_.nowMs();
        router_->start(router_->port(), saved_routing_);
        recorder_.with([&](Record& record) { record.router_outages.back().up_ms = at; });
        break;
      }
      case ActionKind::BrokerStop: {
        const double at = clock_.nowMs();
        broker_.stop();
        const double gone = clock_.nowMs();
        recorder_.with([&](Record& record) { record.broker_outages.push_back({at, gone, 0, 0}); });
        break;
      }
      case ActionKind::BrokerStart: {
        const double at = clock_.nowMs();
        if (!broker_.start()) {
          throw std::runtime_error("mosquitto did not restart");
        }
        // Bounded: render-sim reconnects within a few hundred milliseconds.
        const bool up = machines_->waitLinksUp(10s);
        const double links = clock_.nowMs();
        if (!up) {
          std::cout << "warning: render-sim machines not all back on the broker after 10 s"
                    << std::endl;
        }
        recorder_.with([&](Record& record) {
          record.broker_outages.back().up_ms = at;
          record.broker_outages.back().links_up_ms = links;
        });
        break;
      }
      case ActionKind::NodeKill: {
        const double at = clock_.nowMs();
        nodes_.at(nodeOf(action))->stop(SIGKILL, 3000ms);
        recorder_.with([&](Record& record) { record.node_kills.push_back({at, nodeOf(action)}); });
        break;
      }
      case ActionKind::NodeStart:
        startNode(nodeOf(action));
        break;
      case ActionKind::NodeFreeze: {
        const double at = clock_.nowMs();
        ::kill(nodes_.at(nodeOf(action))->pid(), SIGSTOP);
        recorder_.with([&](Record& record) {
          record.node_freezes.push_back({nodeOf(action), at, 0});
        });
        break;
      }
      case ActionKind::NodeThaw: {
        ::kill(nodes_.at(nodeOf(action))->pid(), SIGCONT);
        const double at = clock_.nowMs();
        recorder_.with([&](Record& record) { record.node_freezes.back().cont_ms = at; });
        break;
      }
      case ActionKind::Handover:
        handover();
        break;
    }
  }

  void renderCommand(const std::string& text) {
    const auto parsed = parseRenderCommand(text);
    MachineHealth& health = truth_[parsed.machine];
    const bool before = health.unhealthy();
    health.apply(parsed.verb, parsed.check);
    const double sent = clock_.nowMs();
    const auto answer = machines_->command(text);
    const double done = clock_.nowMs();
    if (answer.rfind("ok", 0) != 0) {
      std::cout << "warning: render-sim answered '" << answer << "' to '" << text << "'"
                << std::endl;
    }
    if (health.unhealthy() != before) {
      recorder_.with([&](Record& record) {
        record.health.push_back({parsed.machine, sent, done, health.unhealthy()});
      });
    }
  }

  void operatorSwitch(const Action& action) {
    if (!router_->running()) {
      ++skipped_["operator_switch (router away)"];
      return;
    }
    const auto& pair = facility_.pair(action.pair);
    const int input = facility_.machine(action.machine).input;
    const auto routing = router_->mirrored();
    bool already = true;
    for (int output : pair.outputs) {
      const auto found = routing.find(output);
      already = already && found != routing.end() && found->second == input;
    }
    if (already) {
      ++skipped_["operator_switch (already on air)"];
      return;
    }
    if (options_.standby_routes) {
      standbyRoute(pair, input);
      return;
    }
    for (int output : pair.outputs) {
      OperatorRoute route;
      route.output = output;
      route.input = input;
      route.sent_ms = clock_.nowMs();
      const auto answer =
          router_->control("route " + std::to_string(output) + " " + std::to_string(input));
      route.done_ms = clock_.nowMs();
      recorder_.with([&](Record& record) { record.operator_routes.push_back(route); });
      if (answer.rfind("ok", 0) != 0) {
        std::cout << "warning: videohub-sim answered '" << answer << "' to a route" << std::endl;
      }
    }
  }

  void tearDown() {
    for (auto& [id, node] : nodes_) {
      ::kill(node->pid(), SIGCONT);  // a frozen node must be able to stop
      node->stop(SIGTERM, 3000ms);
    }
    watch_.reset();
    machines_.reset();
    router_.reset();
    broker_.stop();
  }

  int report() {
    const Record record = recorder_.snapshot();
    const Verdict verdict = judge(facility_, record);
    std::cout << "\nfaults injected:";
    for (const auto& [kind, count] : faults_) {
      std::cout << " " << kind << "=" << count;
    }
    std::cout << "\nskipped:";
    for (const auto& [kind, count] : skipped_) {
      std::cout << " " << kind << "=" << count;
    }
    std::cout << "\nchanges on air by cause:";
    for (const auto& [cause, count] : verdict.switches) {
      std::cout << " " << cause << "=" << count;
    }
    std::cout << "\ninvariant checks:";
    for (const auto& [name, count] : verdict.checks) {
      std::cout << " [" << name << "]=" << count;
    }
    std::cout << "\n";
    if (options_.verbose) {
      for (const auto& line : verdict.timeline) {
        std::cout << "change " << line << "\n";
      }
    }
    for (const auto& note : verdict.notes) {
      std::cout << "note: " << note << "\n";
    }
    for (const auto& violation : verdict.violations) {
      std::cout << "VIOLATION invariant " << invariantName(violation.invariant)
                << ": t=" << violation.at_ms / 1000 << "s (UTC "
                << utc(record.wall_at_zero_ms + violation.at_ms) << ") pair=" << violation.pair
                << ": " << violation.what << " [seed " << options_.seed << "]\n";
    }
    std::cout << "violations: " << verdict.violations.size() << " (seed " << options_.seed
              << ", duration " << options_.duration_s << " s)" << std::endl;
    if (!verdict.violations.empty() || options_.keep) {
      std::cout << "node log and config kept in " << directory_.string() << std::endl;
    }
    return verdict.violations.empty() ? 0 : 1;
  }

  Options options_;
  std::filesystem::path directory_;
  Facility facility_;
  SoakClock clock_;
  Recorder recorder_;
  double wall_at_zero_ms_ = 0;
  testing::MosquittoBroker broker_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Machines> machines_;
  std::unique_ptr<BusWatch> watch_;
  std::map<std::string, std::unique_ptr<testing::ChildProcess>> nodes_;
  std::map<int, int> saved_routing_;
  std::map<std::string, MachineHealth> truth_;
  std::map<std::string, int> faults_;
  std::map<std::string, int> skipped_;
};

}  // namespace
}  // namespace failover::soak

int main(int argc, char** argv) {
  using namespace failover::soak;
  Options options;
  if (!parseOptions(argc, argv, options)) {
    usage();
    return 2;
  }
  if (!options.seed_given) {
    options.seed = std::random_device{}();
  }
  std::cout << "failover_soak seed=" << options.seed << " duration_s=" << options.duration_s
            << std::endl;
  // A clean run leaves nothing behind; a failing one keeps the node's log for the report.
  std::optional<failover::testing::TempDir> directory;
  int status = 2;
  try {
    directory.emplace("failover-soak");
    Soak soak(options, directory->path());
    status = soak.run();
  } catch (const std::exception& error) {
    if (directory) {
      directory->keep();
    }
    std::cerr << "failover_soak: " << error.what() << std::endl;
    return 2;
  }
  if (status != 0 || options.keep) {
    directory->keep();
  }
  return status;
}
