#include "device_payload_internal.h"
#include "failover/discovery/discovery.h"

namespace failover::discovery::internal {

std::string baseTopic(const config::Config& config) {
  return config.mqtt.base_topic + "/" + config.node_id;
}

Json deviceRoot(const config::Config& config, Json device, std::string_view version) {
  device["manufacturer"] = kManufacturer;
  device["sw_version"] = version;

  Json root = Json::object();
  root["device"] = std::move(device);
  root["origin"] = Json{{"name", kOriginName}, {"sw_version", version}};
  // The node's LWT: when it drops off the broker every entity turns unavailable rather than
  // showing the last retained state as if it were current.
  root["availability"] = Json::array({Json{{"topic", baseTopic(config) + "/node/state"},
                                           {"payload_available", "online"},
                                           {"payload_not_available", "offline"}}});
  root["qos"] = 1;
  root["components"] = Json::object();
  return root;
}

}  // namespace failover::discovery::internal
