#pragma once

// Home Assistant MQTT device-based discovery (SPEC F12, section 5.2): the retained
// configuration messages that make the node and each of its pairs appear as devices in Home
// Assistant. Pure: builds (topic, payload) pairs from the configuration; publishing them, the
// random delay after a birth message and subscribing are the daemon's job.
//
// One device for the node, `<prefix>/device/failover_<node_id>/config`, and one per pair,
// `<prefix>/device/failover_<node_id>_<pair>/config`. Every entity's state and command topic is
// one of the node's topics under B = <base_topic>/<node_id> (see docs/home-assistant.md), and
// every entity is available while `B/node/state` is `online`.
//
// In cluster mode (SPEC 8.1) the pairs and routers belong to the cluster, C =
// <base_topic>/<cluster.id>: a cluster device `failover_cluster_<cluster.id>` (node in charge,
// each known node's connection and role, the routers) and the pair devices
// `failover_cluster_<cluster.id>_<pair>` read and command C/..., with the same unique ids
// whichever node publishes them, and stay available while any known node is online. The node
// device reads C/nodes/<node_id>/... and hangs under the cluster device.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "failover/config/config.h"

namespace failover::discovery {

// One message to publish, with QoS 1. An empty payload removes the device and all its entities from
// Home Assistant (and, retained, clears the broker's copy).
struct DiscoveryMessage {
  std::string topic;
  std::string payload;  // a JSON object, or empty to remove
  bool retain = true;   // always true: Home Assistant reads the retained copy when it starts

  friend bool operator==(const DiscoveryMessage&, const DiscoveryMessage&) = default;
};

// The origin name written into every payload; Home Assistant logs it, and stale-device
// clean-up only ever touches devices carrying it.
constexpr std::string_view kOriginName = "failover-node";

// Device ids, also the <object_id> of the discovery topics: `failover_<node_id>`, in cluster
// mode `failover_cluster_<cluster.id>` (empty without a cluster), and
// `failover_<node_id>_<pair_id>`, in cluster mode `failover_cluster_<cluster.id>_<pair_id>`.
std::string nodeDeviceId(const config::Config& config);
std::string clusterDeviceId(const config::Config& config);
std::string pairDeviceId(const config::Config& config, std::string_view pair_id);

// `<prefix>/device/<device_id>/config`.
std::string deviceConfigTopic(std::string_view discovery_prefix, std::string_view device_id);

// `<prefix>/status`: where Home Assistant publishes its birth (`online`) and will (`offline`).
std::string birthTopic(std::string_view discovery_prefix);

// Every discovery message for this configuration: the node device first, in cluster mode the
// cluster device next, then one per pair in file order. Each payload is a compact JSON object
// with full (unabbreviated) key names. `version` is the node's version (device sw_version and
// origin sw_version). `cluster_nodes` (cluster mode only) are the other nodes of the cluster
// this node knows of (see ClusterRoster): the cluster's entities are available while any of
// them or this node is online, and the cluster device shows each one's role. Returns nothing
// when `config.homeassistant.enabled` is false. Deterministic: the same input gives the same
// bytes, so a caller may de-duplicate.
std::vector<DiscoveryMessage> buildDiscovery(const config::Config& config, std::string_view version,
                                             const std::vector<std::string>& cluster_nodes = {});

// Empty retained payloads for every device of `config` (node, cluster and pairs), whether or
// not Home Assistant is enabled in it: removes the node from Home Assistant entirely.
std::vector<DiscoveryMessage> removeDiscovery(const config::Config& config);

// Empty retained payloads for the devices `previous` announced that `current` does not (a pair
// removed, the node id or discovery prefix changed, or Home Assistant disabled). For a
// configuration reload.
std::vector<DiscoveryMessage> removeDiscovery(const config::Config& previous,
                                              const config::Config& current);

// For a retained message seen on `<prefix>/device/+/config` after subscribing: if it is a pair
// device this node published earlier (its origin is failover-node and its device hangs
// `via_device` under this node's device) and the current configuration no longer has that
// pair, the empty retained message that removes it. Also removes this node's own devices when
// Home Assistant is disabled. Any other topic or payload (other software, other nodes,
// malformed JSON, already empty) gives nullopt. In cluster mode the pair devices hang under the
// cluster device instead, and the other nodes' devices are left alone. Never throws.
std::optional<DiscoveryMessage> staleDeviceRemoval(std::string_view topic, std::string_view payload,
                                                   const config::Config& config);

// After a birth message the node waits a random 0..kMaxRediscoveryDelayMs before re-sending,
// so that many nodes on one broker do not all answer in the same instant.
inline constexpr int kMaxRediscoveryDelayMs = 5000;

// True for Home Assistant's birth message: `payload` is `online` on `<prefix>/status`. The node
// then re-sends buildDiscovery() (after a short random delay) and its retained state. `offline`
// (Home Assistant's will) is not a birth.
bool isBirthMessage(std::string_view topic, std::string_view payload,
                    std::string_view discovery_prefix);

}  // namespace failover::discovery
