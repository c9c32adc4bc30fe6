// Recognising retained discovery configs this node left behind for pairs it no longer has.
// A retained config outlives the node's configuration, and Home Assistant would otherwise
// keep showing a ghost device whose controls do nothing.

#include <algorithm>

#include <nlohmann/json.hpp>

#include "failover/discovery/discovery.h"

namespace failover::discovery {
namespace {

constexpr std::string_view kDeviceInfix = "/device/";
constexpr std::string_view kConfigSuffix = "/config";

// The <object_id> of `<prefix>/device/<object_id>/config`, or empty.
std::string_view deviceIdOf(std::string_view topic, std::string_view prefix) {
  if (topic.size() <= prefix.size() + kDeviceInfix.size() + kConfigSuffix.size() ||
      topic.substr(0, prefix.size()) != prefix ||
      topic.substr(prefix.size(), kDeviceInfix.size()) != kDeviceInfix ||
      topic.substr(topic.size() - kConfigSuffix.size()) != kConfigSuffix) {
    return {};
  }
  std::string_view id = topic.substr(prefix.size() + kDeviceInfix.size());
  id.remove_suffix(kConfigSuffix.size());
  return id.find('/') == std::string_view::npos ? id : std::string_view{};
}

// A string member under its full or abbreviated key; empty when absent or not a string.
std::string stringMember(const nlohmann::json& object, const char* key, const char* abbreviation) {
  for (const char* name : {key, abbreviation}) {
    const auto found = object.find(name);
    if (found != object.end() && found->is_string()) {
      return found->get<std::string>();
    }
  }
  return {};
}

const nlohmann::json* objectMember(const nlohmann::json& object, const char* key,
                                   const char* abbreviation) {
  for (const char* name : {key, abbreviation}) {
    const auto found = object.find(name);
    if (found != object.end() && found->is_object()) {
      return &*found;
    }
  }
  return nullptr;
}

// Whether `payload` is a device config published by a failover-node; fills in its via_device
// (empty for a node device).
bool isOurDevice(std::string_view payload, std::string& via_device) {
  const nlohmann::json root = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) {
    return false;
  }
  const nlohmann::json* origin = objectMember(root, "origin", "o");
  const nlohmann::json* device = objectMember(root, "device", "dev");
  if (origin == nullptr || device == nullptr ||
      stringMember(*origin, "name", "name") != kOriginName) {
    return false;
  }
  via_device = stringMember(*device, "via_device", "via_dev");
  return true;
}

}  // namespace

std::optional<DiscoveryMessage> staleDeviceRemoval(std::string_view topic, std::string_view payload,
                                                   const config::Config& config) {
  const std::string_view id = deviceIdOf(topic, config.homeassistant.discovery_prefix);
  std::string via_device;
  if (id.empty() || payload.empty() || !isOurDevice(payload, via_device)) {
    return std::nullopt;
  }
  const std::string node_device = nodeDeviceId(config);
  // The device the pairs hang under: the node's, or in cluster mode the cluster's, under
  // which every node's own device hangs too.
  const std::string owner = config.cluster ? clusterDeviceId(config) : node_device;
  const bool is_node_device = id == node_device && via_device == (config.cluster ? owner : "");
  const bool is_owner_device = id == owner && via_device.empty();
  const bool is_pair_device = via_device == owner && id.size() > owner.size() + 1 &&
                              id.substr(0, owner.size() + 1) == owner + "_";
  if (!is_node_device && !is_owner_device && !is_pair_device) {
    return std::nullopt;  // another node's device
  }
  bool wanted = false;
  if (config.homeassistant.enabled) {
    wanted = is_node_device || is_owner_device ||
             std::any_of(config.pairs.begin(), config.pairs.end(),
                         [&](const config::PairSettings& pair) {
                           return pairDeviceId(config, pair.id) == id;
                         });
  }
  if (wanted) {
    return std::nullopt;
  }
  return DiscoveryMessage{std::string(topic), std::string(), true};
}

}  // namespace failover::discovery
