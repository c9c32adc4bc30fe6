#include "failover/daemon/topics.h"

namespace failover::daemon {
namespace {

constexpr std::string_view kMachinePlaceholder = "{machine}";

std::string replaceMachine(std::string pattern, std::string_view replacement) {
  const auto at = pattern.find(kMachinePlaceholder);
  if (at != std::string::npos) {
    pattern.replace(at, kMachinePlaceholder.size(), replacement);
  }
  return pattern;
}

// The subscription filter of a pattern: every level holding {machine} becomes the single-level
// wildcard, since MQTT allows "+" only as a whole level ("agents/m-{machine}" → "agents/+").
std::string filterFor(const std::string& pattern) {
  std::string filter;
  size_t start = 0;
  while (true) {
    const auto slash = pattern.find('/', start);
    const std::string level =
        pattern.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    filter += level.find(kMachinePlaceholder) != std::string::npos ? "+" : level;
    if (slash == std::string::npos) {
      return filter;
    }
    filter += '/';
    start = slash + 1;
  }
}

}  // namespace

Topics::Topics(const config::Config& config)
    : base_(config.mqtt.base_topic + "/" + (config.cluster ? config.cluster->id : config.node_id)),
      node_base_(config.cluster ? base_ + "/nodes/" + config.node_id : base_ + "/node"),
      cluster_(config.cluster.has_value()),
      homeassistant_status_(config.homeassistant.discovery_prefix + "/status") {
  for (const auto& [check, pattern] : config.health.topics) {
    health_filters_.push_back(filterFor(pattern));
    for (const auto& machine : config.machines) {
      health_topics_.emplace(replaceMachine(pattern, machine.id), HealthTopic{machine.id, check});
    }
  }
}

std::string Topics::routerTopic(std::string_view router, std::string_view leaf) const {
  std::string topic = base_;
  topic.append("/router/").append(router).append("/").append(leaf);
  return topic;
}

std::string Topics::pairTopic(std::string_view pair, std::string_view leaf) const {
  std::string topic = base_;
  topic.append("/pair/").append(pair).append("/").append(leaf);
  return topic;
}

std::string Topics::machineProblem(std::string_view pair, std::string_view machine) const {
  return pairTopic(pair, "machine/" + std::string(machine) + "/problem");
}

std::string Topics::response(std::string_view pair, std::string_view command) const {
  return pairTopic(pair, "response/" + std::string(command));
}

std::string Topics::nodeResponse(std::string_view request) const {
  return node_base_ + "/response/" + std::string(request);
}

std::vector<std::string> Topics::commandFilters() const {
  return {base_ + "/pair/+/set", base_ + "/pair/+/set/+", base_ + "/pair/+/request/+",
          base_ + "/router/+/set/enabled", node_base_ + "/request/+"};
}

std::vector<std::string> Topics::mirrorFilters() const {
  if (!cluster_) {
    return {};
  }
  return {base_ + "/pair/+/mode", base_ + "/pair/+/armed", base_ + "/router/+/state"};
}

std::optional<Topics::MirrorTopic> Topics::parseMirror(std::string_view topic) const {
  if (!cluster_ || topic.substr(0, base_.size()) != base_ || topic.size() <= base_.size() ||
      topic[base_.size()] != '/') {
    return std::nullopt;
  }
  topic.remove_prefix(base_.size() + 1);
  // <kind>/<id>/<leaf>, one level each.
  const auto first = topic.find('/');
  const auto second = first == std::string_view::npos ? first : topic.find('/', first + 1);
  if (second == std::string_view::npos || second == first + 1 ||
      topic.find('/', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view kind = topic.substr(0, first);
  const std::string id(topic.substr(first + 1, second - first - 1));
  const std::string leaf(topic.substr(second + 1));
  if (kind == "pair" && (leaf == "mode" || leaf == "armed")) {
    return MirrorTopic{id, "", leaf};
  }
  if (kind == "router" && leaf == "state") {
    return MirrorTopic{"", id, leaf};
  }
  return std::nullopt;
}

std::vector<std::string> Topics::healthFilters() const {
  return health_filters_;
}

std::optional<CommandTopic> Topics::parseCommand(std::string_view topic) const {
  if (const std::string node_prefix = node_base_ + "/request/";
      topic.substr(0, node_prefix.size()) == node_prefix) {
    const std::string_view name = topic.substr(node_prefix.size());
    if (name.empty() || name.find('/') != std::string_view::npos) {
      return std::nullopt;
    }
    CommandTopic command;
    command.kind = CommandTopic::Kind::Request;
    command.name = std::string(name);
    command.node = true;
    return command;
  }
  if (const std::string router_prefix = base_ + "/router/";
      topic.substr(0, router_prefix.size()) == router_prefix) {
    return parseRouterCommand(topic.substr(router_prefix.size()));
  }
  const std::string prefix = base_ + "/pair/";
  if (topic.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  topic.remove_prefix(prefix.size());
  const auto slash = topic.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return std::nullopt;
  }
  CommandTopic command;
  command.pair = std::string(topic.substr(0, slash));
  const std::string_view rest = topic.substr(slash + 1);
  if (rest == "set") {
    command.kind = CommandTopic::Kind::Set;
    return command;
  }
  for (const auto& [leaf, kind] :
       {std::pair{std::string_view("set/"), CommandTopic::Kind::SetAttribute},
        std::pair{std::string_view("request/"), CommandTopic::Kind::Request}}) {
    if (rest.substr(0, leaf.size()) == leaf && rest.size() > leaf.size() &&
        rest.find('/', leaf.size()) == std::string_view::npos) {
      command.kind = kind;
      command.name = std::string(rest.substr(leaf.size()));
      return command;
    }
  }
  return std::nullopt;
}

std::optional<CommandTopic> Topics::parseRouterCommand(std::string_view rest) {
  // <r>/set/<name>, one level each.
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return std::nullopt;
  }
  constexpr std::string_view kSet = "/set/";
  const std::string_view tail = rest.substr(slash);
  if (tail.substr(0, kSet.size()) != kSet || tail.size() == kSet.size() ||
      tail.find('/', kSet.size()) != std::string_view::npos) {
    return std::nullopt;
  }
  CommandTopic command;
  command.kind = CommandTopic::Kind::SetAttribute;
  command.router = std::string(rest.substr(0, slash));
  command.name = std::string(tail.substr(kSet.size()));
  return command;
}

const HealthTopic* Topics::findHealth(const std::string& topic) const {
  const auto found = health_topics_.find(topic);
  return found == health_topics_.end() ? nullptr : &found->second;
}

}  // namespace failover::daemon
