// One pair's device: the operator's controls (active machine, Switch, automatic mode, armed)
// and the health-panel data (failover state, switch advised, per-machine problems, switch
// events, latency of the last switch).

#include <string>

#include "device_payload_internal.h"
#include "failover/discovery/discovery.h"
#include "failover/engine/pair_view.h"
#include "failover/engine/switch_event.h"

namespace failover::discovery::internal {
namespace {

// B/pair/<p>/active is empty while no configured machine is on air; Home Assistant ignores an
// empty select state (it would keep showing the last machine), while "None" makes it unknown.
constexpr std::string_view kActiveTemplate = "{{ value if value | length > 0 else 'None' }}";

// Every name of an enum's table, in its order: the options an entity may show.
template <typename Table>
Json namesOf(const Table& table) {
  Json names = Json::array();
  for (const auto& entry : table) {
    names.push_back(entry.name);
  }
  return names;
}

std::string machineLabel(const config::Config& config, const std::string& machine_id) {
  const config::MachineSettings* machine = config.findMachine(machine_id);
  return machine != nullptr && !machine->label.empty() ? machine->label : machine_id;
}

// `text` as a single-quoted Jinja string literal; labels are free text.
std::string jinjaLiteral(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

// Named by role ("Main problem") so entity ids stay predictable for dashboards; which machine
// it is, its label and its per-check details (from the pair's full state) are attributes.
void addMachineProblem(const config::Config& config, const std::string& pair_topic,
                       const std::string& unique_prefix, std::string_view role,
                       const std::string& machine_id, Json& components) {
  const std::string key = "machine_" + machine_id + "_problem";
  const std::string id_literal = jinjaLiteral(machine_id);
  components[key] = Json{
      {"platform", "binary_sensor"},
      {"unique_id", unique_prefix + key},
      {"name", std::string(role) + " problem"},
      {"device_class", "problem"},
      {"state_topic", pair_topic + "/machine/" + machine_id + "/problem"},
      {"payload_on", "ON"},
      {"payload_off", "OFF"},
      {"json_attributes_topic", pair_topic + "/state"},
      {"json_attributes_template",
       "{{ dict(value_json.get('machines', {}).get(" + id_literal + ", {}), machine=" + id_literal +
           ", label=" + jinjaLiteral(machineLabel(config, machine_id)) + ") | tojson }}"},
  };
}

}  // namespace

Json pairDevicePayload(const config::Config& config, const Scope& scope,
                       const config::PairSettings& pair, std::string_view version) {
  const std::string pair_topic = scope.base + "/pair/" + pair.id;
  const std::string unique_prefix = pairDeviceId(config, pair.id) + "_";

  Json root = deviceRoot(Json{{"identifiers", Json::array({pairDeviceId(config, pair.id)})},
                              {"name", "Failover pair " + pair.id},
                              {"model", "Main/Backup render pair"},
                              {"via_device", scope.owner_id}},
                         version, scope.availability, scope.availability_mode);
  Json& components = root["components"];

  components["active"] = Json{
      {"platform", "select"},
      {"unique_id", unique_prefix + "active"},
      {"name", "Active machine"},
      {"icon", "mdi:swap-horizontal"},
      {"options", Json::array({pair.main, pair.backup})},
      {"state_topic", pair_topic + "/active"},
      {"value_template", kActiveTemplate},
      {"command_topic", pair_topic + "/set/active"},
  };
  components["swap"] = Json{
      {"platform", "button"},
      {"unique_id", unique_prefix + "swap"},
      {"name", "Switch"},
      {"icon", "mdi:swap-horizontal-bold"},
      {"command_topic", pair_topic + "/set/swap"},
      {"payload_press", "PRESS"},
  };
  components["auto_mode"] = Json{
      {"platform", "switch"},
      {"unique_id", unique_prefix + "auto_mode"},
      {"name", "Automatic failover"},
      {"icon", "mdi:auto-mode"},
      {"state_topic", pair_topic + "/mode"},
      {"command_topic", pair_topic + "/set/mode"},
      {"payload_on", config::toString(config::FailoverMode::Auto)},
      {"payload_off", config::toString(config::FailoverMode::Manual)},
      {"state_on", config::toString(config::FailoverMode::Auto)},
      {"state_off", config::toString(config::FailoverMode::Manual)},
  };
  components["armed"] = Json{
      {"platform", "switch"},
      {"unique_id", unique_prefix + "armed"},
      {"name", "Armed"},
      {"icon", "mdi:shield-check"},
      {"state_topic", pair_topic + "/armed"},
      {"command_topic", pair_topic + "/set/armed"},
      {"payload_on", "ON"},
      {"payload_off", "OFF"},
      {"state_on", "ON"},
      {"state_off", "OFF"},
  };
  components["failover_state"] = Json{
      {"platform", "sensor"},
      {"unique_id", unique_prefix + "failover_state"},
      {"name", "Failover state"},
      {"device_class", "enum"},
      {"options", namesOf(engine::kFailoverStateNames)},
      {"state_topic", pair_topic + "/failover"},
      // The whole pair state (health per check, router, warnings) as attributes.
      {"json_attributes_topic", pair_topic + "/state"},
  };
  components["switch_advised"] = Json{
      {"platform", "binary_sensor"}, {"unique_id", unique_prefix + "switch_advised"},
      {"name", "Switch advised"},    {"device_class", "problem"},
      {"icon", "mdi:alert"},         {"state_topic", pair_topic + "/switch_advised"},
      {"payload_on", "ON"},          {"payload_off", "OFF"},
  };
  // Which signals the pair switches (fill, key or program), each with its outputs and the
  // input the router shows on them, as attributes.
  components["signals"] = Json{
      {"platform", "sensor"},
      {"unique_id", unique_prefix + "signals"},
      {"name", "Signals"},
      {"icon", "mdi:layers-outline"},
      {"entity_category", "diagnostic"},
      {"state_topic", pair_topic + "/state"},
      {"value_template", "{{ value_json.router.signals | map(attribute='signal') | join(', ') }}"},
      {"json_attributes_topic", pair_topic + "/state"},
      {"json_attributes_template", "{{ {'signals': value_json.router.signals} | tojson }}"},
  };
  addMachineProblem(config, pair_topic, unique_prefix, "Main", pair.main, components);
  addMachineProblem(config, pair_topic, unique_prefix, "Backup", pair.backup, components);

  // The event platform discards retained messages, so it reads the live, non-retained topic;
  // the retained last_event copy feeds the "Last switch" sensor instead.
  components["switch_event"] = Json{
      {"platform", "event"},
      {"unique_id", unique_prefix + "switch_event"},
      {"name", "Switch event"},
      {"icon", "mdi:swap-horizontal-circle"},
      {"state_topic", pair_topic + "/event"},
      // The switch events of SPEC 5.2; the event entity ignores any other event_type.
      {"event_types", namesOf(engine::kSwitchEventTypeNames)},
  };
  components["last_switch"] = Json{
      {"platform", "sensor"},
      {"unique_id", unique_prefix + "last_switch"},
      {"name", "Last switch"},
      {"icon", "mdi:history"},
      {"entity_category", "diagnostic"},
      {"state_topic", pair_topic + "/last_event"},
      {"value_template", "{{ value_json.event_type }}"},
      {"json_attributes_topic", pair_topic + "/last_event"},
  };
  components["last_latency"] = Json{
      {"platform", "sensor"},
      {"unique_id", unique_prefix + "last_latency"},
      {"name", "Last switch latency"},
      {"device_class", "duration"},
      {"unit_of_measurement", "ms"},
      {"state_class", "measurement"},
      {"suggested_display_precision", 2},
      {"entity_category", "diagnostic"},
      {"state_topic", pair_topic + "/last_latency_ms"},
  };
  return root;
}

}  // namespace failover::discovery::internal
