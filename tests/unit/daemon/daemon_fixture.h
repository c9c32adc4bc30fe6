#pragma once

// Configurations for the daemon's tests, built from YAML text the way the node gets them.

#include <string>

#include <gtest/gtest.h>

#include "failover/config/config.h"
#include "failover/config/loader.h"

namespace failover::daemon::testing {

// One pair "green" (green-main on input 1, green-backup on input 2, outputs 1 and 2) on
// router vh1; stale 500 ms, grace 2000 ms; a diagnostics rule on the GPU temperature and an
// engine rule on a nested string field.
inline constexpr const char* kOnePairYaml = R"(
node_id: fo1
mqtt:
  base_topic: failover
  response_topic_prefixes: [clients/]
homeassistant: { enabled: true, discovery_prefix: homeassistant }
health:
  stale_after_ms: 500
  startup_grace_ms: 2000
routers:
  vh1: { address: 127.0.0.1:9990 }
machines:
  green-main:   { label: Green Main,   input: 1, features: [ar] }
  green-backup: { label: Green Backup, input: 2, features: [ar] }
pairs:
  green:
    router: vh1
    main: green-main
    backup: green-backup
    outputs: [1, 2]
    mode: auto
    armed: true
    triggers: [engine, videoio, network, critical]
    min_dwell_ms: 5000
rules:
  - name: gpu-overheat
    source: diagnostics
    when: { field: parameters.gpu_temp_c.value, op: ">", value: 95 }
    for_ms: 2000
    severity: critical
  - name: engine-build
    source: engine
    when: { field: build.channel, op: "==", value: beta }
    severity: warning
)";

// Two pairs on two routers: green (outputs 1, 2 on vh1) and blue (output 5 on vh2).
inline constexpr const char* kTwoPairYaml = R"(
node_id: fo2
mqtt:
  base_topic: studio/failover
homeassistant: { enabled: false }
health:
  topics:
    engine: agents/{machine}/engine/state
    status: agents/{machine}/lwt
  stale_after_ms: 500
  startup_grace_ms: 1000
routers:
  vh1: { address: 127.0.0.1:9990 }
  vh2: { address: 127.0.0.1:9991 }
machines:
  green-main:   { input: 1 }
  green-backup: { input: 2 }
  blue-main:    { input: 3 }
  blue-backup:  { input: 4 }
pairs:
  green:
    router: vh1
    main: green-main
    backup: green-backup
    outputs: [1, 2]
  blue:
    router: vh2
    main: blue-main
    backup: blue-backup
    outputs: [5]
)";

inline config::Config loadConfig(const std::string& yaml) {
  auto result = config::loadConfigString(yaml, "test.yaml");
  for (const auto& error : result.errors) {
    ADD_FAILURE() << "config error: " << error.render();
  }
  return result.config;
}

}  // namespace failover::daemon::testing
