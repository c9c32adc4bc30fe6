#include "ha_discovery_checker.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace failover::discovery::testing {
namespace {

using nlohmann::json;

// Home Assistant's documented abbreviations for the keys these payloads may use. A payload may
// use either form, but not both for the same key.
const std::map<std::string, std::string>& abbreviations() {
  static const std::map<std::string, std::string> table = {
      {"dev", "device"},
      {"o", "origin"},
      {"cmps", "components"},
      {"p", "platform"},
      {"uniq_id", "unique_id"},
      {"stat_t", "state_topic"},
      {"cmd_t", "command_topic"},
      {"avty", "availability"},
      {"avty_t", "availability_topic"},
      {"avty_mode", "availability_mode"},
      {"pl_avail", "payload_available"},
      {"pl_not_avail", "payload_not_available"},
      {"t", "topic"},
      {"dev_cla", "device_class"},
      {"val_tpl", "value_template"},
      {"json_attr_t", "json_attributes_topic"},
      {"json_attr_tpl", "json_attributes_template"},
      {"ent_cat", "entity_category"},
      {"ops", "options"},
      {"evt_typ", "event_types"},
      {"pl_on", "payload_on"},
      {"pl_off", "payload_off"},
      {"stat_on", "state_on"},
      {"stat_off", "state_off"},
      {"pl_prs", "payload_press"},
      {"unit_of_meas", "unit_of_measurement"},
      {"stat_cla", "state_class"},
      {"ret", "retain"},
      {"opt", "optimistic"},
      {"ids", "identifiers"},
      {"via_dev", "via_device"},
      {"sw", "sw_version"},
      {"mf", "manufacturer"},
      {"mdl", "model"},
      {"url", "support_url"},
  };
  return table;
}

// Platforms Home Assistant accepts in a device discovery `components` map.
const std::set<std::string> kPlatforms = {"alarm_control_panel",
                                          "binary_sensor",
                                          "button",
                                          "camera",
                                          "climate",
                                          "cover",
                                          "device_automation",
                                          "device_tracker",
                                          "event",
                                          "fan",
                                          "humidifier",
                                          "image",
                                          "lawn_mower",
                                          "light",
                                          "lock",
                                          "notify",
                                          "number",
                                          "scene",
                                          "select",
                                          "sensor",
                                          "siren",
                                          "switch",
                                          "tag",
                                          "text",
                                          "update",
                                          "vacuum",
                                          "valve",
                                          "water_heater"};

// Contract values (SPEC 5.2, 5.3).
const std::set<std::string> kFailoverStates = {"idle", "switching", "active", "degraded"};
const std::set<std::string> kEventTypes = {"failover", "manual_switch", "failback",
                                           "external_switch", "switch_failed"};
const std::set<std::string> kOnOff = {"ON", "OFF"};
const std::set<std::string> kModes = {"auto", "manual"};

class Checker {
 public:
  // Without a cluster the node owns its pairs and routers, under B; in cluster mode (SPEC 8.1)
  // the cluster does, under C, with the node's own topics under C/nodes/<node_id>.
  explicit Checker(const config::Config& config)
      : config_(config),
        base_(config.mqtt.base_topic + "/" +
              (config.cluster ? config.cluster->id : config.node_id)),
        node_base_(config.cluster ? base_ + "/nodes/" + config.node_id : base_ + "/node"),
        node_device_("failover_" + config.node_id),
        owner_(config.cluster ? "failover_cluster_" + config.cluster->id : node_device_),
        state_topics_(contractStateTopics(config)),
        command_topics_(contractCommandTopics(config)) {}

  void check(const std::vector<DiscoveryMessage>& messages) {
    std::set<std::string> expected_ids = {node_device_, owner_};
    for (const config::PairSettings& pair : config_.pairs) {
      expected_ids.insert(owner_ + "_" + pair.id);
    }
    std::set<std::string> seen_ids;
    for (const DiscoveryMessage& message : messages) {
      const std::string device_id = checkTopic(message.topic);
      if (!device_id.empty() && !seen_ids.insert(device_id).second) {
        fail(message.topic, "device announced twice");
      }
      checkMessage(message, device_id);
    }
    for (const std::string& id : expected_ids) {
      if (seen_ids.count(id) == 0) {
        fail(id, "no discovery message for this device");
      }
    }
  }

  std::vector<std::string> problems() const { return problems_; }

 private:
  void fail(const std::string& where, const std::string& what) {
    problems_.push_back(where + ": " + what);
  }

  // The device id of `<prefix>/device/<id>/config` with Home Assistant's id character set.
  std::string checkTopic(const std::string& topic) {
    const std::string head = config_.homeassistant.discovery_prefix + "/device/";
    const std::string tail = "/config";
    std::string id;
    if (topic.size() > head.size() + tail.size() && topic.compare(0, head.size(), head) == 0 &&
        topic.compare(topic.size() - tail.size(), tail.size(), tail) == 0) {
      id = topic.substr(head.size(), topic.size() - head.size() - tail.size());
    }
    const bool valid_id = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-';
    });
    if (!valid_id) {
      fail(topic, "not a device discovery topic under " + config_.homeassistant.discovery_prefix);
      return {};
    }
    if (id != node_device_ && id != owner_ && pairOf(id) == nullptr) {
      fail(topic, "device id is neither the node nor one of its pairs (nor its cluster)");
    }
    return id;
  }

  // Rewrites abbreviated keys to full names, recursively; flags a key given both ways.
  json normalise(const json& value, const std::string& where) {
    if (value.is_array()) {
      json out = json::array();
      for (const json& item : value) {
        out.push_back(normalise(item, where));
      }
      return out;
    }
    if (!value.is_object()) {
      return value;
    }
    json out = json::object();
    for (const auto& [key, item] : value.items()) {
      if (key == "object_id") {
        fail(where, "emits the deprecated object_id");
      }
      const auto abbreviated = abbreviations().find(key);
      const std::string full = abbreviated == abbreviations().end() ? key : abbreviated->second;
      if (out.contains(full)) {
        fail(where, "key " + full + " given both abbreviated and in full");
      }
      out[full] = normalise(item, where);
    }
    return out;
  }

  void checkMessage(const DiscoveryMessage& message, const std::string& device_id) {
    const std::string& where = message.topic;
    if (!message.retain) {
      fail(where, "discovery must be retained");
    }
    const json parsed = json::parse(message.payload, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) {
      fail(where, "payload is not a JSON object");
      return;
    }
    const json root = normalise(parsed, where);
    checkDevice(root, where, device_id);
    if (!root.contains("origin") || !root["origin"].is_object() ||
        !root["origin"].contains("name") || !root["origin"]["name"].is_string()) {
      fail(where, "origin with a name is required");
    } else if (!root["origin"].contains("sw_version") ||
               !root["origin"]["sw_version"].is_string()) {
      fail(where, "origin sw_version missing");
    }
    checkCommonTypes(root, where);
    if (!root.contains("components") || !root["components"].is_object() ||
        root["components"].empty()) {
      fail(where, "components must be a non-empty map");
      return;
    }
    const config::PairSettings* pair = pairOf(device_id);
    std::vector<json> components;
    for (const auto& [key, component] : root["components"].items()) {
      const std::string component_where = where + " [" + key + "]";
      if (!component.is_object()) {
        fail(component_where, "component is not an object");
        continue;
      }
      checkComponent(root, component, component_where, pair);
      components.push_back(component);
    }
    if (pair != nullptr) {
      checkPairEntities(components, *pair, where);
    } else if (device_id == owner_) {
      checkNodeEntities(components, where);
    }
  }

  void checkDevice(const json& root, const std::string& where, const std::string& device_id) {
    if (!root.contains("device") || !root["device"].is_object()) {
      fail(where, "device block missing");
      return;
    }
    const json& device = root["device"];
    const json* identifiers = device.contains("identifiers") ? &device["identifiers"] : nullptr;
    if (identifiers == nullptr || !identifiers->is_array() || identifiers->empty() ||
        !std::all_of(identifiers->begin(), identifiers->end(), [](const json& id) {
          return id.is_string() && !id.get<std::string>().empty();
        })) {
      fail(where, "device identifiers must be a non-empty list of strings");
    } else if (std::find(identifiers->begin(), identifiers->end(), json(device_id)) ==
               identifiers->end()) {
      fail(where, "device identifiers do not contain the device id " + device_id);
    }
    for (const char* key : {"name", "manufacturer", "model", "sw_version"}) {
      if (!device.contains(key) || !device[key].is_string()) {
        fail(where, std::string("device ") + key + " missing or not a string");
      }
    }
    if (pairOf(device_id) != nullptr && device.value("via_device", json()) != json(owner_)) {
      fail(where, "a pair device must hang via_device under " + owner_);
    }
    if (config_.cluster && device_id == node_device_ &&
        device.value("via_device", json()) != json(owner_)) {
      fail(where, "the node device must hang via_device under the cluster device");
    }
  }

  // Keys whose JSON type Home Assistant validates, wherever they appear.
  void checkCommonTypes(const json& object, const std::string& where) {
    for (const char* key : {"retain", "optimistic", "enabled_by_default", "force_update"}) {
      if (object.contains(key) && !object[key].is_boolean()) {
        fail(where, std::string(key) + " must be a JSON boolean");
      }
    }
    if (object.contains("qos") && (!object["qos"].is_number_integer() ||
                                   object["qos"].get<int>() < 0 || object["qos"].get<int>() > 2)) {
      fail(where, "qos must be an integer 0..2");
    }
    for (const char* key :
         {"name", "device_class", "entity_category", "unit_of_measurement", "state_class", "icon",
          "value_template", "json_attributes_template", "availability_mode", "payload_on",
          "payload_off", "state_on", "state_off", "payload_press", "platform", "unique_id"}) {
      if (object.contains(key) && !object[key].is_string() &&
          !(std::string(key) == "name" && object[key].is_null())) {
        fail(where, std::string(key) + " must be a string");
      }
    }
    if (object.contains("suggested_display_precision") &&
        !object["suggested_display_precision"].is_number_unsigned()) {
      fail(where, "suggested_display_precision must be a non-negative integer");
    }
    if (object.contains("entity_category") && object["entity_category"].is_string() &&
        object["entity_category"] != "config" && object["entity_category"] != "diagnostic") {
      fail(where, "entity_category must be config or diagnostic");
    }
    if (object.contains("availability_mode") && object["availability_mode"].is_string() &&
        object["availability_mode"] != "all" && object["availability_mode"] != "any" &&
        object["availability_mode"] != "latest") {
      fail(where, "availability_mode must be all, any or latest");
    }
  }

  // A component's availability, or the device root's when it has none of its own.
  void checkAvailability(const json& root, const json& component, const std::string& where) {
    const json& source =
        component.contains("availability") || component.contains("availability_topic") ? component
                                                                                       : root;
    if (source.contains("availability") && source.contains("availability_topic")) {
      fail(where, "availability and availability_topic are mutually exclusive");
    }
    bool node_state = false;
    const auto check_entry = [&](const json& entry) {
      if (!entry.is_object() || !entry.contains("topic") || !entry["topic"].is_string()) {
        fail(where, "availability entry needs a topic string");
        return;
      }
      if (isNodeState(entry["topic"].get<std::string>()) &&
          entry.value("payload_available", json("online")) == json("online") &&
          entry.value("payload_not_available", json("offline")) == json("offline")) {
        node_state = true;
      }
    };
    if (source.contains("availability_topic")) {
      // The single-topic form: its payloads sit next to it.
      check_entry(
          json{{"topic", source["availability_topic"]},
               {"payload_available", source.value("payload_available", json("online"))},
               {"payload_not_available", source.value("payload_not_available", json("offline"))}});
    } else if (source.contains("availability")) {
      if (!source["availability"].is_array()) {
        fail(where, "availability must be a list");
        return;
      }
      for (const json& entry : source["availability"]) {
        check_entry(entry);
      }
    }
    if (!node_state) {
      fail(where, "availability is not tied to " + node_base_ + "/state online/offline");
    }
  }

  // This node's state topic (its Last Will), or in cluster mode any node's of the cluster.
  bool isNodeState(const std::string& topic) const {
    return topic == node_base_ + "/state" ||
           (config_.cluster && isClusterNodeTopic(topic, "state"));
  }

  // C/nodes/<node>/<leaf> for any node of the cluster: published by that node.
  bool isClusterNodeTopic(const std::string& topic, const std::string& leaf) const {
    const std::string head = base_ + "/nodes/";
    const std::string tail = "/" + leaf;
    return topic.size() > head.size() + tail.size() && topic.compare(0, head.size(), head) == 0 &&
           topic.compare(topic.size() - tail.size(), tail.size(), tail) == 0 &&
           topic.find('/', head.size()) == topic.size() - tail.size();
  }

  bool isStateTopic(const std::string& topic) const {
    return state_topics_.count(topic) != 0 ||
           (config_.cluster &&
            (isClusterNodeTopic(topic, "state") || isClusterNodeTopic(topic, "role")));
  }

  static bool isStringList(const json& value) {
    return value.is_array() && !value.empty() &&
           std::all_of(value.begin(), value.end(),
                       [](const json& item) { return item.is_string(); });
  }

  static std::set<std::string> stringSet(const json& value) {
    std::set<std::string> out;
    for (const json& item : value) {
      if (item.is_string()) {
        out.insert(item.get<std::string>());
      }
    }
    return out;
  }

  static std::string text(const json& component, const char* key, const char* fallback) {
    return component.contains(key) && component[key].is_string() ? component[key].get<std::string>()
                                                                 : std::string(fallback);
  }

  // The payloads the node accepts on a command topic (SPEC 5.3); empty for an unknown topic.
  std::set<std::string> acceptedCommands(const std::string& topic,
                                         const config::PairSettings& pair) const {
    const std::string set = base_ + "/pair/" + pair.id + "/set/";
    if (topic == set + "active") {
      return {pair.main, pair.backup};
    }
    if (topic == set + "mode") {
      return kModes;
    }
    if (topic == set + "armed") {
      return kOnOff;
    }
    if (topic == set + "swap") {
      return {"PRESS"};
    }
    return {};
  }

  // The plain values the node publishes on a pair's attribute topic; empty for JSON topics.
  std::set<std::string> plainStates(const std::string& topic,
                                    const config::PairSettings& pair) const {
    const std::string base = base_ + "/pair/" + pair.id + "/";
    if (topic == base + "mode") {
      return kModes;
    }
    if (topic == base + "armed" || topic == base + "switch_advised" ||
        (topic.rfind(base + "machine/", 0) == 0 && topic.size() > std::string("/problem").size() &&
         topic.substr(topic.size() - std::string("/problem").size()) == "/problem")) {
      return kOnOff;
    }
    if (topic == base + "failover") {
      return kFailoverStates;
    }
    if (topic == base + "active") {
      return {pair.main, pair.backup};
    }
    return {};
  }

  void checkComponent(const json& root, const json& component, const std::string& where,
                      const config::PairSettings* pair) {
    checkCommonTypes(component, where);
    checkAvailability(root, component, where);
    const std::string platform = text(component, "platform", "");
    if (kPlatforms.count(platform) == 0) {
      fail(where, "platform '" + platform + "' is not one Home Assistant supports");
    }
    const std::string unique_id = text(component, "unique_id", "");
    if (unique_id.empty()) {
      fail(where, "unique_id is required in device discovery");
    } else if (!unique_ids_.insert(unique_id).second) {
      fail(where, "unique_id " + unique_id + " is not unique");
    }
    if (!component.contains("name")) {
      fail(where, "name missing");
    }
    for (const auto& [key, value] : component.items()) {
      if (key.size() > 6 && key.substr(key.size() - 6) == "_topic" && !value.is_string()) {
        fail(where, key + " must be a string");
      }
    }

    const std::string state_topic = text(component, "state_topic", "");
    const std::string command_topic = text(component, "command_topic", "");
    const bool needs_command = platform == "select" || platform == "button" || platform == "switch";
    const bool needs_state =
        platform == "sensor" || platform == "binary_sensor" || platform == "event";
    if (needs_command && command_topic.empty()) {
      fail(where, platform + " needs command_topic");
    }
    if (needs_state && state_topic.empty()) {
      fail(where, platform + " needs state_topic");
    }
    for (const char* key : {"state_topic", "json_attributes_topic"}) {
      const std::string topic = text(component, key, "");
      if (component.contains(key) && !isStateTopic(topic)) {
        fail(where, std::string(key) + " " + topic + " is not a topic the node publishes");
      }
    }
    if (component.contains("command_topic")) {
      if (command_topics_.count(command_topic) == 0) {
        fail(where, "command_topic " + command_topic + " is not a command topic of the node");
      } else if (pair == nullptr && command_topic.rfind(base_ + "/router/", 0) != 0) {
        fail(where, "command_topic " + command_topic + " of the node device is not a router's");
      } else if (pair != nullptr &&
                 command_topic.rfind(base_ + "/pair/" + pair->id + "/set", 0) != 0) {
        fail(where, "command_topic " + command_topic + " is not under this pair's set topics");
      }
      if (component.value("retain", json(false)) == json(true)) {
        fail(where, "commands must never be retained");
      }
    }
    if (pair == nullptr) {
      // The node device's only controls are the routers' enable switches: set/enabled takes
      // ON and OFF, and the router state is JSON, so the switch needs a template.
      if (platform == "switch") {
        if (std::set<std::string>{text(component, "payload_on", "ON"),
                                  text(component, "payload_off", "OFF")} != kOnOff) {
          fail(where, "payload_on/payload_off differ from what the command topic accepts");
        }
        if (!component.contains("value_template")) {
          fail(where, "a switch on the router state JSON needs a value_template");
        }
      }
      return;
    }
    const std::set<std::string> accepted = acceptedCommands(command_topic, *pair);
    const std::set<std::string> states = plainStates(state_topic, *pair);
    const bool templated = component.contains("value_template");

    if (platform == "select") {
      if (!component.contains("options") || !isStringList(component["options"])) {
        fail(where, "select options must be a non-empty list of strings");
      } else if (stringSet(component["options"]) != accepted) {
        fail(where, "select options differ from what the command topic accepts");
      }
    } else if (platform == "button") {
      if (accepted.count(text(component, "payload_press", "PRESS")) == 0) {
        fail(where, "payload_press is not accepted by the command topic");
      }
    } else if (platform == "switch") {
      const std::string on = text(component, "payload_on", "ON");
      const std::string off = text(component, "payload_off", "OFF");
      if (accepted != std::set<std::string>{on, off}) {
        fail(where, "payload_on/payload_off differ from what the command topic accepts");
      }
      if (!templated &&
          states != std::set<std::string>{text(component, "state_on", on.c_str()),
                                          text(component, "state_off", off.c_str())}) {
        fail(where, "state_on/state_off differ from what the state topic carries");
      }
    } else if (platform == "binary_sensor" && !templated && !states.empty()) {
      if (states != std::set<std::string>{text(component, "payload_on", "ON"),
                                          text(component, "payload_off", "OFF")}) {
        fail(where, "payload_on/payload_off differ from what the state topic carries");
      }
    } else if (platform == "sensor" && text(component, "device_class", "") == "enum") {
      if (!component.contains("options") || !isStringList(component["options"])) {
        fail(where, "enum sensor options must be a non-empty list of strings");
      } else if (!templated && !states.empty() && stringSet(component["options"]) != states) {
        fail(where, "enum options differ from what the state topic carries");
      }
    } else if (platform == "event") {
      if (!component.contains("event_types") || !isStringList(component["event_types"])) {
        fail(where, "event_types must be a non-empty list of strings");
      } else if (stringSet(component["event_types"]) != kEventTypes) {
        fail(where, "event_types differ from the contract's switch event types");
      }
      if (state_topic != base_ + "/pair/" + pair->id + "/event") {
        fail(where, "the event entity must read the non-retained event topic");
      }
    }
  }

  // Whether some component has this platform and topic (and device class, when given).
  static bool has(const std::vector<json>& components, const std::string& platform,
                  const char* topic_key, const std::string& topic,
                  const std::string& device_class = {}) {
    return std::any_of(components.begin(), components.end(), [&](const json& component) {
      return text(component, "platform", "") == platform &&
             text(component, topic_key, "") == topic &&
             (device_class.empty() || text(component, "device_class", "") == device_class);
    });
  }

  void checkPairEntities(const std::vector<json>& components, const config::PairSettings& pair,
                         const std::string& where) {
    const std::string p = base_ + "/pair/" + pair.id + "/";
    const struct {
      const char* platform;
      const char* key;
      std::string topic;
      const char* device_class;
    } required[] = {
        {"select", "command_topic", p + "set/active", ""},
        {"select", "state_topic", p + "active", ""},
        {"button", "command_topic", p + "set/swap", ""},
        {"switch", "command_topic", p + "set/mode", ""},
        {"switch", "state_topic", p + "mode", ""},
        {"switch", "command_topic", p + "set/armed", ""},
        {"switch", "state_topic", p + "armed", ""},
        {"sensor", "state_topic", p + "failover", "enum"},
        {"binary_sensor", "state_topic", p + "switch_advised", ""},
        {"binary_sensor", "state_topic", p + "machine/" + pair.main + "/problem", "problem"},
        {"binary_sensor", "state_topic", p + "machine/" + pair.backup + "/problem", "problem"},
        {"event", "state_topic", p + "event", ""},
        {"sensor", "state_topic", p + "last_latency_ms", ""},
    };
    for (const auto& entry : required) {
      if (!has(components, entry.platform, entry.key, entry.topic, entry.device_class)) {
        fail(where, std::string("no ") + entry.platform + " with " + entry.key + " " + entry.topic);
      }
    }
    const bool latency_ok = std::any_of(components.begin(), components.end(), [&](const json& c) {
      return text(c, "state_topic", "") == p + "last_latency_ms" &&
             text(c, "unit_of_measurement", "") == "ms" &&
             text(c, "state_class", "") == "measurement";
    });
    if (!latency_ok) {
      fail(where, "the latency sensor needs unit ms and state_class measurement");
    }
  }

  void checkNodeEntities(const std::vector<json>& components, const std::string& where) {
    for (const config::RouterSettings& router : config_.routers) {
      if (!has(components, "binary_sensor", "state_topic",
               base_ + "/router/" + router.id + "/state", "connectivity")) {
        fail(where, "no connectivity binary_sensor for router " + router.id);
      }
      const std::string r = base_ + "/router/" + router.id + "/";
      if (!has(components, "switch", "command_topic", r + "set/enabled") ||
          !has(components, "switch", "state_topic", r + "state")) {
        fail(where,
             "no switch with command_topic " + r + "set/enabled and state_topic " + r + "state");
      }
    }
  }

  const config::PairSettings* pairOf(const std::string& device_id) const {
    for (const config::PairSettings& pair : config_.pairs) {
      if (device_id == owner_ + "_" + pair.id) {
        return &pair;
      }
    }
    return nullptr;
  }

  const config::Config& config_;
  std::string base_;
  std::string node_base_;
  std::string node_device_;
  std::string owner_;  // the device the pairs hang under: the node's, or the cluster's
  std::set<std::string> state_topics_;
  std::set<std::string> command_topics_;
  std::set<std::string> unique_ids_;
  std::vector<std::string> problems_;
};

}  // namespace

// Written from mqtt-contract.md "Published by the node" and, in cluster mode, SPEC 8.1.
std::set<std::string> contractStateTopics(const config::Config& config) {
  const std::string base =
      config.mqtt.base_topic + "/" + (config.cluster ? config.cluster->id : config.node_id);
  const std::string node = config.cluster ? base + "/nodes/" + config.node_id : base + "/node";
  std::set<std::string> topics = {node + "/state", node + "/info", node + "/stats"};
  if (config.cluster) {
    topics.insert({node + "/role", base + "/cluster/active"});
  }
  for (const config::RouterSettings& router : config.routers) {
    topics.insert(base + "/router/" + router.id + "/state");
  }
  for (const config::PairSettings& pair : config.pairs) {
    const std::string p = base + "/pair/" + pair.id + "/";
    for (const char* leaf : {"state", "active", "mode", "armed", "failover", "switch_advised",
                             "last_latency_ms", "event", "last_event"}) {
      topics.insert(p + leaf);
    }
    for (const std::string& machine : {pair.main, pair.backup}) {
      topics.insert(p + "machine/" + machine + "/problem");
    }
  }
  return topics;
}

// Written from mqtt-contract.md "Commands"; in cluster mode under C (SPEC 8.1).
std::set<std::string> contractCommandTopics(const config::Config& config) {
  const std::string base =
      config.mqtt.base_topic + "/" + (config.cluster ? config.cluster->id : config.node_id);
  std::set<std::string> topics;
  for (const config::PairSettings& pair : config.pairs) {
    const std::string set = base + "/pair/" + pair.id + "/set";
    topics.insert(set);
    for (const char* leaf : {"/active", "/mode", "/armed", "/swap"}) {
      topics.insert(set + leaf);
    }
  }
  for (const config::RouterSettings& router : config.routers) {
    topics.insert(base + "/router/" + router.id + "/set/enabled");
  }
  return topics;
}

std::vector<std::string> checkDiscovery(const config::Config& config,
                                        const std::vector<DiscoveryMessage>& messages) {
  Checker checker(config);
  checker.check(messages);
  return checker.problems();
}

}  // namespace failover::discovery::testing
