#include "failover/config/config_diff.h"

#include <algorithm>
#include <tuple>

namespace failover::config {
namespace {

bool sameRouter(const RouterSettings& a, const RouterSettings& b) {
  // `enabled` is a run-time setting: the running value is kept.
  return std::tie(a.host, a.port, a.force_unlock, a.write_labels, a.bind_address, a.lock_outputs) ==
         std::tie(b.host, b.port, b.force_unlock, b.write_labels, b.bind_address, b.lock_outputs);
}

bool sameMachine(const MachineSettings& a, const MachineSettings& b) {
  return std::tie(a.label, a.input, a.inputs, a.features) ==
         std::tie(b.label, b.input, b.inputs, b.features);
}

bool samePair(const PairSettings& a, const PairSettings& b) {
  // `mode` and `armed` are run-time settings: the running values are kept.
  return std::tie(a.router, a.main, a.backup, a.outputs, a.signal_outputs, a.require_live,
                  a.triggers, a.failback, a.failback_after_ms, a.min_dwell_ms) ==
         std::tie(b.router, b.main, b.backup, b.outputs, b.signal_outputs, b.require_live,
                  b.triggers, b.failback, b.failback_after_ms, b.min_dwell_ms);
}

bool sameRuleValue(const RuleValue& a, const RuleValue& b) {
  return std::tie(a.number, a.text, a.boolean) == std::tie(b.number, b.text, b.boolean);
}

bool sameRules(const std::vector<RuleSettings>& a, const std::vector<RuleSettings>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return std::tie(x.name, x.source, x.field, x.op, x.for_ms, x.severity) ==
               std::tie(y.name, y.source, y.field, y.op, y.for_ms, y.severity) &&
           sameRuleValue(x.value, y.value);
  });
}

// Sorts the ids of `next` into added/changed/unchanged and those only in `running` into
// removed; `changed(old, new)` says whether an item that stays differs.
template <typename Item, typename Changed>
IdChanges compare(const std::vector<Item>& running, const std::vector<Item>& next,
                  Changed changed) {
  IdChanges changes;
  for (const Item& item : next) {
    const auto old = std::find_if(running.begin(), running.end(),
                                  [&](const Item& candidate) { return candidate.id == item.id; });
    if (old == running.end()) {
      changes.added.push_back(item.id);
    } else if (changed(*old, item)) {
      changes.changed.push_back(item.id);
    } else {
      changes.unchanged.push_back(item.id);
    }
  }
  for (const Item& item : running) {
    const bool kept = std::any_of(next.begin(), next.end(),
                                  [&](const Item& candidate) { return candidate.id == item.id; });
    if (!kept) {
      changes.removed.push_back(item.id);
    }
  }
  return changes;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool sameTls(const std::optional<TlsSettings>& a, const std::optional<TlsSettings>& b) {
  if (a.has_value() != b.has_value()) {
    return false;
  }
  return !a || std::tie(a->ca_file, a->cert_file, a->key_file, a->verify) ==
                   std::tie(b->ca_file, b->cert_file, b->key_file, b->verify);
}

}  // namespace

ConfigDiff diffConfigs(const Config& running, const Config& next) {
  ConfigDiff diff;
  diff.rules_changed = !sameRules(running.rules, next.rules);
  diff.routers = compare(running.routers, next.routers,
                         [](const auto& a, const auto& b) { return !sameRouter(a, b); });
  diff.machines = compare(running.machines, next.machines,
                          [](const auto& a, const auto& b) { return !sameMachine(a, b); });
  diff.pairs = compare(running.pairs, next.pairs, [&](const auto& a, const auto& b) {
    // A pair whose router or machines were replaced or changed is changed with them, and
    // so is every pair when the rules that judge its machines changed.
    const auto replaced = [&](const std::vector<std::string>& unchanged, const std::string& id) {
      return !contains(unchanged, id);
    };
    return !samePair(a, b) || diff.rules_changed || replaced(diff.routers.unchanged, b.router) ||
           replaced(diff.machines.unchanged, b.main) || replaced(diff.machines.unchanged, b.backup);
  });
  return diff;
}

std::vector<std::string> fixedSettingsChanged(const Config& running, const Config& next) {
  std::vector<std::string> fixed;
  const auto check = [&fixed](bool same, const char* path) {
    if (!same) {
      fixed.emplace_back(path);
    }
  };
  const MqttSettings& a = running.mqtt;
  const MqttSettings& b = next.mqtt;
  check(running.node_id == next.node_id, "node_id");
  check(a.server == b.server, "mqtt.server");
  check(a.servers == b.servers, "mqtt.servers");
  check(a.base_topic == b.base_topic, "mqtt.base_topic");
  check(a.client_id == b.client_id, "mqtt.client_id");
  check(a.version == b.version, "mqtt.version");
  check(a.keepalive_s == b.keepalive_s, "mqtt.keepalive_s");
  check(a.username == b.username, "mqtt.username");
  check(a.password_file == b.password_file, "mqtt.password_file");
  check(sameTls(a.tls, b.tls), "mqtt.tls");
  check(running.homeassistant.enabled == next.homeassistant.enabled, "homeassistant.enabled");
  check(running.homeassistant.discovery_prefix == next.homeassistant.discovery_prefix,
        "homeassistant.discovery_prefix");
  check(running.state_file == next.state_file, "state_file");
  check(running.health.topics == next.health.topics, "health.topics");
  const auto clusterOf = [](const Config& config) {
    return config.cluster
               ? std::make_tuple(true, config.cluster->id, config.cluster->rank,
                                 config.cluster->heartbeat_ms, config.cluster->takeover_after_ms)
               : std::make_tuple(false, std::string(), 0, int64_t{0}, int64_t{0});
  };
  check(clusterOf(running) == clusterOf(next), "cluster");
  // The audit trail's file and limits belong to its writer, opened once at start.
  check(running.audit_log == next.audit_log, "audit_log");
  check(running.audit_log_max_mb == next.audit_log_max_mb, "audit_log_max_mb");
  check(running.audit_log_keep == next.audit_log_keep, "audit_log_keep");
  return fixed;
}

}  // namespace failover::config
