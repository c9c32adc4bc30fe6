#pragma once

// The node's MQTT topic tree (SPEC 5, docs/mqtt-api.md), built once from the configuration.
// Every topic the node publishes or reads is named here and nowhere else. B is
// <base_topic>/<node_id>. In cluster mode (SPEC 8.1) the pairs' and routers' topics live under
// C = <base_topic>/<cluster.id>, shared by the nodes of the cluster, and the node's own under
// C/nodes/<node_id> instead of B/node.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "failover/config/config.h"

namespace failover::daemon {

// A command topic, split into its parts: B/pair/<p>/set, B/pair/<p>/set/<name>,
// B/pair/<p>/request/<name>, a router's B/router/<r>/set/<name> (Kind::SetAttribute), or a
// request to the node itself, B/node/request/<name> (Kind::Request, `node` set).
struct CommandTopic {
  enum class Kind { Set, SetAttribute, Request };
  Kind kind = Kind::Set;
  std::string pair;    // empty for a router's command
  std::string name;    // the attribute (set/<name>) or the request (request/<name>)
  std::string router;  // set for a router's command only
  bool node = false;   // B/node/request/<name>
};

// Which machine and check a health topic belongs to.
struct HealthTopic {
  std::string machine;
  config::Check check = config::Check::Engine;
};

class Topics {
 public:
  explicit Topics(const config::Config& config);

  // B, or C in cluster mode: where the pairs' and routers' topics live.
  const std::string& base() const { return base_; }
  // B/node, or C/nodes/<node_id> in cluster mode: the node's own topics.
  const std::string& nodeBase() const { return node_base_; }
  std::string nodeState() const { return node_base_ + "/state"; }
  std::string nodeInfo() const { return node_base_ + "/info"; }
  std::string nodeStats() const { return node_base_ + "/stats"; }
  std::string routerState(std::string_view router) const { return routerTopic(router, "state"); }
  std::string routerTopic(std::string_view router, std::string_view leaf) const;
  std::string pairState(std::string_view pair) const { return pairTopic(pair, "state"); }
  std::string pairTopic(std::string_view pair, std::string_view leaf) const;
  std::string machineProblem(std::string_view pair, std::string_view machine) const;
  std::string response(std::string_view pair, std::string_view command) const;
  std::string nodeResponse(std::string_view request) const;
  std::string nodeEvent() const { return node_base_ + "/event"; }
  const std::string& homeAssistantStatus() const { return homeassistant_status_; }

  // Subscription filters: the commands (the pairs' set, set/<attr> and request/<cmd>, the
  // routers' set/enabled and the node's request/<cmd>), and one filter per health check (the
  // pattern with {machine} as a single-level wildcard).
  std::vector<std::string> commandFilters() const;
  std::vector<std::string> healthFilters() const;

  // Cluster mode: the retained run-time settings the node in charge publishes, which a
  // standby follows (C/pair/+/mode, C/pair/+/armed, C/router/+/state); none without a cluster.
  std::vector<std::string> mirrorFilters() const;
  // The pair (with leaf "mode" or "armed") or router (leaf "state") a mirrored topic names.
  struct MirrorTopic {
    std::string pair;
    std::string router;
    std::string leaf;
  };
  std::optional<MirrorTopic> parseMirror(std::string_view topic) const;

  // Splits a command topic; nullopt for anything else. Pairs and routers are not looked up.
  std::optional<CommandTopic> parseCommand(std::string_view topic) const;
  // The machine and check of a health topic; nullopt for a topic of no configured machine.
  const HealthTopic* findHealth(const std::string& topic) const;

 private:
  // `rest` is what follows B/router/.
  static std::optional<CommandTopic> parseRouterCommand(std::string_view rest);

  std::string base_;
  std::string node_base_;
  bool cluster_ = false;
  std::string homeassistant_status_;
  std::vector<std::string> health_filters_;
  std::unordered_map<std::string, HealthTopic> health_topics_;  // exact topic → machine, check
};

}  // namespace failover::daemon
