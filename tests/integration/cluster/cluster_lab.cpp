#include "cluster_lab.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "support/facility_config.h"
#include "support/free_port.h"
#include "support/sim_control.h"

namespace failover::cluster_e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::optional<Json> parseJson(const std::string& payload) {
  auto json = Json::parse(payload, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return std::nullopt;
  }
  return json;
}

ClusterLab::ClusterLab(ClusterLabOptions options)
    : options_(options), directory_("failover-cluster") {}

ClusterLab::~ClusterLab() {
  for (auto& [id, node] : nodes_) {
    if (node) {
      (void)node->stop(SIGCONT, 100ms);  // a frozen node must be able to stop
      (void)node->stop(SIGTERM, 3000ms);
    }
  }
  if (::testing::Test::HasFailure() || std::getenv("FAILOVER_E2E_LOG") != nullptr) {
    for (auto& [id, node] : nodes_) {
      std::fprintf(stderr, "---- %s log ----\n%s---- end of log ----\n", id.c_str(),
                   nodeLog(id).c_str());
    }
    std::fprintf(stderr, "---- router requests ----\n");
    std::istringstream lines(routerLog());
    for (std::string line; std::getline(lines, line);) {
      if (line.find("request client=") != std::string::npos ||
          line.find("client connected") != std::string::npos) {
        std::fprintf(stderr, "%s\n", line.c_str());
      }
    }
  }
  heartbeats_.reset();
  observer_.reset();
  relay_.reset();
  router_.reset();
  broker_.stop();
}

void ClusterLab::start() {
  if (!broker_.start()) {
    throw std::runtime_error("mosquitto did not start");
  }
  router_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      "/bin/sh", "-c", "exec \"$@\" 2>>\"$0\"", routerLogPath().string(),
      testing::binaryPath("videohub-sim"), "--listen", "127.0.0.1:0", "--inputs", "8", "--outputs",
      "8", "--route", "1=1", "--route", "2=1", "--log-level", "debug"});
  const auto line = router_->waitForLine("listening on ", 5000ms);
  if (!line) {
    throw std::runtime_error("videohub-sim did not report its port");
  }
  router_port_ = testing::announcedPort(*line);

  connectClients();
  if (!options_.relayed_node.empty()) {
    relay_ = std::make_unique<CutRelay>(broker_.port());
  }
  for (int i = 0; i < options_.nodes; ++i) {
    writeConfig(nodeId(i), i + 1);
  }
  if (!options_.start_nodes) {
    return;
  }
  startNode(nodeId(0));
  if (!waitActive(nodeId(0), 10000ms)) {
    throw std::runtime_error("fo1 did not take charge");
  }
  for (int i = 1; i < options_.nodes; ++i) {
    startNode(nodeId(i));
    if (!waitRole(nodeId(i), "standby", 10000ms) || !waitCandidate(nodeId(i), 10000ms)) {
      throw std::runtime_error(nodeId(i) + " did not stand by, ready to take over");
    }
  }
  const auto ready = waitState(
      [](const Json& state) {
        const auto& machines = state.value("machines", Json::object());
        return state.value("active", Json()) == kMain && state.value("failover", "") == "idle" &&
               machines.contains(kMain) && machines[kMain].value("healthy", false) &&
               machines.contains(kBackup) && machines[kBackup].value("healthy", false);
      },
      10000ms);
  if (!ready) {
    throw std::runtime_error("the pair did not become idle on the Main");
  }
}

void ClusterLab::connectClients() {
  heartbeats_.reset();
  observer_.reset();
  observer_ = std::make_unique<testing::MqttSubscriber>(
      endpoint(),
      testing::MqttSubscription{
          .filters = options_.homeassistant
                         ? std::vector<std::string>{"failover/studio/#", "homeassistant/#"}
                         : std::vector<std::string>{"failover/studio/#"},
          .qos = 1,
          .confirm = true});
  for (const char* machine : {kMain, kBackup}) {
    if (!testing::publishMessage(endpoint(), std::string("render/") + machine + "/status", "online",
                                 testing::MqttPublishOptions{true})) {
      throw std::runtime_error("mosquitto_pub failed");
    }
  }
  auto publishers = std::make_shared<testing::LinePublishers>(endpoint());
  heartbeats_ = std::make_unique<testing::Heartbeats>(
      std::vector<std::string>{kMain, kBackup},
      [publishers](const std::string& topic_name, const std::string& payload) {
        publishers->publish(topic_name, payload);
      });
  heartbeats_->start();
}

void ClusterLab::restartBroker(std::chrono::milliseconds downtime) {
  broker_.stop();
  std::this_thread::sleep_for(downtime);  // the outage itself is the scenario
  if (!broker_.start()) {
    throw std::runtime_error("mosquitto did not start again");
  }
  connectClients();
}

std::string ClusterLab::routerAddress(const std::string& node) {
  return "127.0.0." + std::to_string(1 + std::stoi(node.substr(2)));
}

void ClusterLab::writeConfig(const std::string& node, int rank, const std::string& node_id) {
  testing::FacilityConfig config;
  config.node_id = node_id.empty() ? node : node_id;
  const std::string broker = node == options_.relayed_node
                                 ? "tcp://127.0.0.1:" + std::to_string(relay_->port())
                                 : broker_.uri();
  // A short keep-alive, so that a silent cut is also noticed by the MQTT clients.
  config.mqtt = {broker, "failover", 2, 5};
  config.cluster = testing::FacilityConfig::Cluster{"studio", rank, options_.heartbeat_ms,
                                                    options_.takeover_after_ms};
  config.homeassistant_enabled = options_.homeassistant;
  config.audit_log = (directory_.path() / (node + "-audit.jsonl")).string();
  config.health.stale_after_ms = options_.stale_after_ms;
  config.health.startup_grace_ms = 0;
  config.health.reconnect_grace_ms = 0;
  config.health.diagnostics_stale_after_ms = 0;
  config.routers = {{"vh1", "127.0.0.1:" + std::to_string(router_port_),
                     options_.write_labels ? std::optional<bool>(true) : std::nullopt,
                     routerAddress(node),
                     options_.lock_outputs ? std::optional<bool>(true) : std::nullopt}};
  config.machines = {{kMain, "Green Main", kMainInput}, {kBackup, "Green Backup", kBackupInput}};
  testing::FacilityConfig::Pair pair;
  pair.id = kPair;
  pair.router = "vh1";
  pair.main = kMain;
  pair.backup = kBackup;
  pair.outputs = {1, 2};
  pair.mode = "auto";
  pair.triggers = std::vector<std::string>{"engine", "videoio", "network"};
  pair.min_dwell_ms = 0;
  config.pairs = {pair};
  config.write(configPath(node));
}

std::filesystem::path ClusterLab::configPath(const std::string& node) const {
  return directory_.path() / (node + ".yaml");
}

std::filesystem::path ClusterLab::nodeLogPath(const std::string& node) const {
  return directory_.path() / (node + ".log");
}

void ClusterLab::startNode(const std::string& node) {
  nodes_[node] = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      "/bin/sh", "-c", "exec \"$0\" --config \"$1\" --log-level debug >>\"$2\" 2>&1",
      testing::binaryPath("failover-node"), configPath(node).string(), nodeLogPath(node).string()});
}

void ClusterLab::signalNode(const std::string& node, int signal_number) {
  const auto found = nodes_.find(node);
  if (found != nodes_.end() && found->second) {
    ::kill(found->second->pid(), signal_number);
  }
}

void ClusterLab::stopNode(const std::string& node, int signal_number) {
  const auto found = nodes_.find(node);
  if (found != nodes_.end() && found->second) {
    (void)found->second->stop(signal_number, 3000ms);
    found->second.reset();
  }
}

bool ClusterLab::nodeRunning(const std::string& node) {
  const auto found = nodes_.find(node);
  return found != nodes_.end() && found->second && found->second->running();
}

std::string ClusterLab::nodeLog(const std::string& node) const {
  return readFile(nodeLogPath(node));
}

bool ClusterLab::waitActive(const std::string& node, std::chrono::milliseconds timeout) {
  return observer_->waitLatestEquals(topic("cluster/active"), node, timeout).has_value();
}

bool ClusterLab::waitCandidate(const std::string& node, std::chrono::milliseconds timeout) {
  return observer_
      ->waitLatest(
          topic("nodes/" + node + "/heartbeat"),
          [](const std::string& text) {
            auto heartbeat = parseJson(text);
            return heartbeat && heartbeat->value("candidate", false);
          },
          timeout)
      .has_value();
}

bool ClusterLab::waitRole(const std::string& node, const std::string& role,
                          std::chrono::milliseconds timeout) {
  return observer_->waitLatestEquals(topic("nodes/" + node + "/role"), role, timeout).has_value();
}

std::optional<Json> ClusterLab::waitState(const std::function<bool(const Json&)>& match,
                                          std::chrono::milliseconds timeout) {
  auto payload = observer_->waitLatest(
      pairTopic("state"),
      [&](const std::string& text) {
        auto json = parseJson(text);
        return json && match(*json);
      },
      timeout);
  if (!payload) {
    return std::nullopt;
  }
  return parseJson(*payload);
}

void ClusterLab::publish(const std::string& topic_name, const std::string& payload) {
  if (!testing::publishMessage(endpoint(), topic_name, payload, testing::MqttPublishOptions{})) {
    throw std::runtime_error("mosquitto_pub failed for " + topic_name);
  }
}

int ClusterLab::routingRequestsFrom(const std::string& address) const {
  return requestsFrom(address, "VIDEO OUTPUT ROUTING");
}

int ClusterLab::requestsFrom(const std::string& address, const std::string& header) const {
  const std::string marker = "request client=" + address + " header=\"" + header + "\"";
  const std::string log = routerLog();
  int count = 0;
  for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1)) {
    ++count;
  }
  return count;
}

std::string ClusterLab::routerLog() const {
  return readFile(routerLogPath());
}

std::string ClusterLab::sim(const std::string& command) {
  return testing::simCommand(router_.get(), command);
}

std::map<int, int> ClusterLab::routes() {
  return testing::parseSimRoutes(sim("status"));
}

bool ClusterLab::waitPairRoutedTo(int input, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto now_routes = routes();
    if (now_routes[1] == input && now_routes[2] == input) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);  // the simulator has no routing subscription to await
  }
}

}  // namespace failover::cluster_e2e
