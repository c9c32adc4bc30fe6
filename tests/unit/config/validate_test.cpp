// validate() on structs built in code, without any file.

#include "failover/config/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace failover::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Config twoPairs() {
  Config config;
  config.routers.push_back({"vh1", "10.0.0.5", 9990, true, false, false, "", false});
  config.machines.push_back({"green-main", "Green Main", 1, {}, {"ar"}});
  config.machines.push_back({"green-backup", "Green Backup", 2, {}, {"ar"}});
  config.machines.push_back({"blue-main", "Blue Main", 3, {}, {"ar"}});
  config.machines.push_back({"blue-backup", "Blue Backup", 4, {}, {"ar"}});
  PairSettings green;
  green.id = "green";
  green.router = "vh1";
  green.main = "green-main";
  green.backup = "green-backup";
  green.outputs = {1, 2};
  PairSettings blue = green;
  blue.id = "blue";
  blue.main = "blue-main";
  blue.backup = "blue-backup";
  blue.outputs = {3, 4};
  config.pairs = {green, blue};
  return config;
}

std::vector<std::string> rendered(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> lines;
  for (const auto& diagnostic : diagnostics) {
    lines.push_back(diagnostic.render());
  }
  return lines;
}

TEST(ValidateTest, ValidConfigHasNoDiagnostics) {
  EXPECT_THAT(validate(twoPairs()), IsEmpty());
}

TEST(ValidateTest, WithoutASourceMapDiagnosticsHaveNoPosition) {
  Config config = twoPairs();
  config.pairs[1].backup = "green-bakup";
  SourceMap source;
  source.file = "built-in";
  EXPECT_THAT(rendered(validate(config, source)),
              ElementsAre("built-in: pairs.blue.backup: unknown machine 'green-bakup' (did you "
                          "mean 'green-backup'?)"));
}

TEST(ValidateTest, PositionFallsBackToTheClosestRecordedParent) {
  Config config = twoPairs();
  config.pairs[0].outputs = {};
  SourceMap source;
  source.file = "f.yaml";
  source.positions["pairs.green"] = {7, 3};
  EXPECT_THAT(rendered(validate(config, source)),
              ElementsAre("f.yaml:7:3: pairs.green.outputs: a pair needs at least one output"));
}

TEST(ValidateTest, ReportedPathsAreNotReportedAgain) {
  Config config = twoPairs();
  config.machines[0].input = 0;
  SourceMap source;
  source.reported.insert("machines.green-main.input");
  EXPECT_THAT(validate(config, source), IsEmpty());
}

TEST(ValidateTest, SharedBackupIsAllowed) {
  Config config = twoPairs();
  config.pairs[1].backup = "green-backup";
  EXPECT_THAT(validate(config), IsEmpty());
}

TEST(ValidateTest, SameOutputOnDifferentRoutersIsAllowed) {
  Config config = twoPairs();
  config.routers.push_back({"vh2", "10.0.0.6", 9990, true, false, false, "", false});
  config.pairs[1].router = "vh2";
  config.pairs[1].outputs = {1, 2};
  EXPECT_THAT(validate(config), IsEmpty());
}

TEST(ValidateTest, SameInputOnDifferentRoutersIsAllowed) {
  Config config = twoPairs();
  config.routers.push_back({"vh2", "10.0.0.6", 9990, true, false, false, "", false});
  config.pairs[1].router = "vh2";
  config.machines[2].input = 1;
  config.machines[3].input = 2;
  EXPECT_THAT(validate(config), IsEmpty());
}

TEST(ValidateTest, FeatureMismatchIsAWarningNotAnError) {
  Config config = twoPairs();
  config.machines[1].features = {"ar", "xr"};
  const auto diagnostics = validate(config);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0].severity, DiagnosticSeverity::Warning);
  EXPECT_EQ(diagnostics[0].render(),
            ": pairs.green.backup: warning: features of Main 'green-main' [ar] and Backup "
            "'green-backup' [ar, xr] differ (licence mismatch)");
}

TEST(ValidateTest, FeatureOrderDoesNotMatter) {
  Config config = twoPairs();
  config.machines[0].features = {"ar", "virtual-set"};
  config.machines[1].features = {"virtual-set", "ar"};
  EXPECT_THAT(validate(config), IsEmpty());
}

TEST(ValidateTest, BackupThatIsAnotherPairsMainIsWarned) {
  Config config = twoPairs();
  config.pairs[1].backup = "green-main";
  const auto diagnostics = validate(config);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0].severity, DiagnosticSeverity::Warning);
  EXPECT_EQ(diagnostics[0].path, "pairs.blue.backup");
}

TEST(ValidateTest, DuplicateIdsInStructsAreErrors) {
  Config config = twoPairs();
  config.machines.push_back(config.machines[0]);
  config.routers.push_back(config.routers[0]);
  config.pairs.push_back(config.pairs[0]);
  config.pairs.back().outputs = {9};
  config.pairs.back().main = "blue-backup";
  const auto lines = rendered(validate(config));
  EXPECT_THAT(lines, ::testing::Contains(": machines.green-main: duplicate machine id"));
  EXPECT_THAT(lines, ::testing::Contains(": routers.vh1: duplicate router id"));
  EXPECT_THAT(lines, ::testing::Contains(": pairs.green: duplicate pair id"));
}

TEST(ValidateTest, RuleChecks) {
  Config config = twoPairs();
  RuleSettings rule;
  rule.name = "r";
  rule.field = "";
  rule.source = Check::Status;
  rule.value.number = 1;
  rule.value.text = "also";
  config.rules.push_back(rule);
  EXPECT_THAT(rendered(validate(config)),
              ElementsAre(": rules[0].source: unknown source 'status' (expected one of: engine, "
                          "videoio, network, diagnostics)",
                          ": rules[0].when.field: the field must not be empty",
                          ": rules[0].when.value: expected exactly one value: a number, a string "
                          "or a bool"));
}

TEST(ValidateTest, LabelsWrittenToTheRouterMustFitOneShortLine) {
  Config config = twoPairs();
  config.machines[0].label = "Green\nMain";
  config.machines[1].label = std::string(70, 'x');
  EXPECT_THAT(rendered(validate(config)), ElementsAre()) << "without write_labels: any label";
  config.routers[0].write_labels = true;
  EXPECT_THAT(rendered(validate(config)),
              ElementsAre(": machines." + config.machines[0].id +
                              ".label: warning: the label has control characters (line breaks, "
                              "tabs): the router gets spaces in their place",
                          ": machines." + config.machines[1].id +
                              ".label: warning: the label is 70 bytes: the router gets only the "
                              "first 64"));
}

TEST(ValidateTest, TlsCertificateNeedsItsKey) {
  Config config = twoPairs();
  config.mqtt.server = "ssl://127.0.0.1:8883";
  config.mqtt.tls = TlsSettings{"", "client.pem", "", true};
  EXPECT_THAT(rendered(validate(config)),
              ElementsAre(": mqtt.tls: cert_file and key_file go together: set both or neither"));
}

TEST(ValidateTest, BoundsAreInclusive) {
  Config config = twoPairs();
  config.health.stale_after_ms = Bounds::kMinStaleAfterMs;
  config.health.startup_grace_ms = 0;
  config.health.reconnect_grace_ms = Bounds::kMaxGraceMs;
  config.pairs[0].failback_after_ms = Bounds::kMaxFailbackAfterMs;
  config.pairs[0].min_dwell_ms = 0;
  config.pairs[0].outputs = {1, Bounds::kMaxPort};
  config.mqtt.keepalive_s = Bounds::kMaxKeepaliveS;
  EXPECT_THAT(validate(config), IsEmpty());
  config.health.stale_after_ms = Bounds::kMinStaleAfterMs - 1;
  EXPECT_EQ(validate(config).size(), 1U);
}

TEST(ValidateTest, IdSyntax) {
  EXPECT_TRUE(isValidId("green-main_2"));
  EXPECT_FALSE(isValidId(""));
  EXPECT_FALSE(isValidId("Green"));
  EXPECT_FALSE(isValidId("a b"));
  EXPECT_FALSE(isValidId("a/b"));
  EXPECT_FALSE(isValidId("a.b"));
}

}  // namespace
}  // namespace failover::config
