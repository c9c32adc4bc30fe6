// Loading: defaults, the shipped examples, the summary line and files that are not
// configurations at all.

#include "failover/config/loader.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "config_test_support.h"
#include "support/temp_dir.h"

namespace failover::config {
namespace {

using failover::testing::TempDir;
using ::testing::ElementsAre;
using testing::fixturePath;
using ::testing::HasSubstr;
using testing::renderAs;

std::string sourcePath(const std::string& relative) {
  return std::string(FAILOVER_SOURCE_DIR) + "/" + relative;
}

// Loads `text` and expects no errors.
Config loadClean(const std::string& text) {
  const LoadResult result = loadConfigString(text, "test.yaml");
  for (const auto& line : renderAs(result.errors, "test.yaml")) {
    ADD_FAILURE() << line;
  }
  return result.config;
}

// Loads `text` and returns its single error line.
std::string loadOneError(const std::string& text) {
  const LoadResult result = loadConfigString(text, "test.yaml");
  EXPECT_EQ(result.errors.size(), 1U);
  return result.errors.empty() ? "" : result.errors.front().render();
}

// TLS settings with a tcp:// server would connect unencrypted without a word: warn.
TEST(LoaderTest, WarnsWhenTlsIsSetButTheServerIsNotEncrypted) {
  const std::string machines =
      "routers: { vh1: { address: 10.0.0.5 } }\n"
      "machines: { a-main: { input: 1 }, a-backup: { input: 2 } }\n"
      "pairs: { a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] } }\n";
  const LoadResult plain = loadConfigString(
      "mqtt: { server: 'tcp://broker:1883', tls: { ca_file: /etc/ca.crt } }\n" + machines,
      "test.yaml");
  EXPECT_TRUE(plain.errors.empty());
  ASSERT_EQ(plain.warnings.size(), 1U);
  EXPECT_THAT(
      plain.warnings.front().render(),
      ::testing::HasSubstr("mqtt.tls: warning: tls is set but mqtt.server tcp://broker:1883 is not "
                           "encrypted: use ssl://"));
  const LoadResult encrypted = loadConfigString(
      "mqtt: { server: 'ssl://broker:8883', tls: { ca_file: /etc/ca.crt } }\n" + machines,
      "test.yaml");
  EXPECT_TRUE(encrypted.errors.empty());
  EXPECT_TRUE(encrypted.warnings.empty());
}

TEST(LoaderTest, AppliesDefaultsToEverythingLeftOut) {
  const Config config = loadClean(
      "routers: { vh1: { address: 10.0.0.5 } }\n"
      "machines: { a-main: { input: 1 }, a-backup: { input: 2 } }\n"
      "pairs: { a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] } }\n");
  EXPECT_EQ(config.node_id, "fo1");
  EXPECT_EQ(config.mqtt.server, "tcp://127.0.0.1:1883");
  EXPECT_EQ(config.mqtt.base_topic, "failover");
  EXPECT_EQ(config.mqtt.client_id, "failover-fo1");
  EXPECT_EQ(config.mqtt.version, MqttVersion::V5);
  EXPECT_EQ(config.mqtt.keepalive_s, 10);
  EXPECT_FALSE(config.mqtt.tls.has_value());
  EXPECT_TRUE(config.homeassistant.enabled);
  EXPECT_EQ(config.homeassistant.discovery_prefix, "homeassistant");
  EXPECT_EQ(config.state_file, "");
  EXPECT_EQ(config.audit_log, "");
  EXPECT_EQ(config.audit_log_max_mb, 10);
  EXPECT_EQ(config.audit_log_keep, 5);
  EXPECT_EQ(config.health.topics.at(Check::Engine), "render/{machine}/engine");
  EXPECT_EQ(config.health.topics.at(Check::Diagnostics), "diagnostics/{machine}/health");
  EXPECT_EQ(config.health.stale_after_ms, 500);
  EXPECT_EQ(config.health.startup_grace_ms, 2000);
  EXPECT_EQ(config.health.reconnect_grace_ms, 2000);
  EXPECT_EQ(config.health.diagnostics_stale_after_ms, 5000);
  EXPECT_EQ(config.health.confirm_fail_ms, 0);
  EXPECT_EQ(config.health.offline_confirm_ms, 250);

  ASSERT_EQ(config.routers.size(), 1U);
  EXPECT_EQ(config.routers[0].host, "10.0.0.5");
  EXPECT_EQ(config.routers[0].port, 9990);
  EXPECT_TRUE(config.routers[0].enabled);
  EXPECT_FALSE(config.routers[0].force_unlock);
  EXPECT_FALSE(config.routers[0].write_labels);

  ASSERT_EQ(config.machines.size(), 2U);
  EXPECT_EQ(config.machines[0].label, "a-main");  // the label defaults to the id
  EXPECT_TRUE(config.machines[0].features.empty());

  ASSERT_EQ(config.pairs.size(), 1U);
  const PairSettings& pair = config.pairs[0];
  EXPECT_EQ(pair.mode, FailoverMode::Auto);
  EXPECT_TRUE(pair.armed);
  EXPECT_FALSE(pair.require_live);
  EXPECT_THAT(pair.triggers, ElementsAre(Trigger::Engine, Trigger::VideoIo, Trigger::Network));
  EXPECT_EQ(pair.failback, FailbackMode::Manual);
  EXPECT_EQ(pair.failback_after_ms, 30000);
  EXPECT_EQ(pair.min_dwell_ms, 5000);
  EXPECT_TRUE(config.rules.empty());
}

TEST(LoaderTest, ClientIdDefaultsToTheNodeId) {
  EXPECT_EQ(loadClean("node_id: studio-a\n").mqtt.client_id, "failover-studio-a");
  EXPECT_EQ(loadClean("node_id: studio-a\nmqtt: { client_id: mine }\n").mqtt.client_id, "mine");
  // Only a client id left to the default gets the process instance added in a cluster.
  EXPECT_TRUE(loadClean("node_id: studio-a\n").mqtt.client_id_defaulted);
  EXPECT_FALSE(loadClean("node_id: studio-a\nmqtt: { client_id: failover-studio-a }\n")
                   .mqtt.client_id_defaulted);
}

TEST(LoaderTest, ExampleConfigurationLoadsCleanWithEveryKeySet) {
  const LoadResult result = loadConfigFile(sourcePath("config/example.yaml"));
  EXPECT_THAT(renderAs(result.errors, "example.yaml"), ElementsAre());
  EXPECT_THAT(renderAs(result.warnings, "example.yaml"), ElementsAre());
  const Config& config = result.config;
  EXPECT_EQ(config.mqtt.username, "fo1");
  EXPECT_EQ(config.mqtt.password_file, "/etc/failover-node/mqtt.pass");
  EXPECT_EQ(config.audit_log, "/var/lib/failover-node/audit.jsonl");
  ASSERT_TRUE(config.mqtt.tls.has_value());
  EXPECT_EQ(config.mqtt.tls->ca_file, "/etc/failover-node/ca.pem");
  EXPECT_TRUE(config.mqtt.tls->verify);
  EXPECT_THAT(config.mqtt.response_topic_prefixes, ElementsAre("nodered/"));
  ASSERT_GE(config.pairs.size(), 2U);
  EXPECT_EQ(config.pairs[1].backup, config.pairs[0].backup);  // N:1 is allowed
  EXPECT_EQ(config.pairs[1].mode, FailoverMode::Manual);
  EXPECT_EQ(config.pairs[1].failback, FailbackMode::Auto);
  EXPECT_TRUE(config.pairs[1].require_live);
  ASSERT_EQ(config.rules.size(), 1U);
  EXPECT_EQ(config.rules[0].field, "parameters.gpu_temp_c.value");
  EXPECT_EQ(config.rules[0].op, Operator::Greater);
  EXPECT_EQ(config.rules[0].value.number, 95.0);
  EXPECT_EQ(config.rules[0].for_ms, 2000);
  EXPECT_EQ(config.health.diagnostics_stale_after_ms, 10000);
  EXPECT_EQ(config.health.confirm_fail_ms, 0);
  ASSERT_EQ(config.pairs.size(), 3U);
  EXPECT_THAT(pairSignals(config.pairs[2]),
              ElementsAre(SignalOutputs{"fill", {5, 7}}, SignalOutputs{"key", {6}}));
  EXPECT_EQ(inputOf(*config.findMachine("ar-backup"), "key"), 14);
  EXPECT_EQ(summarize(config), "3 pairs, 5 machines, 1 router");
}

TEST(LoaderTest, LabConfigurationDescribesTheLab) {
  const LoadResult result = loadConfigFile(sourcePath("config/lab.yaml"));
  EXPECT_THAT(renderAs(result.errors, "lab.yaml"), ElementsAre());
  EXPECT_THAT(renderAs(result.warnings, "lab.yaml"), ElementsAre());
  const Config& config = result.config;
  EXPECT_EQ(config.node_id, "lab");
  EXPECT_EQ(config.mqtt.server, "tcp://127.0.0.1:18830");
  EXPECT_EQ(config.state_file, "/tmp/failover-lab/state.json");
  EXPECT_EQ(config.health.stale_after_ms, 500);
  EXPECT_EQ(config.health.startup_grace_ms, 2000);
  ASSERT_EQ(config.routers.size(), 1U);
  EXPECT_EQ(config.routers[0].id, "vh1");
  EXPECT_EQ(config.routers[0].host, "127.0.0.1");
  EXPECT_EQ(config.routers[0].port, 19990);
  ASSERT_EQ(config.machines.size(), 4U);
  EXPECT_EQ(config.machines[0].id, "green-main");  // file order is kept
  EXPECT_EQ(config.machines[3].id, "blue-backup");
  EXPECT_EQ(config.machines[3].input, 4);
  ASSERT_EQ(config.pairs.size(), 2U);
  EXPECT_EQ(config.pairs[0].id, "green");
  EXPECT_THAT(config.pairs[0].outputs, ElementsAre(1, 2));
  EXPECT_EQ(config.pairs[1].id, "blue");
  EXPECT_THAT(config.pairs[1].outputs, ElementsAre(3, 4));
  for (const auto& pair : config.pairs) {
    EXPECT_EQ(pair.mode, FailoverMode::Auto);
    EXPECT_TRUE(pair.armed);
    EXPECT_THAT(pair.triggers, ElementsAre(Trigger::Engine, Trigger::VideoIo, Trigger::Network,
                                           Trigger::Critical));
  }
  ASSERT_EQ(config.rules.size(), 1U);
  EXPECT_EQ(config.rules[0].name, "gpu-overheat");
  EXPECT_EQ(config.rules[0].severity, Severity::Critical);
  EXPECT_EQ(summarize(config), "2 pairs, 4 machines, 1 router");
}

TEST(LoaderTest, ReadsSignalsInBothForms) {
  const LoadResult result = loadConfigFile(fixturePath("fill_key.yaml"));
  EXPECT_THAT(renderAs(result.errors, "fill_key.yaml"), ElementsAre());
  const Config& config = result.config;
  ASSERT_EQ(config.machines.size(), 4U);
  const MachineSettings& ar_main = config.machines[0];
  EXPECT_THAT(ar_main.inputs,
              ElementsAre(SignalInput{"fill", 11}, SignalInput{"key", 12}));  // file order
  EXPECT_EQ(inputOf(ar_main, "key"), 12);
  EXPECT_EQ(inputOf(ar_main, "program"), std::nullopt);
  const MachineSettings& cam_main = config.machines[2];
  EXPECT_THAT(machineInputs(cam_main), ElementsAre(SignalInput{"program", 5}));
  EXPECT_THAT(machineInputs(config.machines[3]), ElementsAre(SignalInput{"program", 6}));

  ASSERT_EQ(config.pairs.size(), 2U);
  const PairSettings& ar = config.pairs[0];
  EXPECT_THAT(pairSignals(ar),
              ElementsAre(SignalOutputs{"fill", {1, 7}}, SignalOutputs{"key", {2}}));
  EXPECT_THAT(ar.outputs, ElementsAre(1, 7, 2)) << "every output, switched together";
  const PairSettings& cam = config.pairs[1];
  EXPECT_THAT(pairSignals(cam), ElementsAre(SignalOutputs{"program", {3}}));
  EXPECT_THAT(cam.outputs, ElementsAre(3));
}

TEST(LoaderTest, SummaryUsesSingularAndPlural) {
  Config config;
  EXPECT_EQ(summarize(config), "0 pairs, 0 machines, 0 routers");
  config.pairs.resize(1);
  config.machines.resize(2);
  config.routers.resize(1);
  EXPECT_EQ(summarize(config), "1 pair, 2 machines, 1 router");
  config.pairs.resize(3);
  config.machines.resize(1);
  config.routers.resize(2);
  EXPECT_EQ(summarize(config), "3 pairs, 1 machine, 2 routers");
}

TEST(LoaderTest, ReadsRouterAddressForms) {
  const Config config = loadClean(
      "routers:\n"
      "  a: { address: vh.studio.local }\n"
      "  b: { address: \"10.0.0.7:9991\" }\n"
      "  c: { address: \"[::1]:9992\" }\n"
      "  d: { address: \"[fe80::1]\" }\n");
  ASSERT_EQ(config.routers.size(), 4U);
  EXPECT_EQ(config.routers[0].host, "vh.studio.local");
  EXPECT_EQ(config.routers[0].port, 9990);
  EXPECT_EQ(config.routers[1].host, "10.0.0.7");
  EXPECT_EQ(config.routers[1].port, 9991);
  EXPECT_EQ(config.routers[2].host, "::1");
  EXPECT_EQ(config.routers[2].port, 9992);
  EXPECT_EQ(config.routers[3].host, "fe80::1");
  EXPECT_EQ(config.routers[3].port, 9990);
}

TEST(LoaderTest, NamesWhatIsWrongWithARouterAddress) {
  const auto error = [](const std::string& address) {
    return loadOneError("routers: { a: { address: \"" + address + "\" } }\n");
  };
  EXPECT_THAT(error("[::1"), HasSubstr("invalid address '[::1': missing ']'"));
  EXPECT_THAT(error("[::1]x"), HasSubstr("invalid address '[::1]x': expected HOST:PORT"));
  EXPECT_THAT(error("fe80::1"), HasSubstr("write an IPv6 address as [ADDR]:PORT"));
  EXPECT_THAT(error("a b:1"), HasSubstr("expected HOST:PORT, e.g. 10.0.0.5:9990"));
  EXPECT_THAT(error(":9990"), HasSubstr("expected HOST:PORT, e.g. 10.0.0.5:9990"));
  for (const std::string bad_port : {"h:", "h:0", "h:65536", "h:12a", "h:+80", "[::1]:"}) {
    EXPECT_THAT(error(bad_port), HasSubstr("invalid port in '" + bad_port + "'"));
  }
}

TEST(LoaderTest, ChecksTheHostAndPortOfTheServerUri) {
  const std::string router = "routers: { vh1: { address: 10.0.0.5 } }\n";
  loadClean("mqtt: { server: 'ws://broker:9001/mqtt' }\n" + router);
  loadClean("mqtt: { server: 'ssl://[::1]' }\n" + router);
  EXPECT_THAT(loadOneError("mqtt: { server: 'tcp://broker:0' }\n" + router),
              HasSubstr("mqtt.server: invalid server URI 'tcp://broker:0': port out of range"));
  EXPECT_THAT(loadOneError("mqtt: { server: 'tcp://::1:1883' }\n" + router),
              HasSubstr("write an IPv6 address as [ADDR]:PORT"));
  EXPECT_THAT(loadOneError("mqtt: { server: 'tcp://:1883' }\n" + router),
              HasSubstr("the host is missing"));
}

TEST(LoaderTest, RuleValueKeepsItsType) {
  const Config config = loadClean(
      "rules:\n"
      "  - { name: n, source: diagnostics, when: { field: t, op: \">=\", value: -2.5 } }\n"
      "  - { name: s, source: engine, when: { field: mode, op: \"!=\", value: live } }\n"
      "  - { name: q, source: engine, when: { field: code, op: \"==\", value: \"95\" } }\n"
      "  - { name: b, source: network, when: { field: up, op: \"==\", value: false } }\n");
  ASSERT_EQ(config.rules.size(), 4U);
  EXPECT_EQ(config.rules[0].value.number, -2.5);
  EXPECT_EQ(config.rules[0].op, Operator::GreaterEqual);
  EXPECT_EQ(config.rules[1].value.text, "live");
  EXPECT_EQ(config.rules[1].source, Check::Engine);
  EXPECT_EQ(config.rules[2].value.text, "95");  // quoted: text, not a number
  EXPECT_FALSE(config.rules[2].value.number.has_value());
  EXPECT_EQ(config.rules[3].value.boolean, false);
}

TEST(LoaderTest, AcceptsMqtt311AndQuotedIntegers) {
  const Config config = loadClean("mqtt: { version: 3, keepalive_s: \"30\" }\n");
  EXPECT_EQ(config.mqtt.version, MqttVersion::V311);
  EXPECT_EQ(config.mqtt.keepalive_s, 30);
  EXPECT_EQ(loadClean("mqtt: { version: 3.1.1 }\n").mqtt.version, MqttVersion::V311);
}

TEST(LoaderTest, ReadsTheAuditLogSettings) {
  const Config config = loadClean(
      "audit_log: /var/log/failover-node/audit.jsonl\naudit_log_max_mb: 50\naudit_log_keep: 9\n");
  EXPECT_EQ(config.audit_log, "/var/log/failover-node/audit.jsonl");
  EXPECT_EQ(config.audit_log_max_mb, 50);
  EXPECT_EQ(config.audit_log_keep, 9);
}

TEST(LoaderTest, AuditLogSettingsOutOfRangeAreErrors) {
  EXPECT_EQ(loadOneError("audit_log: a.jsonl\naudit_log_max_mb: 0\n"),
            "test.yaml:2:1: audit_log_max_mb: 0 is out of range: expected 1..10240 MB");
  EXPECT_EQ(loadOneError("audit_log: a.jsonl\naudit_log_keep: 0\n"),
            "test.yaml:2:1: audit_log_keep: 0 is out of range: expected 1..100 files");
  EXPECT_EQ(loadOneError("audit_log: s.json\nstate_file: s.json\n"),
            "test.yaml:1:1: audit_log: audit_log and state_file must be different files");
  EXPECT_EQ(loadOneError("audit_log: [a, b]\n"),
            "test.yaml:1:1: audit_log: expected a string, got a list");
}

TEST(LoaderTest, AuditLogLimitsWithoutAnAuditLogAreWarnedAbout) {
  const LoadResult result = loadConfigString("audit_log_keep: 3\n", "test.yaml");
  EXPECT_THAT(renderAs(result.errors, "test.yaml"), ElementsAre());
  EXPECT_THAT(renderAs(result.warnings, "test.yaml"),
              ElementsAre("test.yaml:1:1: audit_log_keep: warning: audit_log_keep has no effect "
                          "without audit_log"));
}

TEST(LoaderTest, EmptyValueKeepsTheDefault) {
  const Config config = loadClean("mqtt:\n  username:\n  base_topic: ~\n");
  EXPECT_EQ(config.mqtt.username, "");
  EXPECT_EQ(config.mqtt.base_topic, "failover");
}

TEST(LoaderTest, UnknownTopLevelKeyWithoutCloseMatchListsTheValidKeys) {
  EXPECT_EQ(loadOneError("zzz: 1\n"),
            "test.yaml:1:1: zzz: unknown key 'zzz' (expected one of: node_id, cluster, mqtt, "
            "homeassistant, state_file, audit_log, audit_log_max_mb, audit_log_keep, health, "
            "routers, ...)");
}

TEST(LoaderTest, DiagnosticsStayOneLineWhateverTheKeysHold) {
  EXPECT_EQ(loadOneError("\"bad\\nkey\\t\": 1\n"),
            "test.yaml:1:1: bad\\nkey\\t: unknown key 'bad key ' (expected one of: node_id, "
            "cluster, mqtt, homeassistant, state_file, audit_log, audit_log_max_mb, "
            "audit_log_keep, health, routers, ...)");
}

TEST(LoaderTest, MalformedEntryIsReportedOnceNotPerMissingValue) {
  EXPECT_EQ(loadOneError("rules:\n  - gpu-overheat\n"),
            "test.yaml:2:5: rules[0]: expected a mapping of keys, got 'gpu-overheat'");
  EXPECT_EQ(loadOneError("machines:\n  a: 5\n"),
            "test.yaml:2:3: machines.a: expected a mapping of keys, got '5'");
}

TEST(LoaderTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(loadOneError("- a\n- b\n"),
            "test.yaml:1:1: expected a mapping of settings at the top level, got a list");
  EXPECT_EQ(loadOneError("just words\n"),
            "test.yaml:1:1: expected a mapping of settings at the top level, got a single value");
}

TEST(LoaderTest, OnlyOneDocumentPerFile) {
  EXPECT_EQ(loadOneError("node_id: a\n---\nnode_id: b\n"),
            "test.yaml:2:1: the file holds more than one YAML document; use one");
}

// yaml-cpp 0.7's LoadAll loops forever on these; the loader must not.
TEST(LoaderTest, StrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_EQ(loadOneError(",\n"), "test.yaml:1:1: YAML syntax error: unexpected character");
  EXPECT_EQ(loadOneError(", a -b"), "test.yaml:1:1: YAML syntax error: unexpected character");
  EXPECT_EQ(loadOneError("# comment\n\n, '_' -b"),
            "test.yaml:3:1: YAML syntax error: unexpected character");
}

TEST(LoaderTest, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = "a: " + std::string(100000, '[') + "\n";
  const LoadResult result = loadConfigString(deep, "deep.yaml");
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_THAT(result.errors[0].render(), HasSubstr("deep.yaml:"));
}

TEST(LoaderTest, ErrorsAreCappedWithALastLineSayingSo) {
  std::string text = "machines:\n";
  for (int i = 0; i < 500; ++i) {
    text += "  m" + std::to_string(i) + ": { input: x }\n";
  }
  const LoadResult result = loadConfigString(text, "many.yaml");
  ASSERT_EQ(result.errors.size(), kMaxReportedErrors + 1);
  EXPECT_EQ(result.errors.back().message, "too many errors; stopped reporting");
}

// Files near the size limit full of cross-reference mistakes must still be checked quickly:
// no check may be quadratic in the number of machines, pairs or outputs.
TEST(LoaderScaleTest, LargeFileOfMistakesIsCheckedQuickly) {
  std::string text = "routers: { vh1: { address: 10.0.0.5 } }\nmachines:\n";
  for (int i = 0; i < 12000; ++i) {
    text += "  m" + std::to_string(i) + ": { input: 1 }\n";
  }
  text += "pairs:\n";
  for (int i = 0; i < 8000; ++i) {
    const std::string n = std::to_string(i);
    text += "  p" + n + ": { router: vh1, main: m" + n + ", backup: x" + n + ", outputs: [1] }\n";
  }
  ASSERT_LT(text.size(), kMaxConfigBytes);
  const auto start = std::chrono::steady_clock::now();
  const LoadResult result = loadConfigString(text, "large.yaml");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  ASSERT_EQ(result.errors.size(), kMaxReportedErrors + 1);
  EXPECT_EQ(result.errors.back().message, "too many errors; stopped reporting");
  EXPECT_EQ(result.errors.front().render(),
            "large.yaml:4:9: machines.m1.input: input 1 of router 'vh1' is already used by "
            "machine 'm0'");
}

TEST(LoaderScaleTest, HugeOutputListIsCheckedQuickly) {
  std::string text =
      "routers: { vh1: { address: 10.0.0.5 } }\n"
      "machines: { a: { input: 1 }, b: { input: 2 } }\n"
      "pairs: { p: { router: vh1, main: a, backup: b, outputs: [";
  for (int i = 0; i < 150000; ++i) {
    text += "7,";
  }
  text += "7] } }\n";
  ASSERT_LT(text.size(), kMaxConfigBytes);
  const auto start = std::chrono::steady_clock::now();
  const LoadResult result = loadConfigString(text, "outputs.yaml");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_EQ(result.errors.size(), kMaxReportedErrors + 1);
  EXPECT_EQ(result.errors.front().render(),
            "outputs.yaml:3:60: pairs.p.outputs[1]: output 7 is listed twice");
}

class BadFileTest : public ::testing::Test {
 protected:
  // Expects exactly one error, without a position, naming the file.
  std::string oneLine(const std::string& path) {
    const LoadResult result = loadConfigFile(path);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.errors.size(), 1U);
    return result.errors.empty() ? "" : result.errors.front().render();
  }
  TempDir dir_;
};

TEST_F(BadFileTest, MissingFile) {
  const std::string path = dir_.file("nope.yaml");
  EXPECT_EQ(oneLine(path), path + ": cannot open: No such file or directory");
}

TEST_F(BadFileTest, Directory) {
  const std::string path = dir_.path().string();
  EXPECT_EQ(oneLine(path), path + ": is a directory, not a configuration file");
}

TEST_F(BadFileTest, EmptyFile) {
  const std::string path = dir_.write("empty.yaml", "");
  EXPECT_EQ(oneLine(path), path + ": the file is empty");
}

TEST_F(BadFileTest, OnlyComments) {
  const std::string path = dir_.write("comments.yaml", "# nothing here yet\n\n");
  EXPECT_EQ(oneLine(path), path + ": the file holds no settings");
}

TEST_F(BadFileTest, NulBytes) {
  const std::string path = dir_.write("nul.yaml", std::string("node_id: a\n\0\0\0\x01\x02", 16));
  EXPECT_EQ(oneLine(path), path + ":2:1: the file is not UTF-8 text (NUL byte at offset 11)");
}

TEST_F(BadFileTest, InvalidUtf8) {
  const std::string path = dir_.write("latin1.yaml", "machines:\n  caf\xe9: { input: 1 }\n");
  EXPECT_EQ(oneLine(path), path + ":2:6: the file is not UTF-8 text (invalid byte at offset 15)");
}

TEST_F(BadFileTest, BinaryGarbage) {
  std::string garbage;
  uint32_t seed = 12345;
  for (int i = 0; i < 4096; ++i) {
    seed = seed * 1103515245U + 12345U;
    garbage += static_cast<char>((seed >> 16) & 0xFF);
  }
  const std::string line = oneLine(dir_.write("garbage.bin", garbage));
  EXPECT_THAT(line, HasSubstr("the file is not UTF-8 text"));
}

TEST_F(BadFileTest, FifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = dir_.file("pipe.yaml");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_EQ(oneLine(path), path + ": is not a regular file");
}

TEST_F(BadFileTest, FileOverOneMebibyteIsRefusedBeforeParsing) {
  const std::string path = dir_.file("huge.yaml");
  {
    std::ofstream out(path, std::ios::binary);
    const std::string line = "# padding padding padding padding padding padding padding\n";
    while (out.tellp() <= static_cast<std::streamoff>(kMaxConfigBytes)) {
      out << line;
    }
  }
  const auto size = std::filesystem::file_size(path);
  EXPECT_EQ(oneLine(path), path + ": the file is " + std::to_string(size) +
                               " bytes; a configuration file may be at most 1048576 bytes (1 MiB)");
}

TEST_F(BadFileTest, HundredMegabyteSparseFileIsRefusedAtOnce) {
  const std::string path = dir_.file("sparse.yaml");
  { std::ofstream out(path); }
  std::filesystem::resize_file(path, 100ULL * 1024 * 1024);
  EXPECT_EQ(oneLine(path),
            path +
                ": the file is 104857600 bytes; a configuration file may be at most 1048576 "
                "bytes (1 MiB)");
}

TEST_F(BadFileTest, FileExactlyAtTheLimitIsParsed) {
  std::string text = "node_id: big\n";
  text += std::string(kMaxConfigBytes - text.size() - 1, '#');
  text += "\n";
  ASSERT_EQ(text.size(), kMaxConfigBytes);
  const LoadResult result = loadConfigFile(dir_.write("limit.yaml", text));
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.config.node_id, "big");
}

TEST(LoaderStringTest, StringOverTheLimitIsRefused) {
  const std::string text(kMaxConfigBytes + 1, ' ');
  const LoadResult result = loadConfigString(text, "s.yaml");
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_EQ(result.errors[0].render(),
            "s.yaml: the file is 1048577 bytes; a configuration file may be at most 1048576 bytes "
            "(1 MiB)");
}

TEST(LoaderTest, SyntaxErrorCarriesTheParsersPosition) {
  EXPECT_EQ(loadOneError("a: b\n  c: d\n"), "test.yaml:2:4: YAML syntax error: illegal map value");
}

TEST(LoaderTest, FixtureFileNameIsShownAsGiven) {
  const LoadResult result = loadConfigFile(fixturePath("empty_outputs.yaml"));
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_EQ(result.errors[0].file, fixturePath("empty_outputs.yaml"));
}

}  // namespace
}  // namespace failover::config

namespace failover::config {
namespace {

const char* const kOnePair =
    "machines: { a-main: { input: 1 }, a-backup: { input: 2 } }\n"
    "pairs: { a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] } }\n";

TEST(ClusterConfigTest, WithoutClusterTheNodeIsAlone) {
  const Config config =
      loadClean(std::string("routers: { vh1: { address: 10.0.0.5 } }\n") + kOnePair);
  EXPECT_FALSE(config.cluster);
  EXPECT_TRUE(config.mqtt.servers.empty());
  EXPECT_EQ(config.routers.front().bind_address, "");
  EXPECT_FALSE(config.routers.front().lock_outputs);
}

TEST(ClusterConfigTest, ReadsTheClusterAndItsDefaults) {
  const LoadResult result = loadConfigFile(fixturePath("cluster.yaml"));
  ASSERT_TRUE(result.ok());
  const Config& config = result.config;
  ASSERT_TRUE(config.cluster);
  EXPECT_EQ(config.cluster->id, "studio");
  EXPECT_EQ(config.cluster->rank, 1);
  EXPECT_EQ(config.cluster->heartbeat_ms, 100);
  EXPECT_EQ(config.cluster->takeover_after_ms, 500);
  EXPECT_THAT(config.mqtt.servers, ElementsAre("tcp://10.0.0.2:1883", "tcp://10.0.0.3:1883"));
  EXPECT_EQ(config.mqtt.server, "tcp://10.0.0.2:1883") << "the first one names the broker";
  EXPECT_EQ(config.routers.front().bind_address, "10.0.0.11");
  EXPECT_TRUE(config.routers.front().lock_outputs);
  EXPECT_EQ(summarize(config), "1 pair, 2 machines, 1 router, cluster studio rank 1");
}

// A node in charge cut silently from the broker hears no machine either; it routes until its
// lease runs out, so silence must take longer than that to count as a failure.
TEST(ClusterConfigTest, WarnsWhenSilenceCountsSoonerThanTheLeaseRunsOut) {
  const std::string facility = std::string("routers: { vh1: { address: 10.0.0.5 } }\n") + kOnePair;
  const LoadResult short_silence = loadConfigString(
      "cluster: { id: s, rank: 1 }\nhealth: { stale_after_ms: 250 }\n" + facility, "test.yaml");
  EXPECT_TRUE(short_silence.errors.empty());
  ASSERT_EQ(short_silence.warnings.size(), 1U);
  EXPECT_THAT(short_silence.warnings.front().render(),
              HasSubstr("health.stale_after_ms: warning: 250 ms is not longer than the cluster's "
                        "lease of 250 ms"));
  const LoadResult defaults =
      loadConfigString("cluster: { id: s, rank: 1 }\n" + facility, "test.yaml");
  EXPECT_TRUE(defaults.warnings.empty());
}

TEST(ClusterConfigTest, ClusterNeedsIdAndRank) {
  EXPECT_EQ(loadOneError(std::string("cluster: { id: studio }\n"
                                     "routers: { vh1: { address: 10.0.0.5 } }\n") +
                         kOnePair),
            "test.yaml:1:1: cluster.rank: missing required key 'rank'");
}

TEST(ClusterConfigTest, TakeoverMustBeThreeHeartbeatsAtLeast) {
  const std::string routers = "routers: { vh1: { address: 10.0.0.5 } }\n";
  loadClean("cluster: { id: s, rank: 1, heartbeat_ms: 100, takeover_after_ms: 300 }\n" + routers +
            kOnePair);
  EXPECT_THAT(
      loadOneError("cluster: { id: s, rank: 1, heartbeat_ms: 100, takeover_after_ms: 299 }\n" +
                   routers + kOnePair),
      HasSubstr("cluster.takeover_after_ms: 299 ms is too short for heartbeat_ms 100"));
}

TEST(ClusterConfigTest, BindAddressTakesIpv4AndIpv6Literals) {
  loadClean(std::string("routers:\n"
                        "  vh1: { address: 10.0.0.5, bind_address: 127.0.0.2 }\n"
                        "  vh2: { address: '[::1]:9990', bind_address: '::1' }\n") +
            "machines: { a-main: { input: 1 }, a-backup: { input: 2 } }\n"
            "pairs: { a: { router: vh1, main: a-main, backup: a-backup, outputs: [1] } }\n");
  EXPECT_THAT(loadOneError(std::string("routers: { vh1: { address: 10.0.0.5, bind_address: "
                                       "studio-host } }\n") +
                           kOnePair),
              HasSubstr("invalid bind_address 'studio-host'"));
}

TEST(ClusterConfigTest, ServersMustNotBeEmpty) {
  EXPECT_THAT(loadOneError(std::string("mqtt: { servers: [] }\n"
                                       "routers: { vh1: { address: 10.0.0.5 } }\n") +
                           kOnePair),
              HasSubstr("mqtt.servers: servers must list at least one broker URI"));
}

TEST(ClusterConfigTest, TlsWarningNamesEachUnencryptedServer) {
  const LoadResult result = loadConfigString(
      std::string("mqtt: { servers: ['ssl://a:8883', 'tcp://b:1883'], tls: { ca_file: c } }\n"
                  "routers: { vh1: { address: 10.0.0.5 } }\n") +
          kOnePair,
      "test.yaml");
  EXPECT_TRUE(result.errors.empty());
  ASSERT_EQ(result.warnings.size(), 1U);
  EXPECT_THAT(result.warnings.front().render(), HasSubstr("MQTT server tcp://b:1883"));
}

}  // namespace
}  // namespace failover::config
