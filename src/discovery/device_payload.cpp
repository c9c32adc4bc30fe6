#include <algorithm>

#include "device_payload_internal.h"
#include "failover/discovery/discovery.h"

namespace failover::discovery::internal {

Scope scopeOf(const config::Config& config, const std::vector<std::string>& cluster_nodes) {
  Scope scope;
  if (!config.cluster) {
    scope.base = config.mqtt.base_topic + "/" + config.node_id;
    scope.node_base = scope.base + "/node";
    scope.owner_id = nodeDeviceId(config);
    // The node's LWT: when it drops off the broker every entity turns unavailable rather than
    // showing the last retained state as if it were current.
    scope.availability = Json::array({onlineEntry(scope.node_base + "/state")});
    return scope;
  }
  scope.base = config.mqtt.base_topic + "/" + config.cluster->id;
  scope.node_base = scope.base + "/nodes/" + config.node_id;
  scope.owner_id = clusterDeviceId(config);
  scope.nodes = cluster_nodes;
  scope.nodes.push_back(config.node_id);
  std::sort(scope.nodes.begin(), scope.nodes.end());
  scope.nodes.erase(std::unique(scope.nodes.begin(), scope.nodes.end()), scope.nodes.end());
  // The cluster's entities stay available while any of its nodes is online: a standby that
  // takes over publishes the same topics, so a takeover never blinks them out; only when
  // every node has dropped off the broker (each one's LWT) do they turn unavailable.
  scope.availability = Json::array();
  for (const std::string& node : scope.nodes) {
    scope.availability.push_back(onlineEntry(clusterNodeState(config, node)));
  }
  scope.availability_mode = "any";
  return scope;
}

std::string clusterNodeState(const config::Config& config, std::string_view node) {
  return config.mqtt.base_topic + "/" + (config.cluster ? config.cluster->id : "") + "/nodes/" +
         std::string(node) + "/state";
}

Json onlineEntry(const std::string& topic) {
  return Json{
      {"topic", topic}, {"payload_available", "online"}, {"payload_not_available", "offline"}};
}

Json deviceRoot(Json device, std::string_view version, Json availability,
                std::string_view availability_mode) {
  device["manufacturer"] = kManufacturer;
  device["sw_version"] = version;

  Json root = Json::object();
  root["device"] = std::move(device);
  root["origin"] = Json{{"name", kOriginName}, {"sw_version", version}};
  root["availability"] = std::move(availability);
  if (!availability_mode.empty()) {
    root["availability_mode"] = availability_mode;
  }
  root["qos"] = 1;
  root["components"] = Json::object();
  return root;
}

}  // namespace failover::discovery::internal
