// Per router: whether the node in charge holds a working control connection to it, its state,
// and a switch that enables or disables the router (SPEC 8.3). On the node's device, or in
// cluster mode on the cluster's.

#include "device_payload_internal.h"

namespace failover::discovery::internal {
namespace {

// <base>/router/<r>/state carries `state` as ready|connecting|syncing|disconnected|unavailable.
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

}  // namespace

void addRouterComponents(const Scope& scope, const config::RouterSettings& router,
                         Json& components) {
  const std::string state_topic = scope.base + "/router/" + router.id + "/state";
  const std::string key = "router_" + router.id;
  components[key + "_connected"] = Json{
      {"platform", "binary_sensor"},
      {"unique_id", scope.owner_id + "_" + key + "_connected"},
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
      {"unique_id", scope.owner_id + "_" + key + "_state"},
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
      {"unique_id", scope.owner_id + "_" + key + "_enabled"},
      {"name", "Router " + router.id + " enabled"},
      {"icon", "mdi:lan-connect"},
      {"entity_category", "config"},
      {"state_topic", state_topic},
      {"value_template", "{{ 'ON' if value_json.enabled else 'OFF' }}"},
      {"command_topic", scope.base + "/router/" + router.id + "/set/enabled"},
      {"payload_on", "ON"},
      {"payload_off", "OFF"},
  };
}

}  // namespace failover::discovery::internal
