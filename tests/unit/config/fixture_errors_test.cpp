// Every validation error, checked against a fixture file with its exact line and column.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.h"
#include "failover/config/loader.h"

namespace failover::config {
namespace {

using ::testing::ElementsAreArray;
using testing::fixturePath;
using testing::renderAs;

struct FixtureCase {
  const char* file;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

class FixtureErrorsTest : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(FixtureErrorsTest, ReportsExactlyTheseDiagnostics) {
  const FixtureCase& expected = GetParam();
  const LoadResult result = loadConfigFile(fixturePath(expected.file));
  EXPECT_THAT(renderAs(result.errors, expected.file), ElementsAreArray(expected.errors));
  EXPECT_THAT(renderAs(result.warnings, expected.file), ElementsAreArray(expected.warnings));
  EXPECT_EQ(result.ok(), expected.errors.empty());
}

const FixtureCase kCases[] = {
    {"syntax_error.yaml",
     {"syntax_error.yaml:4:11: YAML syntax error: end of map flow not found"},
     {}},
    {"unknown_keys.yaml",
     {
         "unknown_keys.yaml:4:3: mqtt.keepalive: unknown key 'keepalive' (did you mean "
         "'keepalive_s'?)",
         "unknown_keys.yaml:6:3: routers.vh1.address: missing required key 'address'",
         "unknown_keys.yaml:6:10: routers.vh1.adress: unknown key 'adress' (did you mean "
         "'address'?)",
         "unknown_keys.yaml:8:23: machines.a-main.colour: unknown key 'colour' (expected one of: "
         "label, input, inputs, features)",
         "unknown_keys.yaml:9:1: pair: unknown key 'pair' (did you mean 'pairs'?)",
     },
     {}},
    {"wrong_types.yaml",
     {
         "wrong_types.yaml:1:1: mqtt: expected a mapping of keys, got 'tcp://127.0.0.1:1883'",
         "wrong_types.yaml:3:29: routers.vh1.enabled: expected true or false, got 'maybe'",
         "wrong_types.yaml:5:13: machines.a-main.input: expected a whole number, got 'abc'",
         "wrong_types.yaml:5:25: machines.a-main.features: expected a list, got a mapping",
         "wrong_types.yaml:6:15: machines.a-backup.input: expected a whole number, got '2.5'",
         "wrong_types.yaml:12:5: pairs.a.outputs: expected a list of outputs or a mapping of "
         "signal: [outputs], got '1'",
         "wrong_types.yaml:13:5: pairs.a.min_dwell_ms: expected a whole number, got '5s'",
     },
     {}},
    {"bad_ids.yaml",
     {
         "bad_ids.yaml:1:1: node_id: invalid id 'Studio 1': use only lower-case letters, digits, "
         "'_' and '-' ([a-z0-9_-]+)",
         "bad_ids.yaml:3:3: routers.VH1: invalid id 'VH1': use only lower-case letters, digits, "
         "'_' and '-' ([a-z0-9_-]+)",
         "bad_ids.yaml:5:3: machines.Green Main: invalid id 'Green Main': use only lower-case "
         "letters, digits, '_' and '-' ([a-z0-9_-]+)",
         "bad_ids.yaml:6:3: machines.green.backup: invalid id 'green.backup': use only lower-case "
         "letters, digits, '_' and '-' ([a-z0-9_-]+)",
     },
     {}},
    {"unknown_references.yaml",
     {
         "unknown_references.yaml:8:5: pairs.green.router: unknown router 'vh2' (did you mean "
         "'vh1'?)",
         "unknown_references.yaml:10:5: pairs.green.backup: unknown machine 'green-bakup' (did "
         "you mean 'green-backup'?)",
         "unknown_references.yaml:13:5: pairs.blue.router: unknown router 'videohub' (routers: "
         "vh1)",
         "unknown_references.yaml:14:5: pairs.blue.main: unknown machine 'blue-main' (machines: "
         "green-main, green-backup)",
     },
     {}},
    {"main_equals_backup.yaml",
     {"main_equals_backup.yaml:9:5: pairs.green.backup: the Backup must be another machine than "
      "the Main ('green-main')"},
     {}},
    {"main_in_two_pairs.yaml",
     {"main_in_two_pairs.yaml:15:5: pairs.green-key.main: machine 'green-main' is already the "
      "Main of pair 'green'; a machine can be Main in one pair only"},
     {}},
    {"shared_input.yaml",
     {"shared_input.yaml:6:16: machines.blue-main.input: input 2 of router 'vh1' is already used "
      "by machine 'green-backup'"},
     {}},
    {"signal_errors.yaml",
     {
         "signal_errors.yaml:7:27: machines.cam-backup.inputs.program: input 13 of router 'vh1' "
         "is already used by machine 'ar-backup' (signal 'fill')",
         "signal_errors.yaml:8:20: machines.odd.inputs: give either 'input' (one program signal) "
         "or 'inputs' (signal: input), not both",
         "signal_errors.yaml:9:31: machines.twin.inputs.key: input 20 of router 'vh1' is already "
         "used by signal 'fill' of this machine",
         "signal_errors.yaml:9:40: machines.twin.inputs.Bad Name: invalid signal name 'Bad Name': "
         "use only lower-case letters, digits, '_' and '-' ([a-z0-9_-]+)",
         "signal_errors.yaml:16:30: pairs.ar.outputs.key: signal 'key' has no input on machine "
         "'ar-backup' (its signals: [fill]); every signal of a pair must exist on its Main and "
         "its Backup",
         "signal_errors.yaml:26:36: pairs.twin.outputs.key[1]: output 4 is listed twice",
         "signal_errors.yaml:26:40: pairs.twin.outputs.empty: signal 'empty' needs at least one "
         "output",
         "signal_errors.yaml:26:40: pairs.twin.outputs.empty: signal 'empty' has no input on "
         "machine 'twin' (its signals: [fill, key, Bad Name]); every signal of a pair must exist "
         "on its Main and its Backup",
         "signal_errors.yaml:26:40: pairs.twin.outputs.empty: signal 'empty' has no input on "
         "machine 'twin-backup' (its signals: [fill, key]); every signal of a pair must exist on "
         "its Main and its Backup",
     },
     {}},
    {"shared_output.yaml",
     {
         "shared_output.yaml:20:18: pairs.blue.outputs[1]: output 2 of router 'vh1' is already "
         "switched by pair 'green'",
         "shared_output.yaml:25:21: pairs.red.outputs[2]: output 4 is listed twice",
     },
     {}},
    {"bad_ports.yaml",
     {
         "bad_ports.yaml:2:10: routers.vh1.address: invalid port in '10.0.0.5:0': expected "
         "1..65535",
         "bad_ports.yaml:3:10: routers.vh2.address: invalid port in '10.0.0.6:': expected "
         "1..65535",
         "bad_ports.yaml:4:10: routers.vh3.address: invalid address '::1:9990': write an IPv6 "
         "address as [ADDR]:PORT",
         "bad_ports.yaml:6:17: machines.green-main.input: 0 is out of range: expected 1..288 "
         "(1-based router input)",
         "bad_ports.yaml:7:19: machines.green-backup.input: -2 is out of range: expected 1..288 "
         "(1-based router input)",
         "bad_ports.yaml:8:16: machines.blue-main.input: 289 is out of range: expected 1..288 "
         "(1-based router input)",
         "bad_ports.yaml:14:15: pairs.green.outputs[0]: output 0 is out of range: expected 1..288 "
         "(1-based router output)",
         "bad_ports.yaml:14:18: pairs.green.outputs[1]: output -1 is out of range: expected "
         "1..288 (1-based router output)",
         "bad_ports.yaml:14:22: pairs.green.outputs[2]: output 300 is out of range: expected "
         "1..288 (1-based router output)",
     },
     {}},
    {"bad_timeouts.yaml",
     {
         "bad_timeouts.yaml:2:3: mqtt.keepalive_s: 0 is out of range: expected 1..3600 s",
         "bad_timeouts.yaml:4:3: health.stale_after_ms: 10 is out of range: expected 50..600000 "
         "ms",
         "bad_timeouts.yaml:5:3: health.startup_grace_ms: -1 is out of range: expected "
         "0..600000 ms",
         "bad_timeouts.yaml:6:3: health.reconnect_grace_ms: 600001 is out of range: expected "
         "0..600000 ms",
         "bad_timeouts.yaml:7:3: health.diagnostics_stale_after_ms: 20 is out of range: "
         "expected 50..600000 ms",
         "bad_timeouts.yaml:8:3: health.confirm_fail_ms: -1 is out of range: expected "
         "0..600000 ms",
         "bad_timeouts.yaml:9:3: health.offline_confirm_ms: 10001 is out of range: expected "
         "0..10000 ms",
         "bad_timeouts.yaml:21:5: pairs.a.failback_after_ms: 86400001 is out of range: expected "
         "0..86400000 ms",
         "bad_timeouts.yaml:22:5: pairs.a.min_dwell_ms: -5 is out of range: expected 0..3600000 "
         "ms",
         "bad_timeouts.yaml:27:5: rules[0].for_ms: number '99999999999999999999' is out of range",
     },
     {}},
    {"bad_rules.yaml",
     {
         "bad_rules.yaml:3:5: rules[0].source: unknown source 'diag' (did you mean "
         "'diagnostics'?)",
         "bad_rules.yaml:4:49: rules[0].when.op: unknown operator '=>' (did you mean '>'?)",
         "bad_rules.yaml:5:5: rules[1].name: duplicate rule name 'hot' (also rules[0])",
         "bad_rules.yaml:6:5: rules[1].source: unknown source 'status' (expected one of: engine, "
         "videoio, network, diagnostics)",
         "bad_rules.yaml:7:26: rules[1].when.op: operator '>' needs a number value; use == or != "
         "for text and bools",
         "bad_rules.yaml:8:5: rules[1].severity: unknown severity 'fatal' (expected one of: "
         "critical, warning)",
         "bad_rules.yaml:11:5: rules[2].when.value: missing required key 'value'",
         "bad_rules.yaml:12:5: rules[3].name: missing required key 'name'",
         "bad_rules.yaml:13:38: rules[3].when.value: expected a number, a string, true or false, "
         "got a list",
     },
     {}},
    {"bad_topics.yaml",
     {
         "bad_topics.yaml:2:3: mqtt.server: invalid server URI 'mqtt://broker:1883': expected "
         "tcp://, ssl://, ws:// or wss:// then HOST:PORT",
         "bad_topics.yaml:3:3: mqtt.base_topic: base_topic 'failover/#' must not contain the "
         "wildcards + or #",
         "bad_topics.yaml:4:3: mqtt.client_id: client_id must not be empty (leave it out for "
         "failover-<node_id>)",
         "bad_topics.yaml:5:3: mqtt.version: unknown MQTT version '4' (expected 5, or 3 for "
         "3.1.1)",
         "bad_topics.yaml:6:39: mqtt.response_topic_prefixes[1]: a response topic prefix "
         "'+/reply' must not contain the wildcards + or #",
         "bad_topics.yaml:8:3: homeassistant.discovery_prefix: discovery_prefix must not be empty",
         "bad_topics.yaml:11:5: health.topics.engine: health topic 'render/engine' must contain "
         "{machine}",
         "bad_topics.yaml:12:5: health.topics.videoio: a health topic 'render/+/videoio' must "
         "not contain the wildcards + or #",
     },
     {}},
    {"empty_outputs.yaml",
     {"empty_outputs.yaml:11:5: pairs.a.outputs: a pair needs at least one output"},
     {}},
    {"missing_required.yaml",
     {
         "missing_required.yaml:2:3: routers.vh1.address: missing required key 'address'",
         "missing_required.yaml:4:3: machines.a-main.input: missing required key 'input' (or "
         "'inputs' for a machine with several signals)",
         "missing_required.yaml:7:3: pairs.a.router: missing required key 'router'",
         "missing_required.yaml:7:3: pairs.a.main: missing required key 'main'",
         "missing_required.yaml:7:3: pairs.a.backup: missing required key 'backup'",
         "missing_required.yaml:7:3: pairs.a.outputs: missing required key 'outputs'",
         "missing_required.yaml:11:5: pairs.b.main: required value is empty",
     },
     {}},
    {"duplicate_keys.yaml",
     {
         "duplicate_keys.yaml:6:25: machines.a-backup.input: duplicate key (first at line 6, "
         "column 15)",
         "duplicate_keys.yaml:7:3: machines.a-main: duplicate id (first at line 5, column 3)",
         "duplicate_keys.yaml:8:1: node_id: duplicate key (first at line 1, column 1)",
     },
     {}},
    {"feature_mismatch.yaml",
     {},
     {"feature_mismatch.yaml:12:5: pairs.green.backup: warning: features of Main 'green-main' "
      "[ar, virtual-set] and Backup 'green-backup' [ar] differ (licence mismatch); the Backup "
      "lacks [virtual-set]"}},
    {"shared_backup.yaml", {}, {}},
    {"valid_minimal.yaml", {}, {}},
    {"bad_cluster.yaml",
     {
         "bad_cluster.yaml:3:3: cluster.id: invalid id 'Studio A': use only lower-case letters, "
         "digits, '_' and '-' ([a-z0-9_-]+)",
         "bad_cluster.yaml:4:3: cluster.rank: 0 is out of range: expected 1..999 (1 = preferred)",
         "bad_cluster.yaml:5:3: cluster.heartbeat_ms: 10 is out of range: expected 20..10000 ms",
         "bad_cluster.yaml:6:3: cluster.takeover_after_ms: 20 is out of range: expected "
         "60..60000 ms",
         "bad_cluster.yaml:9:3: mqtt.servers: give either 'server' or 'servers' (a list), not "
         "both",
         "bad_cluster.yaml:11:29: routers.vh1.bind_address: invalid bind_address "
         "'10.0.0.11:9990': expected an IPv4 or IPv6 address of this host, e.g. 10.0.0.11 (no "
         "port)",
         "bad_cluster.yaml:11:59: routers.vh1.lock_outputs: expected true or false, got 'maybe'",
         "bad_cluster.yaml:12:29: routers.vh2.bind_address: invalid bind_address 'fe80::1%eth0': "
         "expected an IPv4 or IPv6 address of this host, e.g. 10.0.0.11 (no port)",
     },
     {}},
    {"bad_servers.yaml",
     {
         "bad_servers.yaml:4:7: mqtt.servers[1]: invalid server URI 'mqtt://127.0.0.1:1884': "
         "expected tcp://, ssl://, ws:// or wss:// then HOST:PORT",
         "bad_servers.yaml:5:7: mqtt.servers[2]: server 'tcp://127.0.0.1:1883' is listed twice",
         "bad_servers.yaml:6:7: mqtt.servers[3]: expected a string, got a list",
         "bad_servers.yaml:11:3: cluster.takeover_after_ms: 500 ms is too short for heartbeat_ms "
         "200: it must be at least 3 heartbeats (600 ms), or one late heartbeat would look like "
         "a dead node",
     },
     {}},
    {"cluster.yaml", {}, {}},
};

// "bad_ports.yaml" -> "BadPorts": readable test names.
std::string caseName(const ::testing::TestParamInfo<FixtureCase>& param) {
  const std::string file = param.param.file;
  std::string camel;
  bool upper = true;
  for (const char c : file.substr(0, file.find('.'))) {
    if (c == '_') {
      upper = true;
    } else {
      camel += upper ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  return camel;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureErrorsTest, ::testing::ValuesIn(kCases), caseName);

// One file with many mistakes: every one is reported in a single run, in file order.
TEST(ManyErrorsTest, ReportsEveryErrorOfAFileAtOnceInFileOrder) {
  const LoadResult result = loadConfigFile(fixturePath("many_errors.yaml"));
  const auto errors = renderAs(result.errors, "many_errors.yaml");
  ASSERT_EQ(errors.size(), 22U);
  EXPECT_EQ(errors.front(),
            "many_errors.yaml:1:1: node_id: invalid id 'Lab': use only lower-case letters, "
            "digits, '_' and '-' ([a-z0-9_-]+)");
  EXPECT_EQ(errors[8],
            "many_errors.yaml:17:5: pairs.green.backup: unknown machine 'green-bakup' (did you "
            "mean 'green-backup'?)");
  EXPECT_EQ(errors.back(),
            "many_errors.yaml:38:5: rules[1].for_ms: -1 is out of range: expected 0..3600000 ms");
  for (std::size_t i = 1; i < result.errors.size(); ++i) {
    const Position before = result.errors[i - 1].position;
    const Position now = result.errors[i].position;
    EXPECT_TRUE(before.line < now.line || (before.line == now.line && before.column <= now.column))
        << errors[i];
  }
  EXPECT_EQ(result.warnings.size(), 1U);
}

}  // namespace
}  // namespace failover::config
