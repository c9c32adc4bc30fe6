#include "failover/discovery/discovery.h"

#include <algorithm>

#include "device_payload_internal.h"

namespace failover::discovery {
namespace {

std::vector<std::string> deviceTopics(const config::Config& config) {
  const std::string& prefix = config.homeassistant.discovery_prefix;
  std::vector<std::string> topics;
  topics.reserve(config.pairs.size() + 2);
  topics.push_back(deviceConfigTopic(prefix, nodeDeviceId(config)));
  if (config.cluster) {
    topics.push_back(deviceConfigTopic(prefix, clusterDeviceId(config)));
  }
  for (const config::PairSettings& pair : config.pairs) {
    topics.push_back(deviceConfigTopic(prefix, pairDeviceId(config, pair.id)));
  }
  return topics;
}

}  // namespace

std::string nodeDeviceId(const config::Config& config) {
  return "failover_" + config.node_id;
}

std::string clusterDeviceId(const config::Config& config) {
  return config.cluster ? "failover_cluster_" + config.cluster->id : std::string();
}

std::string pairDeviceId(const config::Config& config, std::string_view pair_id) {
  return (config.cluster ? clusterDeviceId(config) : nodeDeviceId(config)) + "_" +
         std::string(pair_id);
}

std::string deviceConfigTopic(std::string_view discovery_prefix, std::string_view device_id) {
  return std::string(discovery_prefix) + "/device/" + std::string(device_id) + "/config";
}

std::string birthTopic(std::string_view discovery_prefix) {
  return std::string(discovery_prefix) + "/status";
}

std::vector<DiscoveryMessage> buildDiscovery(const config::Config& config, std::string_view version,
                                             const std::vector<std::string>& cluster_nodes) {
  std::vector<DiscoveryMessage> messages;
  if (!config.homeassistant.enabled) {
    return messages;
  }
  const std::string& prefix = config.homeassistant.discovery_prefix;
  const internal::Scope scope = internal::scopeOf(config, cluster_nodes);
  messages.reserve(config.pairs.size() + 2);
  messages.push_back({deviceConfigTopic(prefix, nodeDeviceId(config)),
                      internal::nodeDevicePayload(config, scope, version).dump(), true});
  if (config.cluster) {
    messages.push_back({deviceConfigTopic(prefix, clusterDeviceId(config)),
                        internal::clusterDevicePayload(config, scope, version).dump(), true});
  }
  for (const config::PairSettings& pair : config.pairs) {
    messages.push_back({deviceConfigTopic(prefix, pairDeviceId(config, pair.id)),
                        internal::pairDevicePayload(config, scope, pair, version).dump(), true});
  }
  return messages;
}

std::vector<DiscoveryMessage> removeDiscovery(const config::Config& config) {
  std::vector<DiscoveryMessage> messages;
  for (std::string& topic : deviceTopics(config)) {
    messages.push_back({std::move(topic), std::string(), true});
  }
  return messages;
}

std::vector<DiscoveryMessage> removeDiscovery(const config::Config& previous,
                                              const config::Config& current) {
  std::vector<std::string> kept;
  if (current.homeassistant.enabled) {
    kept = deviceTopics(current);
  }
  std::vector<DiscoveryMessage> messages;
  for (std::string& topic : deviceTopics(previous)) {
    if (std::find(kept.begin(), kept.end(), topic) == kept.end()) {
      messages.push_back({std::move(topic), std::string(), true});
    }
  }
  return messages;
}

bool isBirthMessage(std::string_view topic, std::string_view payload,
                    std::string_view discovery_prefix) {
  return payload == "online" && topic == birthTopic(discovery_prefix);
}

}  // namespace failover::discovery
