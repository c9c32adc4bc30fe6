#pragma once

// An independent check of device-based discovery messages against what Home Assistant's MQTT
// integration requires, and against the node's MQTT contract (mqtt-contract.md, SPEC 5). The
// topic lists here are written from the contract, not taken from the code under test, so a
// discovery payload pointing at a topic the node never publishes (or a command topic it never
// reads) is caught.

#include <set>
#include <string>
#include <vector>

#include "failover/config/config.h"
#include "failover/discovery/discovery.h"

namespace failover::discovery::testing {

// Every problem found, one readable line each; empty when all messages pass.
std::vector<std::string> checkDiscovery(const config::Config& config,
                                        const std::vector<DiscoveryMessage>& messages);

// The topics the contract says the node publishes (state) and reads (commands) for `config`.
std::set<std::string> contractStateTopics(const config::Config& config);
std::set<std::string> contractCommandTopics(const config::Config& config);

}  // namespace failover::discovery::testing
