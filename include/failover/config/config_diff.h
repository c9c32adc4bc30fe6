#pragma once

// What a configuration reload changes (SPEC 8.3): the settings a running node cannot take
// over without a restart, and which pairs, routers and machines a new configuration adds,
// removes, changes or leaves as they were. Pure: it compares two validated Configs.
//
// Run-time settings (a pair's mode and armed, a router's enabled) are not part of the
// comparison: the running values, set over MQTT and kept in the state file, win over the
// file's for every pair and router that stays, as they do over a restart.

#include <string>
#include <vector>

#include "failover/config/config.h"

namespace failover::config {

// Ids of one kind of item, by what the new configuration does to them. Added, changed and
// unchanged are in the new file's order, removed in the old file's.
struct IdChanges {
  std::vector<std::string> added;
  std::vector<std::string> removed;
  std::vector<std::string> changed;
  std::vector<std::string> unchanged;
  friend bool operator==(const IdChanges&, const IdChanges&) = default;
};

struct ConfigDiff {
  // A pair is changed when its own settings (other than mode and armed) differ, or those of
  // its router or of one of its machines, or the rules.
  IdChanges pairs;
  // A router is changed when its address, force_unlock or write_labels differ: its
  // connection is then made again.
  IdChanges routers;
  // A machine is changed when its label, inputs or features differ. A machine's health is
  // kept whenever its id stays.
  IdChanges machines;
  bool rules_changed = false;
  friend bool operator==(const ConfigDiff&, const ConfigDiff&) = default;
};

ConfigDiff diffConfigs(const Config& running, const Config& next);

// The settings of `next` that differ from `running` and that a running node cannot change
// (node_id, the broker connection under mqtt, homeassistant, state_file, health.topics), as key
// paths
// ("mqtt.server"), in a fixed order. Empty when `next` may be applied.
std::vector<std::string> fixedSettingsChanged(const Config& running, const Config& next);

}  // namespace failover::config
