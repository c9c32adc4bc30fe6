// The node's own device: when it started and, per router, whether the node holds a working
// control connection to it and a switch that enables or disables the router (SPEC 8.3).

#include "device_payload_internal.h"
#include "failover/discovery/discovery.h"

namespace failover::discovery::internal {
namespace {

// B/router/<r>/state carries `state` as ready|connecting|syncing|disconnected|unavailable.
// `unavailable` (connected, but the server has no router hardware) is reported as `no_device`
// because Home Assistant would read a literal "unavailable" as the entity being unavailable;
// a disabled router reads `disabled`; anything unexpected reads `disconnected` so the enum
// sensor never rejects a state.
constexpr std::string_view kRouterStateTemplate =
    "{% if value_json.enabled is defined and not value_json.enabled %}disabled"
    "{% elif value_json.state == 'unavailable' %}no_device"
    "{% elif value_json.state in ['ready', 'connecting', 'syncing', 'disconnected'] %}"
    "{{ value_json.state }}"
    "{% else %}disconnected{% endif %}";

constexpr std::string_view kRouterAttributesTemplate =
    "{{ dict(value_json, router_name=value_json.get('friendly_name', '')) | tojson }}";

void addRouterComponents(const std::string& node_id, const std::string& base,
                         const config::RouterSettings& router, Json& components) {
  const std::string state_topic = base + "/router/" + router.id + "/state";
  const std::string key = "router_" + router.id;
  components[key + "_connected"] = Json{
      {"platform", "binary_sensor"},
      {"unique_id", "failover_" + node_id + "_" + key + "_connected"},
      {"name", "Router " + router.id},
      {"device_class", "connectivity"},
      {"entity_category", "diagnostic"},
      {"state_topic", state_topic},
      {"value_template", "{{ 'ON' if value_json.connected else 'OFF' }}"},
      {"json_attributes_topic", state_topic},
      // Home Assistant drops an attribute called friendly_name (it is the entity's own name),
      // so the router's label travels as router_name.
      {"json_attributes_template", kRouterAttributesTemplate},
  };
  components[key + "_state"] = Json{
      {"platform", "sensor"},
      {"unique_id", "failover_" + node_id + "_" + key + "_state"},
      {"name", "Router " + router.id + " state"},
      {"device_class", "enum"},
      {"options",
       Json::array({"ready", "connecting", "syncing", "disconnected", "no_device", "disabled"})},
      {"entity_category", "diagnostic"},
      {"state_topic", state_topic},
      {"value_template", kRouterStateTemplate},
  };
  // On: the node connects to the router; off: it closes the connection and leaves the router
  // alone. Saved in the node's state file.
  components[key + "_enabled"] = Json{
      {"platform", "switch"},
      {"unique_id", "failover_" + node_id + "_" + key + "_enabled"},
      {"name", "Router " + router.id + " enabled"},
      {"icon", "mdi:lan-connect"},
      {"entity_category", "config"},
      {"state_topic", state_topic},
      {"value_template", "{{ 'ON' if value_json.enabled else 'OFF' }}"},
      {"command_topic", base + "/router/" + router.id + "/set/enabled"},
      {"payload_on", "ON"},
      {"payload_off", "OFF"},
  };
}

}  // namespace

Json nodeDevicePayload(const config::Config& config, std::string_view version) {
  const std::string base = baseTopic(config);
  Json root = deviceRoot(config,
                         Json{{"identifiers", Json::array({nodeDeviceId(config)})},
                              {"name", "Failover node " + config.node_id},
                              {"model", "Render failover node"}},
                         version);
  Json& components = root["components"];
  components["started"] = Json{
      {"platform", "sensor"},
      {"unique_id", "failover_" + config.node_id + "_started"},
      {"name", "Started"},
      {"device_class", "timestamp"},
      {"entity_category", "diagnostic"},
      {"state_topic", base + "/node/info"},
      {"value_template", "{{ value_json.started }}"},
      {"json_attributes_topic", base + "/node/info"},
  };
  for (const config::RouterSettings& router : config.routers) {
    addRouterComponents(config.node_id, base, router, components);
  }
  return root;
}

}  // namespace failover::discovery::internal
