#pragma once

// The loopback set-up of the node benchmarks: a real Mosquitto, a videohub-sim sized for the
// pairs (its debug log in a file, so request blocks can be counted), failover-node with a
// generated configuration, and one benchmark MQTT client. Pair i is `p<i>` with Main
// `p<i>-main` on input 2i+1, Backup `p<i>-backup` on input 2i+2, output i+1, starting on the Main.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bench_bus.h"
#include "support/child_process.h"
#include "support/facility_config.h"
#include "support/mosquitto_broker.h"
#include "support/temp_dir.h"

namespace failover::bench {

using Json = nlohmann::json;

struct LabSettings {
  int pairs = 1;
  int stale_after_ms = 600'000;  // the largest allowed: only the benchmark's own failures count
  std::string node_id = "fo1";
};

class BenchLab {
 public:
  explicit BenchLab(LabSettings settings);
  ~BenchLab();
  BenchLab(const BenchLab&) = delete;
  BenchLab& operator=(const BenchLab&) = delete;

  // Broker, router and the benchmark client (subscribed to the node's pair, stats and node
  // topics). Throws std::runtime_error when a part does not come up.
  void startPeers();
  // Writes the configuration for `settings.node_id` and starts the node; returns at once.
  void startNode();
  // Publishes status online and ok (retained) for engine, videoio and network of every machine,
  // then waits until every pair is idle on its Main with both machines healthy. Throws when not all
  // pairs were seen ready, unless `strict` is false; returns how many were.
  int makeReady(bool strict = true);
  // Outputs the simulator routes to the Backup of their pair (from its `status`).
  int outputsOnBackup();
  void stopNode();

  BenchBus& bus() { return *bus_; }
  testing::MosquittoBroker& broker() { return broker_; }
  testing::ChildProcess& node() { return *node_; }
  const LabSettings& settings() const { return settings_; }
  void setNodeId(const std::string& node_id) { settings_.node_id = node_id; }

  std::string base() const { return "failover/" + settings_.node_id; }
  std::string pairTopic(int pair, const std::string& leaf) const {
    return base() + "/pair/" + pairId(pair) + "/" + leaf;
  }
  static std::string pairId(int pair) { return testing::FacilityConfig::pairId(pair); }
  static std::string mainId(int pair) { return testing::FacilityConfig::mainId(pair); }
  static std::string backupId(int pair) { return testing::FacilityConfig::backupId(pair); }
  static std::string healthTopic(const std::string& machine, const std::string& check) {
    return "render/" + machine + "/" + check;
  }

  // Sends one control command to the simulator; returns its ok/error answer line.
  std::string sim(const std::string& command);
  // Routing request blocks the simulator has logged so far.
  int routingBlocks() const;
  std::string nodeLog() const;

 private:
  void writeConfig() const;

  LabSettings settings_;
  testing::TempDir directory_;
  testing::MosquittoBroker broker_;
  std::unique_ptr<testing::ChildProcess> router_;
  uint16_t router_port_ = 0;
  std::unique_ptr<BenchBus> bus_;
  std::unique_ptr<testing::ChildProcess> node_;
};

// Parses a JSON object; nullopt for anything else.
std::optional<Json> parseObject(const std::string& payload);

// The first warning and error lines of a node log, indented, for a failure report.
std::string problemLines(const std::string& log);

}  // namespace failover::bench
