#include "failover/discovery/cluster_roster.h"

#include <algorithm>

namespace failover::discovery {
namespace {

constexpr std::string_view kStateSuffix = "/state";

}  // namespace

ClusterRoster::ClusterRoster(const config::Config& config) : self_(config.node_id) {
  if (config.cluster) {
    prefix_ = config.mqtt.base_topic + "/" + config.cluster->id + "/nodes/";
    filter_ = prefix_ + "+" + std::string(kStateSuffix);
  }
}

std::string_view ClusterRoster::nodeOf(std::string_view topic) const {
  if (prefix_.empty() || topic.size() <= prefix_.size() + kStateSuffix.size() ||
      topic.substr(0, prefix_.size()) != prefix_ ||
      topic.substr(topic.size() - kStateSuffix.size()) != kStateSuffix) {
    return {};
  }
  std::string_view node = topic.substr(prefix_.size());
  node.remove_suffix(kStateSuffix.size());
  return node.find('/') == std::string_view::npos ? node : std::string_view{};
}

bool ClusterRoster::matches(std::string_view topic) const {
  return !nodeOf(topic).empty();
}

bool ClusterRoster::observe(std::string_view topic, std::string_view payload) {
  const std::string_view node = nodeOf(topic);
  if (node.empty() || node == self_) {
    return false;
  }
  const auto at = std::lower_bound(others_.begin(), others_.end(), node);
  const bool known = at != others_.end() && *at == node;
  if (payload.empty() && known) {
    others_.erase(at);
    return true;
  }
  if (!payload.empty() && !known) {
    others_.insert(at, std::string(node));
    return true;
  }
  return false;
}

}  // namespace failover::discovery
