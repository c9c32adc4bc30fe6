#pragma once

// The node's counters, published retained on B/node/stats. One instance lives in the Node;
// its parts (the command handler, the state publisher) count into it by reference. Only the
// io thread touches it.

#include <cstdint>
#include <map>
#include <string>

#include "failover/ports/audit_trail.h"

namespace failover::daemon {

struct NodeStats {
  uint64_t health_messages = 0;
  uint64_t commands = 0;
  uint64_t unknown_topics = 0;
  std::map<std::string, uint64_t> rejected;  // by reason: invalid_json, too_large, ...
  uint64_t duplicate_commands = 0;
  uint64_t switch_events = 0;
  uint64_t published = 0;
  // Cluster mode: pair and router commands a standby left to the node in charge, and routing
  // blocks the fence stopped (this node was no longer allowed to route).
  uint64_t commands_left_to_active = 0;
  uint64_t fenced_blocks = 0;
  // The audit trail, whose counters are read when the stats are published; none: zeros.
  const ports::AuditTrail* audit_trail = nullptr;
};

}  // namespace failover::daemon
