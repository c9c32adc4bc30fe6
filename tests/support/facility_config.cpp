#include "support/facility_config.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace failover::testing {
namespace {

template <typename Item>
std::string yamlList(const std::vector<Item>& items) {
  std::ostringstream text;
  text << "[";
  for (size_t i = 0; i < items.size(); ++i) {
    text << (i == 0 ? "" : ", ") << items[i];
  }
  text << "]";
  return text.str();
}

const char* yamlBool(bool value) {
  return value ? "true" : "false";
}

void writeMqtt(std::ostream& out, const FacilityConfig::Mqtt& mqtt) {
  out << "mqtt: { server: " << mqtt.server << ", base_topic: " << mqtt.base_topic;
  if (mqtt.keepalive_s) {
    out << ", keepalive_s: " << *mqtt.keepalive_s;
  }
  if (mqtt.version) {
    out << ", version: " << *mqtt.version;
  }
  out << " }\n";
}

void writeHealth(std::ostream& out, const FacilityConfig::Health& health) {
  const std::pair<const char*, const std::optional<int>&> settings[] = {
      {"stale_after_ms", health.stale_after_ms},
      {"startup_grace_ms", health.startup_grace_ms},
      {"reconnect_grace_ms", health.reconnect_grace_ms},
      {"diagnostics_stale_after_ms", health.diagnostics_stale_after_ms},
  };
  bool any = false;
  for (const auto& [key, value] : settings) {
    if (value) {
      out << (any ? "" : "health:\n") << "  " << key << ": " << *value << "\n";
      any = true;
    }
  }
}

void writePair(std::ostream& out, const FacilityConfig::Pair& pair) {
  out << "  " << pair.id << ":\n"
      << "    router: " << pair.router << "\n"
      << "    main: " << pair.main << "\n"
      << "    backup: " << pair.backup << "\n"
      << "    outputs: ";
  if (pair.signal_outputs.empty()) {
    out << yamlList(pair.outputs);
  } else {
    out << "{ ";
    for (size_t i = 0; i < pair.signal_outputs.size(); ++i) {
      out << (i == 0 ? "" : ", ") << pair.signal_outputs[i].first << ": "
          << yamlList(pair.signal_outputs[i].second);
    }
    out << " }";
  }
  out << "\n";
  if (!pair.mode.empty()) {
    out << "    mode: " << pair.mode << "\n";
  }
  if (pair.armed) {
    out << "    armed: " << yamlBool(*pair.armed) << "\n";
  }
  if (pair.triggers) {
    out << "    triggers: " << yamlList(*pair.triggers) << "\n";
  }
  if (pair.min_dwell_ms) {
    out << "    min_dwell_ms: " << *pair.min_dwell_ms << "\n";
  }
  if (!pair.failback.empty()) {
    out << "    failback: " << pair.failback << "\n";
  }
  if (pair.failback_after_ms) {
    out << "    failback_after_ms: " << *pair.failback_after_ms << "\n";
  }
}

}  // namespace

FacilityConfig FacilityConfig::nPairs(int count, const std::string& router_address) {
  FacilityConfig config;
  config.routers = {{"vh1", router_address, std::nullopt, "", std::nullopt}};
  for (int pair = 0; pair < count; ++pair) {
    config.machines.push_back({mainId(pair), "", 2 * pair + 1});
    config.machines.push_back({backupId(pair), "", 2 * pair + 2});
    Pair settings;
    settings.id = pairId(pair);
    settings.router = "vh1";
    settings.main = mainId(pair);
    settings.backup = backupId(pair);
    settings.outputs = {pair + 1};
    config.pairs.push_back(std::move(settings));
  }
  return config;
}

std::string FacilityConfig::yaml() const {
  std::ostringstream out;
  out << "node_id: " << node_id << "\n";
  if (mqtt) {
    writeMqtt(out, *mqtt);
  }
  if (cluster) {
    out << "cluster: { id: " << cluster->id << ", rank: " << cluster->rank;
    if (cluster->heartbeat_ms) {
      out << ", heartbeat_ms: " << *cluster->heartbeat_ms;
    }
    if (cluster->takeover_after_ms) {
      out << ", takeover_after_ms: " << *cluster->takeover_after_ms;
    }
    out << " }\n";
  }
  if (homeassistant_enabled) {
    out << "homeassistant: { enabled: " << yamlBool(*homeassistant_enabled) << " }\n";
  }
  if (!state_file.empty()) {
    out << "state_file: " << state_file << "\n";
  }
  if (!audit_log.empty()) {
    out << "audit_log: " << audit_log << "\n";
  }
  writeHealth(out, health);
  out << "routers:\n";
  for (const auto& router : routers) {
    out << "  " << router.id << ": { address: " << router.address;
    if (router.write_labels) {
      out << ", write_labels: " << yamlBool(*router.write_labels);
    }
    if (!router.bind_address.empty()) {
      out << ", bind_address: " << router.bind_address;
    }
    if (router.lock_outputs) {
      out << ", lock_outputs: " << yamlBool(*router.lock_outputs);
    }
    out << " }\n";
  }
  out << "machines:\n";
  for (const auto& machine : machines) {
    out << "  " << machine.id << ": { ";
    if (!machine.label.empty()) {
      out << "label: " << machine.label << ", ";
    }
    if (machine.inputs.empty()) {
      out << "input: " << machine.input << " }\n";
      continue;
    }
    out << "inputs: { ";
    for (size_t i = 0; i < machine.inputs.size(); ++i) {
      out << (i == 0 ? "" : ", ") << machine.inputs[i].first << ": " << machine.inputs[i].second;
    }
    out << " } }\n";
  }
  out << "pairs:\n";
  for (const auto& pair : pairs) {
    writePair(out, pair);
  }
  out << extra_yaml;
  return out.str();
}

void FacilityConfig::write(const std::filesystem::path& path) const {
  std::ofstream file(path);
  file << yaml();
  if (!file) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

}  // namespace failover::testing
