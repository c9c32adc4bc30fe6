#include "bench_lab.h"

#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "support/free_port.h"

namespace failover::bench {
namespace {

using namespace std::chrono_literals;

bool pairReady(const Json& state, int pair) {
  const auto& machines = state.value("machines", Json::object());
  const auto healthy = [&](const std::string& id) {
    return machines.contains(id) && machines.at(id).value("healthy", false);
  };
  return state.value("active", Json()) == BenchLab::mainId(pair) &&
         state.value("failover", "") == "idle" && healthy(BenchLab::mainId(pair)) &&
         healthy(BenchLab::backupId(pair));
}

}  // namespace

std::optional<Json> parseObject(const std::string& payload) {
  auto json = Json::parse(payload, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return std::nullopt;
  }
  return json;
}

std::string problemLines(const std::string& log) {
  std::istringstream lines(log);
  std::string line;
  std::string found;
  for (int shown = 0; std::getline(lines, line) && shown < 20;) {
    if (line.find("warn") != std::string::npos || line.find("error") != std::string::npos) {
      found += "  node: " + line + "\n";
      ++shown;
    }
  }
  return found;
}

BenchLab::BenchLab(LabSettings settings)
    : settings_(std::move(settings)), directory_("failover-bench") {}

BenchLab::~BenchLab() {
  stopNode();
  bus_.reset();
  router_.reset();
  broker_.stop();
}

void BenchLab::startPeers() {
  if (!broker_.start()) {
    throw std::runtime_error("mosquitto did not start");
  }
  const int size = std::max(8, settings_.pairs * 2);
  // The simulator's log (stderr) goes to a file so its request blocks can be counted.
  std::vector<std::string> argv{"/bin/sh",
                                "-c",
                                "exec \"$0\" \"$@\" 2>>\"$LOG\"",
                                testing::binaryPath("videohub-sim"),
                                "--listen",
                                "127.0.0.1:0",
                                "--inputs",
                                std::to_string(size),
                                "--outputs",
                                std::to_string(size),
                                "--log-level",
                                "debug"};
  for (int pair = 0; pair < settings_.pairs; ++pair) {
    argv.push_back("--route");
    argv.push_back(std::to_string(pair + 1) + "=" + std::to_string(2 * pair + 1));
  }
  ::setenv("LOG", (directory_.path() / "router.log").c_str(), 1);
  router_ = std::make_unique<testing::ChildProcess>(argv);
  const auto line = router_->waitForLine("listening on ", 5000ms);
  if (!line) {
    throw std::runtime_error("videohub-sim did not report its port");
  }
  router_port_ = testing::announcedPort(*line);
  bus_ = std::make_unique<BenchBus>(broker_.uri(), "node-bench");
  bus_->subscribe("failover/+/pair/+/#", 0);
  bus_->subscribe("failover/+/node/#", 0);
}

void BenchLab::writeConfig() const {
  auto config =
      testing::FacilityConfig::nPairs(settings_.pairs, "127.0.0.1:" + std::to_string(router_port_));
  config.node_id = settings_.node_id;
  config.mqtt = {broker_.uri(), "failover", 10, std::nullopt};
  config.homeassistant_enabled = false;
  config.state_file = (directory_.path() / (settings_.node_id + "-state.json")).string();
  config.health.stale_after_ms = settings_.stale_after_ms;
  config.health.startup_grace_ms = 0;
  config.health.reconnect_grace_ms = 0;
  // The benchmark's machines publish no diagnostics; their silence must not warn.
  config.health.diagnostics_stale_after_ms = 0;
  for (auto& pair : config.pairs) {
    pair.mode = "auto";
    pair.triggers = {{"engine", "videoio", "network"}};
    pair.failback = "manual";
    pair.min_dwell_ms = 0;
  }
  config.write(directory_.path() / (settings_.node_id + ".yaml"));
}

void BenchLab::startNode() {
  writeConfig();
  node_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{"/bin/sh", "-c", "exec \"$0\" --config \"$1\" >>\"$2\" 2>&1",
                               testing::binaryPath("failover-node"),
                               (directory_.path() / (settings_.node_id + ".yaml")).string(),
                               (directory_.path() / "node.log").string()});
}

void BenchLab::stopNode() {
  if (node_) {
    node_->stop(SIGTERM, 3000ms);
    node_.reset();
  }
}

int BenchLab::makeReady(bool strict) {
  const auto online = bus_->waitFor(
      [&](const Received& item) {
        // Any message of the node will do: with many pairs the node may lose some of the
        // burst it publishes on connect, node/state among them.
        return item.topic.rfind(base() + "/", 0) == 0;
      },
      10000ms);
  if (!online) {
    throw std::runtime_error("the node did not come online; log:\n" + nodeLog());
  }
  for (int pair = 0; pair < settings_.pairs; ++pair) {
    for (const auto& machine : {mainId(pair), backupId(pair)}) {
      bus_->publish(healthTopic(machine, "status"), "online", 1, true);
      for (const char* check : {"engine", "videoio", "network"}) {
        // Retained, so a node that subscribes only now still sees every machine healthy.
        bus_->publish(healthTopic(machine, check), R"({"status":"ok"})", 0, true);
      }
    }
  }
  std::set<int> ready;
  const std::string prefix = base() + "/pair/p";
  const auto all = bus_->waitFor(
      [&](const Received& item) {
        if (item.topic.rfind(prefix, 0) != 0 || item.topic.size() < 6 ||
            item.topic.compare(item.topic.size() - 6, 6, "/state") != 0) {
          return false;
        }
        const int pair = std::stoi(item.topic.substr(prefix.size()));
        const auto state = parseObject(item.payload);
        if (state && pairReady(*state, pair)) {
          ready.insert(pair);
        } else {
          ready.erase(pair);
        }
        return static_cast<int>(ready.size()) == settings_.pairs;
      },
      20000ms);
  if (!all && strict) {
    throw std::runtime_error("only " + std::to_string(ready.size()) + " of " +
                             std::to_string(settings_.pairs) + " pairs became ready\n" +
                             problemLines(nodeLog()));
  }
  return static_cast<int>(ready.size());
}

int BenchLab::outputsOnBackup() {
  const std::string status = sim("status");
  const auto at = status.find("routes=");
  if (at == std::string::npos) {
    return -1;
  }
  std::istringstream routes(status.substr(at + 7));
  std::string route;
  int on_backup = 0;
  while (std::getline(routes, route, ',')) {
    const auto colon = route.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    const int output = std::stoi(route.substr(0, colon));
    const int input = std::stoi(route.substr(colon + 1));
    on_backup += output <= settings_.pairs && input == 2 * output ? 1 : 0;
  }
  return on_backup;
}

std::string BenchLab::sim(const std::string& command) {
  if (!router_ || !router_->writeLine(command)) {
    return "error no simulator";
  }
  for (int lines = 0; lines < 100; ++lines) {
    auto line = router_->readLine(3000ms);
    if (!line) {
      break;
    }
    if (line->rfind("ok", 0) == 0 || line->rfind("error", 0) == 0) {
      return *line;
    }
  }
  return "error no answer";
}

int BenchLab::routingBlocks() const {
  std::ifstream file(directory_.path() / "router.log");
  std::string line;
  int blocks = 0;
  while (std::getline(file, line)) {
    if (line.find("header=\"VIDEO OUTPUT ROUTING") != std::string::npos) {
      ++blocks;
    }
  }
  return blocks;
}

std::string BenchLab::nodeLog() const {
  std::ifstream file(directory_.path() / "node.log");
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace failover::bench
