#include "lab.h"

#include <signal.h>
#include <unistd.h>

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

namespace failover::e2e {
namespace {

using Clock = std::chrono::steady_clock;

bool machineHealthy(const Json& state, const char* machine) {
  const auto& machines = state.at("machines");
  return machines.contains(machine) && machines.at(machine).value("healthy", false);
}

}  // namespace

std::optional<Json> parseJson(const std::string& payload) {
  auto json = Json::parse(payload, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return std::nullopt;
  }
  return json;
}

bool hasWarning(const Json& state, const std::string& code) {
  if (!state.contains("warnings") || !state["warnings"].is_array()) {
    return false;
  }
  for (const auto& warning : state["warnings"]) {
    if (warning.is_object() && warning.value("code", "") == code) {
      return true;
    }
  }
  return false;
}

Lab::Lab(LabOptions options) : options_(std::move(options)), directory_("failover-e2e") {}

Lab::~Lab() {
  node_.reset();
  render_sim_.reset();
  // FAILOVER_E2E_LOG=1 shows the log of passing tests too.
  if (::testing::Test::HasFailure() || std::getenv("FAILOVER_E2E_LOG") != nullptr) {
    std::fprintf(stderr, "---- failover-node log ----\n%s---- end of log ----\n",
                 nodeLog().c_str());
  }
  heartbeats_.reset();
  observer_.reset();
  router_.reset();
  broker_.stop();
}

void Lab::start() {
  if (!broker_.start()) {
    throw std::runtime_error("mosquitto did not start");
  }
  launchRouter("127.0.0.1:0", options_.routes);
  reconnectClients();
  writeConfig();
  startNode();
  waitReady();
}

void Lab::writeConfig() {
  facilityConfig().write(configPath());
}

std::vector<std::string> Lab::machineIds() const {
  std::vector<std::string> ids;
  for (const auto& machine : facilityConfig().machines) {
    ids.push_back(machine.id);
  }
  return ids;
}

testing::FacilityConfig Lab::facilityConfig() const {
  testing::FacilityConfig config;
  config.mqtt = {broker_.uri(), "failover", 5, options_.mqtt_version};
  config.homeassistant_enabled = false;
  config.state_file = (directory_.path() / "state.json").string();
  config.audit_log = auditLogPath().string();
  config.health.stale_after_ms = options_.stale_after_ms;
  config.health.startup_grace_ms = options_.startup_grace_ms;
  config.health.reconnect_grace_ms = options_.reconnect_grace_ms;
  // The lab's machines publish no diagnostics; their silence must not warn.
  config.health.diagnostics_stale_after_ms = 0;
  config.routers = {{"vh1", "127.0.0.1:" + std::to_string(router_port_), options_.write_labels, "",
                     std::nullopt}};
  config.machines = {{kMain, "Green Main", kMainInput}, {kBackup, "Green Backup", kBackupInput}};
  testing::FacilityConfig::Pair pair;
  pair.id = kPair;
  pair.router = "vh1";
  pair.main = kMain;
  pair.backup = kBackup;
  pair.outputs = {kOutputA, kOutputB};
  pair.mode = options_.mode;
  pair.triggers = options_.triggers;
  pair.min_dwell_ms = options_.min_dwell_ms;
  pair.failback = options_.failback;
  pair.failback_after_ms = options_.failback_after_ms;
  config.pairs = {pair};
  config.extra_yaml = options_.extra_yaml;
  if (options_.facility) {
    options_.facility(config);
  }
  return config;
}

void Lab::startNode() {
  // The node logs to stdout. Nobody reads a pipe during a test, so the log goes to a file
  // (appended across restarts); `exec` keeps the node itself as the child, for signals.
  node_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
      "/bin/sh", "-c", "exec \"$0\" --config \"$1\" >>\"$2\" 2>&1",
      testing::binaryPath("failover-node"), configPath(), nodeLogPath().string()});
}

std::string Lab::nodeLog() const {
  std::ifstream file(nodeLogPath());
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void Lab::waitReady() {
  if (!observer_->waitLatestEquals(topic("node/state"), "online", kEventTimeout)) {
    throw std::runtime_error("the node did not publish node/state online");
  }
  const auto ready = waitState([](const Json& state) {
    return state.value("active", Json()) == kMain && state.value("failover", "") == "idle" &&
           machineHealthy(state, kMain) && machineHealthy(state, kBackup);
  });
  if (!ready) {
    throw std::runtime_error(
        "the pair did not become idle with both machines healthy; last "
        "state: " +
        observer_->latest(pairTopic("state")).value_or("(none)"));
  }
}

void Lab::killNode(int signal_number) {
  if (node_) {
    node_->stop(signal_number, 3000ms);
  }
}

void Lab::launchRouter(const std::string& listen, const std::map<int, int>& routes) {
  std::vector<std::string> argv{testing::binaryPath("videohub-sim"),
                                "--listen",
                                listen,
                                "--inputs",
                                std::to_string(options_.router_inputs),
                                "--outputs",
                                std::to_string(options_.router_outputs)};
  if (!options_.router_log_level.empty()) {
    // Through a shell that sends the log to a file; `exec` keeps the simulator the child.
    argv.insert(argv.begin(), {"/bin/sh", "-c", "exec \"$@\" 2>>\"$0\"", routerLogPath().string()});
    argv.push_back("--log-level");
    argv.push_back(options_.router_log_level);
  }
  for (const auto& [output, input] : routes) {
    argv.push_back("--route");
    argv.push_back(std::to_string(output) + "=" + std::to_string(input));
  }
  router_ = std::make_unique<testing::ChildProcess>(argv);
  const auto line = router_->waitForLine("listening on ", 5000ms);
  if (!line) {
    throw std::runtime_error("videohub-sim did not report its port");
  }
  router_port_ = testing::announcedPort(*line);
}

std::string Lab::routerLog() const {
  std::ifstream file(routerLogPath());
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string Lab::sim(const std::string& command) {
  return testing::simCommand(router_.get(), command);
}

std::map<int, int> Lab::routes() {
  return testing::parseSimRoutes(sim("status"));
}

bool Lab::waitPairRoutedTo(int input, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto now_routes = routes();
    if (now_routes[kOutputA] == input && now_routes[kOutputB] == input) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);  // the simulator has no routing subscription to await
  }
}

void Lab::stopRouter() {
  saved_routes_ = routes();
  router_->stop(SIGTERM, 3000ms);
  router_.reset();
}

void Lab::startRouter() {
  startRouter(saved_routes_);
}

void Lab::startRouter(const std::map<int, int>& routes) {
  launchRouter("127.0.0.1:" + std::to_string(router_port_), routes);
}

void Lab::reconnectClients() {
  heartbeats_.reset();
  render_sim_.reset();
  observer_.reset();
  observer_ = std::make_unique<testing::MqttSubscriber>(
      endpoint(), testing::MqttSubscription{
                      .filters = {"failover/fo1/#", "render/+/status"}, .qos = 1, .confirm = true});
  if (options_.render_sim) {
    std::string machines;
    for (const auto& id : machineIds()) {
      machines += (machines.empty() ? "" : ",") + id;
    }
    render_sim_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        testing::binaryPath("render-sim"), "--broker", broker_.uri(), "--machine", machines});
    if (!render_sim_->waitForLine("ready", 10000ms)) {
      throw std::runtime_error("render-sim did not report ready");
    }
    return;
  }
  const std::vector<std::string> machines = machineIds();
  for (const auto& machine : machines) {
    publish("render/" + machine + "/status", "online", true);
  }
  // One long-lived mosquitto_pub per topic, as each agent keeps its connection.
  auto publishers = std::make_shared<testing::LinePublishers>(endpoint());
  heartbeats_ = std::make_unique<Heartbeats>(
      machines, [publishers](const std::string& topic_name, const std::string& payload) {
        publishers->publish(topic_name, payload);
      });
  heartbeats_->start();
  waitHeartbeatsFlowing();
}

void Lab::waitHeartbeatsFlowing() {
  // The publishers connect on their own schedule; a node started before every heartbeat
  // flows could rightly find a machine silent.
  testing::MqttSubscriber agents(
      endpoint(), {.filters = {"render/+/engine", "render/+/videoio", "render/+/network"},
                   .qos = 1,
                   .confirm = true});
  for (const auto& machine : machineIds()) {
    for (const char* check : {"engine", "videoio", "network"}) {
      const std::string topic_name = "render/" + machine + "/" + check;
      if (!agents.waitLatest(
              topic_name, [](const std::string&) { return true; }, 5000ms)) {
        throw std::runtime_error("no heartbeat on " + topic_name);
      }
    }
  }
}

std::string Lab::agents(const std::string& command) {
  if (!render_sim_ || !render_sim_->writeLine(command)) {
    return "error no render-sim";
  }
  const auto deadline = Clock::now() + 3000ms;
  while (Clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto line = render_sim_->readLine(left);
    if (!line) {
      break;
    }
    if (line->rfind("ok", 0) == 0 || line->rfind("error", 0) == 0) {
      return *line;
    }
  }
  return "error no answer";
}

void Lab::publish(const std::string& topic_name, const std::string& payload, bool retain) {
  publish(topic_name, payload, testing::MqttPublishOptions{retain});
}

void Lab::publish(const std::string& topic_name, const std::string& payload,
                  const testing::MqttPublishOptions& options) {
  if (!testing::publishMessage(endpoint(), topic_name, payload, options)) {
    throw std::runtime_error("mosquitto_pub failed for " + topic_name);
  }
}

void Lab::publishFile(const std::string& topic_name, const std::filesystem::path& file) {
  if (!testing::publishFile(endpoint(), topic_name, file)) {
    throw std::runtime_error("mosquitto_pub failed for " + topic_name);
  }
}

std::optional<Json> Lab::waitState(const std::function<bool(const Json&)>& match,
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

std::optional<Json> Lab::waitEvent(size_t from, const std::string& type,
                                   std::chrono::milliseconds timeout) {
  auto payload = observer_->waitAfter(
      from, pairTopic("event"),
      [&](const std::string& text) {
        auto json = parseJson(text);
        return json && json->value("event_type", "") == type;
      },
      timeout);
  if (!payload) {
    return std::nullopt;
  }
  return parseJson(*payload);
}

}  // namespace failover::e2e
