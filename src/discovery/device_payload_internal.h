#pragma once

// Shared pieces of the device payloads: where the entities read and write (a single node's own
// topics, or in cluster mode the cluster's), the root object every device carries (device block,
// origin, availability, QoS) and the routers' entities. Private to the discovery module.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "failover/config/config.h"

namespace failover::discovery::internal {

// Insertion-ordered so a payload reads top-down (device, origin, availability, components)
// and the same configuration always gives the same bytes.
using Json = nlohmann::ordered_json;

constexpr std::string_view kManufacturer = "failover-node";

// Where the entities of a configuration live. Without a cluster everything is the node's own:
// B = <base_topic>/<node_id>. In cluster mode the pairs and routers belong to the cluster,
// C = <base_topic>/<cluster.id>, whichever node is in charge, and so do their unique ids: a
// takeover republishes the same entities rather than creating new ones.
struct Scope {
  std::string base;       // B, or C: the pairs' and routers' topics
  std::string node_base;  // B/node, or C/nodes/<node_id>: this node's own topics
  // The device the pairs hang under (via_device), also the start of every pair and router
  // unique id: failover_<node_id>, or failover_cluster_<cluster.id>.
  std::string owner_id;
  // The nodes of the cluster known to the publisher, itself included, sorted; empty without
  // a cluster.
  std::vector<std::string> nodes;
  // For the pair and router entities: B/node/state, or any of the known nodes' states.
  Json availability;
  std::string availability_mode;  // empty (Home Assistant's default) or "any"
};

Scope scopeOf(const config::Config& config, const std::vector<std::string>& cluster_nodes);

// `<C>/nodes/<node>/state`: a node's retained online/offline, its Last Will.
std::string clusterNodeState(const config::Config& config, std::string_view node);

// One availability entry: `topic` says online or offline.
Json onlineEntry(const std::string& topic);

// The root of a device payload with an empty `components` map: `device` (the given block plus
// manufacturer and sw_version), `origin`, `availability` (with its mode, when given) and QoS 1
// for every entity's subscriptions and commands (the node's command topics are QoS 1).
Json deviceRoot(Json device, std::string_view version, Json availability,
                std::string_view availability_mode);

// The three entities of each router (connected, state, enabled), reading and commanding
// `<scope.base>/router/<r>/...`.
void addRouterComponents(const Scope& scope, const config::RouterSettings& router,
                         Json& components);

// The devices, `components` filled in: the node, the cluster (cluster mode only) and one pair.
Json nodeDevicePayload(const config::Config& config, const Scope& scope, std::string_view version);
Json clusterDevicePayload(const config::Config& config, const Scope& scope,
                          std::string_view version);
Json pairDevicePayload(const config::Config& config, const Scope& scope,
                       const config::PairSettings& pair, std::string_view version);

}  // namespace failover::discovery::internal
