#pragma once

// The lab for end-to-end tests: a real Mosquitto broker, a videohub-sim router, render agents
// (simulated machines), an observer on the node's topics, and failover-node
// itself, all on 127.0.0.1. One pair `green`: Main green-main on input 1, Backup
// green-backup on input 2, outputs 1 and 2 switched together; the router starts with both
// outputs on the Main.
//
// Setup helpers throw std::runtime_error when a part does not come up (the test fails with
// the message); waits return empty optionals / false on timeout so tests assert on them.
// The node's log goes to a file in the lab's directory and is printed when a test fails
// (always, with FAILOVER_E2E_LOG=1). Machines are played by `mosquitto_pub -l` heartbeats,
// or by render-sim with LabOptions::render_sim (for real per-machine wills).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/facility_config.h"
#include "support/heartbeats.h"
#include "support/mosquitto_broker.h"
#include "support/mqtt_test_client.h"
#include "support/temp_dir.h"

namespace failover::e2e {

using Json = nlohmann::json;
using testing::Heartbeats;
using namespace std::chrono_literals;

inline constexpr const char* kPair = "green";
inline constexpr const char* kMain = "green-main";
inline constexpr const char* kBackup = "green-backup";
inline constexpr int kMainInput = 1;
inline constexpr int kBackupInput = 2;
inline constexpr int kOutputA = 1;
inline constexpr int kOutputB = 2;

// How long a test waits for something that should happen at once on loopback.
inline constexpr std::chrono::milliseconds kEventTimeout{3000};

struct LabOptions {
  std::vector<std::string> triggers{"engine", "videoio", "network"};
  int stale_after_ms = 300;
  int startup_grace_ms = 0;
  // The node's first broker connection counts as a reconnect too (it cannot have heard any
  // heartbeat before it): 0 keeps the grace out of tests that do not test it.
  int reconnect_grace_ms = 0;
  int min_dwell_ms = 0;
  std::string mode = "auto";
  // The pair's failback: "manual" (the product's default) or "auto" after the Main has been
  // healthy for failback_after_ms while the Backup is on air.
  std::string failback = "manual";
  int failback_after_ms = 30000;
  std::string extra_yaml;  // appended at the top level (e.g. rules)
  // Play the machines with render-sim (real per-machine connections and wills) instead of
  // mosquitto_pub heartbeats; then health() is not available, use agents().
  bool render_sim = false;
  int mqtt_version = 5;       // 5 or 3 (3.1.1)
  bool write_labels = false;  // routers.vh1.write_labels
  // Changes the facility the node is configured with, after the lab has written green into
  // it (e.g. green as a fill+key pair, more machines and pairs). Every machine it lists is
  // played like green's, with heartbeats or render-sim.
  std::function<void(testing::FacilityConfig&)> facility;
  // The router's size and its routing at start (1-based output → input), which must show
  // green's Main on every output of green.
  int router_inputs = 8;
  int router_outputs = 8;
  std::map<int, int> routes{{kOutputA, kMainInput}, {kOutputB, kMainInput}};
  // The simulator's log level ("debug" logs every request it gets); when set, its log goes to
  // routerLogPath() instead of the test's output.
  std::string router_log_level;
};

class Lab {
 public:
  explicit Lab(LabOptions options = {});
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Broker, router, heartbeats of both machines (status online, retained), observer; then
  // the node, and waits until the pair is idle with the Main on air and both machines healthy.
  void start();

  // --- the node ---
  std::string configPath() const { return (directory_.path() / "config.yaml").string(); }
  // The configuration the lab writes to configPath() (after start(), with the router's port):
  // green, changed by LabOptions::facility. A test may change it and write it again, e.g. to
  // reload it.
  testing::FacilityConfig facilityConfig() const;
  void startNode();
  std::filesystem::path nodeLogPath() const { return directory_.path() / "node.log"; }
  // The node's audit trail (audit_log), one JSON line per switch, setting change, start, stop.
  std::filesystem::path auditLogPath() const { return directory_.path() / "audit.jsonl"; }
  // Everything the node logged so far (printed by the destructor when the test failed).
  std::string nodeLog() const;
  // Waits for the node to be online with the pair idle, Main on air, both machines healthy.
  void waitReady();
  testing::ChildProcess& node() { return *node_; }
  void killNode(int signal_number);

  // --- the router ---
  // The simulator's log (LabOptions::router_log_level), appended across restarts.
  std::filesystem::path routerLogPath() const { return directory_.path() / "router.log"; }
  std::string routerLog() const;
  // Sends one control command to the simulator and returns its answer line.
  std::string sim(const std::string& command);
  // The simulator's routing, 1-based output → input.
  std::map<int, int> routes();
  // Polls the simulator's status (bounded) until both outputs show `input`.
  bool waitPairRoutedTo(int input, std::chrono::milliseconds timeout);
  uint16_t routerPort() const { return router_port_; }
  void stopRouter();
  // Starts a new simulator on the same port with the routing it had when stopped.
  void startRouter();
  // Starts a new simulator on the same port with `routes` (1-based output → input).
  void startRouter(const std::map<int, int>& routes);

  // --- the bus ---
  testing::MosquittoBroker& broker() { return broker_; }
  // The observer on failover/fo1/# and render/+/status, as a dashboard would watch.
  testing::MqttSubscriber& bus() { return *observer_; }
  Heartbeats& health() { return *heartbeats_; }
  // Sends one command to render-sim (LabOptions::render_sim) and returns its answer line.
  std::string agents(const std::string& command);
  // Restarts the observer (after a broker restart) and the heartbeat publishers.
  void reconnectClients();
  // Publishes one message at QoS 1, as an agent or operator would; throws std::runtime_error
  // when mosquitto_pub fails.
  void publish(const std::string& topic, const std::string& payload, bool retain = false);
  // The same with MQTT 5 user properties (and retain) as `options` says.
  void publish(const std::string& topic, const std::string& payload,
               const testing::MqttPublishOptions& options);
  // Publishes the contents of `file` as one message (for payloads too big for a command line).
  void publishFile(const std::string& topic, const std::filesystem::path& file);

  // failover/fo1/<leaf> and failover/fo1/pair/green/<leaf>.
  static std::string topic(const std::string& leaf) { return "failover/fo1/" + leaf; }
  static std::string pairTopic(const std::string& leaf) {
    return topic(std::string("pair/") + kPair + "/" + leaf);
  }

  // The latest pair state once it satisfies `match`.
  std::optional<Json> waitState(const std::function<bool(const Json&)>& match,
                                std::chrono::milliseconds timeout = kEventTimeout);
  // The next switch event after history position `from` whose event_type is `type`.
  std::optional<Json> waitEvent(size_t from, const std::string& type,
                                std::chrono::milliseconds timeout = kEventTimeout);

  const std::filesystem::path& directory() const { return directory_.path(); }

 private:
  void writeConfig();
  // Every machine of facilityConfig(), which the lab plays.
  std::vector<std::string> machineIds() const;
  void waitHeartbeatsFlowing();
  void launchRouter(const std::string& listen, const std::map<int, int>& routes);
  testing::MqttEndpoint endpoint() const { return {broker_.port()}; }

  LabOptions options_;
  testing::TempDir directory_;
  testing::MosquittoBroker broker_;
  std::unique_ptr<testing::ChildProcess> router_;
  uint16_t router_port_ = 0;
  std::map<int, int> saved_routes_;
  std::unique_ptr<Heartbeats> heartbeats_;
  std::unique_ptr<testing::ChildProcess> render_sim_;
  std::unique_ptr<testing::MqttSubscriber> observer_;
  std::unique_ptr<testing::ChildProcess> node_;
};

// `payload` parsed as a JSON object; empty for anything else (never throws).
std::optional<Json> parseJson(const std::string& payload);

// True when a pair state's warnings[] holds one with `code`.
bool hasWarning(const Json& state, const std::string& code);

}  // namespace failover::e2e
