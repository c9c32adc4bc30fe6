#pragma once

// Configurations the discovery tests run against, built as structs so the tests do not
// depend on the YAML loader: one pair, the two-pair lab shape, N:1 (pairs sharing a Backup),
// and one node of a cluster.

#include <string>
#include <vector>

#include "failover/config/config.h"

namespace failover::discovery::testing {

inline config::MachineSettings machine(std::string id, std::string label, int input) {
  config::MachineSettings settings;
  settings.id = std::move(id);
  settings.label = std::move(label);
  settings.input = input;
  return settings;
}

inline config::PairSettings pair(std::string id, std::string main, std::string backup,
                                 std::vector<int> outputs) {
  config::PairSettings settings;
  settings.id = std::move(id);
  settings.router = "vh1";
  settings.main = std::move(main);
  settings.backup = std::move(backup);
  settings.outputs = std::move(outputs);
  return settings;
}

inline config::RouterSettings router(std::string id) {
  config::RouterSettings settings;
  settings.id = std::move(id);
  return settings;
}

inline config::Config onePairConfig() {
  config::Config config;
  config.node_id = "fo1";
  config.routers = {router("vh1")};
  config.machines = {machine("green-main", "Green Main", 1),
                     machine("green-backup", "Green Backup", 2)};
  config.pairs = {pair("green", "green-main", "green-backup", {1})};
  return config;
}

inline config::Config labConfig() {
  config::Config config;
  config.node_id = "lab";
  config.routers = {router("vh1")};
  config.machines = {
      machine("green-main", "Green Main", 1), machine("green-backup", "Green Backup", 2),
      machine("blue-main", "Blue Main", 3), machine("blue-backup", "Blue Backup", 4)};
  config.pairs = {pair("green", "green-main", "green-backup", {1, 2}),
                  pair("blue", "blue-main", "blue-backup", {3, 4})};
  return config;
}

// Two Mains share one Backup; a second router and a non-default prefix and base topic.
inline config::Config sharedBackupConfig() {
  config::Config config;
  config.node_id = "studio-b_2";
  config.mqtt.base_topic = "facility/failover";
  config.homeassistant.discovery_prefix = "ha";
  config.routers = {router("vh1"), router("vh-2")};
  config.machines = {machine("green-main", "Green Main", 1), machine("blue-main", "", 2),
                     machine("spare", "Spare", 3)};
  config.pairs = {pair("green", "green-main", "spare", {1}),
                  pair("blue", "blue-main", "spare", {2})};
  config.pairs[1].router = "vh-2";
  return config;
}

// Node `node_id` of cluster `studio` (SPEC 8.1) with the lab's routers and pairs.
inline config::Config clusterConfig(std::string node_id = "fo1", int rank = 1) {
  config::Config config = labConfig();
  config.node_id = std::move(node_id);
  config.cluster = config::ClusterSettings{"studio", rank, 100, 500};
  return config;
}

}  // namespace failover::discovery::testing
