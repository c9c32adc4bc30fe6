// The node's own device: when it started and, without a cluster, its routers (in cluster mode
// the routers belong to the cluster's device, whichever node is in charge).

#include "device_payload_internal.h"
#include "failover/discovery/discovery.h"

namespace failover::discovery::internal {

Json nodeDevicePayload(const config::Config& config, const Scope& scope, std::string_view version) {
  Json device{{"identifiers", Json::array({nodeDeviceId(config)})},
              {"name", "Failover node " + config.node_id},
              {"model", "Render failover node"}};
  Json availability = scope.availability;
  std::string_view availability_mode = scope.availability_mode;
  if (config.cluster) {
    device["via_device"] = clusterDeviceId(config);
    // The node's own entities describe this process only: available while it is online.
    availability = Json::array({onlineEntry(scope.node_base + "/state")});
    availability_mode = {};
  }
  Json root = deviceRoot(std::move(device), version, std::move(availability), availability_mode);
  Json& components = root["components"];
  components["started"] = Json{
      {"platform", "sensor"},
      {"unique_id", nodeDeviceId(config) + "_started"},
      {"name", "Started"},
      {"device_class", "timestamp"},
      {"entity_category", "diagnostic"},
      {"state_topic", scope.node_base + "/info"},
      {"value_template", "{{ value_json.started }}"},
      {"json_attributes_topic", scope.node_base + "/info"},
  };
  if (!config.cluster) {
    for (const config::RouterSettings& router : config.routers) {
      addRouterComponents(scope, router, components);
    }
  }
  return root;
}

}  // namespace failover::discovery::internal
