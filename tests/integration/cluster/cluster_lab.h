#pragma once

// The lab for cluster tests (SPEC 8.1): a real Mosquitto, one videohub-sim whose debug log
// names the client address of every request, heartbeats of pair green's two machines, an
// observer on the cluster's topics, and two or more failover-node processes of cluster
// `studio`, node i bound to 127.0.0.(2+i) on the router side so that "who routed" is judged
// from the router's own log. Node fo<i> has rank i. Pair green: Main on input 1, Backup on
// input 2, outputs 1 and 2.
//
// Setup helpers throw std::runtime_error when a part does not come up; waits return empty
// optionals / false on timeout. Node logs go to files in the lab's directory and are printed
// when a test fails.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cut_relay.h"
#include "support/child_process.h"
#include "support/heartbeats.h"
#include "support/mosquitto_broker.h"
#include "support/mqtt_test_client.h"
#include "support/temp_dir.h"

namespace failover::cluster_e2e {

using Json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* kPair = "green";
inline constexpr const char* kMain = "green-main";
inline constexpr const char* kBackup = "green-backup";
inline constexpr int kMainInput = 1;
inline constexpr int kBackupInput = 2;

struct ClusterLabOptions {
  int nodes = 2;
  int heartbeat_ms = 100;
  int takeover_after_ms = 500;
  int stale_after_ms = 500;  // the default; above the lease (docs/redundancy.md)
  bool lock_outputs = false;
  bool write_labels = false;
  // start() starts the nodes and waits for fo1 in charge; false: the test starts them.
  bool start_nodes = true;
  // This node reaches the broker through a CutRelay (relay()), which can cut it off.
  std::string relayed_node;
  // Home Assistant discovery on in every node; the observer then reads homeassistant/# too.
  bool homeassistant = false;
};

class ClusterLab {
 public:
  explicit ClusterLab(ClusterLabOptions options = {});
  ~ClusterLab();
  ClusterLab(const ClusterLab&) = delete;
  ClusterLab& operator=(const ClusterLab&) = delete;

  // Broker, router, heartbeats, observer; then the nodes fo1, fo2, ... one after the other,
  // and waits until fo1 is in charge with the pair idle on the Main and every other node is
  // a standby ready to take over.
  void start();

  // --- nodes ---
  static std::string nodeId(int index) { return "fo" + std::to_string(index + 1); }
  // 127.0.0.(2 + index): the address the node's router connection leaves from.
  static std::string routerAddress(const std::string& node);
  void startNode(const std::string& node);
  // Writes the configuration of `node` with `rank` (start() writes fo1..fo<nodes> with ranks
  // 1..nodes); for a node of another rank, or one more node. `node_id`: the node_id in it when
  // not the process's name (a namesake of another node).
  void writeConfig(const std::string& node, int rank, const std::string& node_id = "");
  // Sends `signal_number` and does not wait (SIGKILL, SIGSTOP, SIGCONT, SIGTERM).
  void signalNode(const std::string& node, int signal_number);
  // Stops with `signal_number` and reaps it.
  void stopNode(const std::string& node, int signal_number);
  bool nodeRunning(const std::string& node);
  std::string nodeLog(const std::string& node) const;
  std::filesystem::path configPath(const std::string& node) const;

  // --- the cluster's topics ---
  static std::string topic(const std::string& leaf) { return "failover/studio/" + leaf; }
  static std::string pairTopic(const std::string& leaf) {
    return topic(std::string("pair/") + kPair + "/" + leaf);
  }
  // Waits until C/cluster/active names `node`.
  bool waitActive(const std::string& node, std::chrono::milliseconds timeout);
  // Waits until the node's heartbeat says it is ready to take over (`candidate`).
  bool waitCandidate(const std::string& node, std::chrono::milliseconds timeout);
  // Waits until C/nodes/<node>/role says `role`.
  bool waitRole(const std::string& node, const std::string& role,
                std::chrono::milliseconds timeout);
  std::optional<Json> waitState(const std::function<bool(const Json&)>& match,
                                std::chrono::milliseconds timeout);
  testing::MqttSubscriber& bus() { return *observer_; }
  // The broker's address, for a client of one's own (e.g. one that stamps arrival times).
  std::string brokerUri() const { return broker_.uri(); }
  testing::Heartbeats& health() { return *heartbeats_; }
  // The relay of ClusterLabOptions::relayed_node (after start()).
  CutRelay& relay() { return *relay_; }
  void publish(const std::string& topic, const std::string& payload);

  // Stops the broker, waits `downtime`, starts it again on the same port and reconnects the
  // observer and the machines' heartbeats.
  void restartBroker(std::chrono::milliseconds downtime);

  // --- the router ---
  // Routing requests the router received from `address`, counted in its debug log.
  int routingRequestsFrom(const std::string& address) const;
  // Requests with `header` (e.g. "VIDEO OUTPUT LOCKS") the router received from `address`.
  int requestsFrom(const std::string& address, const std::string& header) const;
  std::string routerLog() const;
  std::map<int, int> routes();
  bool waitPairRoutedTo(int input, std::chrono::milliseconds timeout);
  std::string sim(const std::string& command);

 private:
  void connectClients();
  std::filesystem::path nodeLogPath(const std::string& node) const;
  std::filesystem::path routerLogPath() const { return directory_.path() / "router.log"; }
  testing::MqttEndpoint endpoint() const { return {broker_.port()}; }

  ClusterLabOptions options_;
  testing::TempDir directory_;
  testing::MosquittoBroker broker_;
  std::unique_ptr<testing::ChildProcess> router_;
  uint16_t router_port_ = 0;
  std::unique_ptr<testing::Heartbeats> heartbeats_;
  std::unique_ptr<CutRelay> relay_;
  std::unique_ptr<testing::MqttSubscriber> observer_;
  std::map<std::string, std::unique_ptr<testing::ChildProcess>> nodes_;
};

std::optional<Json> parseJson(const std::string& payload);

}  // namespace failover::cluster_e2e
