#pragma once

// Shared pieces of the device payloads: the root object every device carries (device block,
// origin, availability, QoS) and the node's topic base. Private to the discovery module.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "failover/config/config.h"

namespace failover::discovery::internal {

// Insertion-ordered so a payload reads top-down (device, origin, availability, components)
// and the same configuration always gives the same bytes.
using Json = nlohmann::ordered_json;

constexpr std::string_view kManufacturer = "failover-node";

// B = <base_topic>/<node_id>.
std::string baseTopic(const config::Config& config);

// The root of a device payload with an empty `components` map: `device` (the given block plus
// sw_version), `origin`, `availability` on B/node/state and QoS 1 for every entity's
// subscriptions and commands (the node's command topics are QoS 1).
Json deviceRoot(const config::Config& config, Json device, std::string_view version);

// The node device and one pair device; `components` filled in.
Json nodeDevicePayload(const config::Config& config, std::string_view version);
Json pairDevicePayload(const config::Config& config, const config::PairSettings& pair,
                       std::string_view version);

}  // namespace failover::discovery::internal
