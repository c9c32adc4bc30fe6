#pragma once

// The nodes of a cluster this node knows of, for Home Assistant discovery in cluster mode
// (SPEC 8.1). Every node keeps a retained `C/nodes/<node_id>/state` (online, or offline as its
// Last Will), so subscribing to `C/nodes/+/state` names every node that has run, whether it is
// up now or not. The node in charge lists them in the cluster entities' availability: those
// stay available while any of them is online, across a takeover. Pure: the caller subscribes
// and feeds the messages in.

#include <string>
#include <string_view>
#include <vector>

#include "failover/config/config.h"

namespace failover::discovery {

class ClusterRoster {
 public:
  // Knows this node from the start; `filter()` is empty without a cluster.
  explicit ClusterRoster(const config::Config& config);

  // `C/nodes/+/state`, or empty without a cluster.
  const std::string& filter() const { return filter_; }

  // Whether `topic` is a node's state under filter().
  bool matches(std::string_view topic) const;

  // A message on filter(): a node with a non-empty payload is known, an empty retained payload
  // (the operator cleared a node that is gone for good) forgets it. This node is never
  // forgotten. Returns whether others() changed; any other topic changes nothing.
  bool observe(std::string_view topic, std::string_view payload);

  // The other known nodes, sorted (this node is not in the list).
  const std::vector<std::string>& others() const { return others_; }

 private:
  // The node id of `C/nodes/<node>/state`, or empty for any other topic.
  std::string_view nodeOf(std::string_view topic) const;

  std::string self_;
  std::string prefix_;  // C/nodes/
  std::string filter_;
  std::vector<std::string> others_;
};

}  // namespace failover::discovery
