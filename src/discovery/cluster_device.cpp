// The cluster's device (cluster mode, SPEC 8.1): which node is in charge, each known node's
// connection and role, and the routers, which the node in charge drives.

#include "device_payload_internal.h"
#include "failover/discovery/discovery.h"

namespace failover::discovery::internal {
namespace {

// C/cluster/active is empty before any node has been in charge; "None" makes the sensor
// unknown rather than an empty string.
constexpr std::string_view kActiveNodeTemplate = "{{ value if value | length > 0 else 'None' }}";

void addNodeComponents(const config::Config& config, const Scope& scope, const std::string& node,
                       Json& components) {
  const std::string node_base = scope.base + "/nodes/" + node;
  const std::string key = "node_" + node;
  components[key + "_online"] = Json{
      {"platform", "binary_sensor"},
      {"unique_id", scope.owner_id + "_" + key + "_online"},
      {"name", "Node " + node},
      {"device_class", "connectivity"},
      {"state_topic", node_base + "/state"},
      {"payload_on", "online"},
      {"payload_off", "offline"},
  };
  // A node's role is retained and its Last Will is on its state only: a node that dropped off
  // would go on showing its last role, so the role is unavailable while the node is offline.
  components[key + "_role"] = Json{
      {"platform", "sensor"},
      {"unique_id", scope.owner_id + "_" + key + "_role"},
      {"name", "Node " + node + " role"},
      {"icon", "mdi:account-switch"},
      {"device_class", "enum"},
      {"options", Json::array({"active", "standby", "isolated"})},
      {"state_topic", node_base + "/role"},
      {"availability", Json::array({onlineEntry(clusterNodeState(config, node))})},
  };
}

}  // namespace

Json clusterDevicePayload(const config::Config& config, const Scope& scope,
                          std::string_view version) {
  Json root = deviceRoot(Json{{"identifiers", Json::array({scope.owner_id})},
                              {"name", "Failover cluster " + config.cluster->id},
                              {"model", "Render failover cluster"}},
                         version, scope.availability, scope.availability_mode);
  Json& components = root["components"];
  components["active_node"] = Json{
      {"platform", "sensor"},
      {"unique_id", scope.owner_id + "_active_node"},
      {"name", "Node in charge"},
      {"icon", "mdi:crown"},
      {"state_topic", scope.base + "/cluster/active"},
      {"value_template", kActiveNodeTemplate},
  };
  for (const std::string& node : scope.nodes) {
    addNodeComponents(config, scope, node, components);
  }
  for (const config::RouterSettings& router : config.routers) {
    addRouterComponents(scope, router, components);
  }
  return root;
}

}  // namespace failover::discovery::internal
