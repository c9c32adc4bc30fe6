// The run-time state file: round trip, atomic replacement, corruption and applying it.

#include "failover/config/state_file.h"

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace failover::config {
namespace {

using failover::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// Overrides of the YAML values of sampleConfig(): green manual and disarmed, vh1 disabled.
RunStateOverrides sampleState() {
  RunStateOverrides state;
  state.values.pairs["green"] = {FailoverMode::Manual, false};
  state.overrode.pairs["green"] = {FailoverMode::Auto, true};
  state.values.routers["vh1"] = {false};
  state.overrode.routers["vh1"] = {true};
  return state;
}

Config sampleConfig() {
  Config config;
  config.routers.push_back({"vh1", "127.0.0.1", 9990, true, false, false, "", false});
  PairSettings green;
  green.id = "green";
  PairSettings blue;
  blue.id = "blue";
  config.pairs = {green, blue};
  return config;
}

TEST(StateFileTest, SaveThenLoadRoundTrips) {
  TempDir dir;
  const std::string path = dir.file("state.json");
  ASSERT_TRUE(saveRunState(path, sampleState()).isOk());
  const auto loaded = loadRunState(path);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_EQ(*loaded, sampleState());
}

TEST(StateFileTest, PartialEntriesRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("state.json");
  RunStateOverrides state;
  state.values.pairs["green"].armed = false;  // mode not set
  state.overrode.pairs["green"].armed = true;
  state.values.pairs["blue"].mode = FailoverMode::Manual;  // from an older file: no "overrode"
  state.values.routers["vh1"] = {};
  ASSERT_TRUE(saveRunState(path, state).isOk());
  const auto loaded = loadRunState(path);
  ASSERT_TRUE(loaded.isOk());
  EXPECT_EQ(*loaded, state);
}

TEST(StateFileTest, MissingFileIsAFirstStartNotAnError) {
  TempDir dir;
  const auto loaded = loadRunState(dir.file("never-written.json"));
  ASSERT_TRUE(loaded.isOk());
  EXPECT_EQ(*loaded, RunStateOverrides{});
}

TEST(StateFileTest, SaveCreatesMissingDirectories) {
  TempDir dir;
  const std::string path = dir.file("a/b/state.json");
  ASSERT_TRUE(saveRunState(path, sampleState()).isOk());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(StateFileTest, SaveReplacesTheFileAndLeavesNoTemporaryBehind) {
  TempDir dir;
  const std::string path = dir.file("state.json");
  ASSERT_TRUE(saveRunState(path, RunStateOverrides{}).isOk());
  ASSERT_TRUE(saveRunState(path, sampleState()).isOk());
  EXPECT_EQ(*loadRunState(path), sampleState());
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(names, ElementsAre("state.json"));
}

TEST(StateFileTest, FailedSaveLeavesThePreviousFileIntact) {
  TempDir dir;
  const std::string path = dir.file("state.json");
  ASSERT_TRUE(saveRunState(path, sampleState()).isOk());
  const std::string before = readAll(path);
  // Something in the way of the temporary file: the save must fail without touching the
  // file readers use.
  std::filesystem::create_directory(path + ".tmp");
  RunStateOverrides changed;
  changed.values.pairs["green"] = {FailoverMode::Auto, true};
  const core::Status status = saveRunState(path, changed);
  EXPECT_FALSE(status.isOk());
  EXPECT_THAT(status.message(), HasSubstr("state.json.tmp"));
  EXPECT_EQ(readAll(path), before);
}

TEST(StateFileTest, FailedRenameRemovesTheTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("state.json");
  // A non-empty directory where the file should be: rename cannot replace it.
  std::filesystem::create_directories(path + "/occupied");
  const core::Status status = saveRunState(path, sampleState());
  EXPECT_FALSE(status.isOk());
  EXPECT_THAT(status.message(), HasSubstr("cannot replace"));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(StateFileTest, WrittenFileIsReadableJson) {
  TempDir dir;
  const std::string path = dir.file("state.json");
  ASSERT_TRUE(saveRunState(path, sampleState()).isOk());
  const std::string text = readAll(path);
  EXPECT_THAT(text, HasSubstr("\"version\": 1"));
  EXPECT_THAT(text, HasSubstr("\"mode\": \"manual\""));
  EXPECT_THAT(text, HasSubstr("\"enabled\": false"));
  EXPECT_THAT(text, HasSubstr("\"overrode\""));
}

class CorruptStateFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorruptStateFileTest, IsReportedNotThrown) {
  TempDir dir;
  const std::string path = dir.write("state.json", GetParam());
  const auto loaded = loadRunState(path);
  ASSERT_FALSE(loaded.isOk());
  EXPECT_THAT(loaded.status().message(), HasSubstr("is corrupt"));
  EXPECT_EQ(loaded.status().message().find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Contents, CorruptStateFileTest,
    ::testing::Values("", "{", "null", "[1,2]", "{\"pairs\":{}}", "{\"version\":2}",
                      "{\"version\":\"1\"}", "{\"version\":1,\"pairs\":[]}",
                      "{\"version\":1,\"pairs\":{\"g\":1}}",
                      "{\"version\":1,\"pairs\":{\"g\":{\"mode\":\"sometimes\"}}}",
                      "{\"version\":1,\"pairs\":{\"g\":{\"mode\":3}}}",
                      "{\"version\":1,\"pairs\":{\"g\":{\"armed\":\"yes\"}}}",
                      "{\"version\":1,\"routers\":{\"r\":{\"enabled\":1}}}",
                      "{\"version\":1,\"routers\":5}",
                      "{\"version\":1,\"pairs\":{\"g\":{\"mode\":\"auto\",\"overrode\":1}}}",
                      "{\"version\":1,\"pairs\":{\"g\":{\"overrode\":{\"mode\":\"x\"}}}}",
                      "{\"version\":1,\"routers\":{\"r\":{\"overrode\":{\"enabled\":0}}}}",
                      std::string("\0\x01\xff\xfe", 4), "{\"version\":1} trailing"));

TEST(StateFileTest, OversizedFileIsCorrupt) {
  TempDir dir;
  const std::string path = dir.write(
      "state.json", "{\"version\":1,\"x\":\"" + std::string(kMaxStateFileBytes, 'x') + "\"}");
  const auto loaded = loadRunState(path);
  ASSERT_FALSE(loaded.isOk());
  EXPECT_THAT(loaded.status().message(), HasSubstr("larger than"));
}

TEST(StateFileTest, UnknownMembersAreIgnored) {
  TempDir dir;
  const std::string path = dir.write(
      "state.json",
      "{\"version\":1,\"saved_by\":\"x\",\"pairs\":{\"green\":{\"armed\":false,\"note\":1}}}");
  const auto loaded = loadRunState(path);
  ASSERT_TRUE(loaded.isOk());
  EXPECT_EQ(loaded->values.pairs.at("green").armed, false);
}

TEST(StateFileTest, DirectoryInsteadOfFileIsAnError) {
  TempDir dir;
  EXPECT_FALSE(loadRunState(dir.path().string()).isOk());
}

TEST(ApplyRunStateTest, OverridesApplyWhileTheYamlStillSaysWhatTheyOverrode) {
  Config config = sampleConfig();
  const auto warnings = applyRunState(config, sampleState());
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_EQ(config.findPair("green")->mode, FailoverMode::Manual);
  EXPECT_FALSE(config.findPair("green")->armed);
  EXPECT_EQ(config.findPair("blue")->mode, FailoverMode::Auto);
  EXPECT_FALSE(config.findRouter("vh1")->enabled);
}

TEST(ApplyRunStateTest, AnEditedYamlValueWinsAndTheOverrideIsDroppedWithAWarning) {
  // vh1 was disabled at run time over a YAML true; the YAML has since been edited to false.
  Config config = sampleConfig();
  config.routers[0].enabled = false;
  RunStateOverrides saved = sampleState();
  EXPECT_THAT(applyRunState(config, saved),
              ElementsAre("state file: router 'vh1' enabled is false in the YAML, which was true "
                          "when it was overridden at run time; the YAML wins and the override "
                          "false is dropped"));
  EXPECT_FALSE(config.findRouter("vh1")->enabled);
  // The YAML still says what green's overrides overrode: they apply.
  EXPECT_EQ(config.findPair("green")->mode, FailoverMode::Manual);
  EXPECT_FALSE(config.findPair("green")->armed);
  // Saved again, the dropped override is gone from the file: should the YAML say true again,
  // the router is enabled.
  RunStateOverrides expected = sampleState();
  expected.values.routers.clear();
  expected.overrode.routers.clear();
  Config yaml = sampleConfig();
  yaml.routers[0].enabled = false;
  EXPECT_EQ(overridesOf(runStateOf(config), runStateOf(yaml)), expected);
}

TEST(ApplyRunStateTest, AnEditedPairModeWinsWithAWarningNamingTheSettingAndBothValues) {
  Config config = sampleConfig();
  RunStateOverrides saved;
  saved.values.pairs["blue"].mode = FailoverMode::Auto;  // set at run time over manual...
  saved.overrode.pairs["blue"].mode = FailoverMode::Manual;
  saved.values.pairs["green"].mode = FailoverMode::Manual;  // set at run time over auto...
  saved.overrode.pairs["green"].mode = FailoverMode::Auto;
  config.pairs[1].mode = FailoverMode::Auto;    // ...then the YAML was edited to auto
  config.pairs[0].mode = FailoverMode::Manual;  // ...then the YAML was edited to manual
  EXPECT_THAT(
      applyRunState(config, saved),
      ElementsAre("state file: pair 'blue' mode is auto in the YAML, which was manual when it "
                  "was overridden at run time; the YAML wins and the override auto is dropped",
                  "state file: pair 'green' mode is manual in the YAML, which was auto when it "
                  "was overridden at run time; the YAML wins and the override manual is "
                  "dropped"));
  EXPECT_EQ(config.findPair("blue")->mode, FailoverMode::Auto);
  EXPECT_EQ(config.findPair("green")->mode, FailoverMode::Manual);
}

TEST(ApplyRunStateTest, OlderFilesWithoutOverrodeKeepOnlyWhatDiffersWithAWarning) {
  Config config = sampleConfig();
  RunStateOverrides saved;  // an older file: every setting, no "overrode"
  saved.values.pairs["green"] = {FailoverMode::Manual, true};
  saved.values.pairs["blue"] = {FailoverMode::Auto, true};
  saved.values.routers["vh1"] = {true};
  EXPECT_THAT(applyRunState(config, saved),
              ElementsAre("state file: pair 'green' mode manual was saved without the YAML value "
                          "it overrode (older file); kept, as an override of the YAML value "
                          "auto"));
  EXPECT_EQ(config.findPair("green")->mode, FailoverMode::Manual);
  // Written back, only the difference remains, now with the value it overrides.
  RunStateOverrides expected;
  expected.values.pairs["green"].mode = FailoverMode::Manual;
  expected.overrode.pairs["green"].mode = FailoverMode::Auto;
  EXPECT_EQ(overridesOf(runStateOf(config), runStateOf(sampleConfig())), expected);
}

TEST(ApplyRunStateTest, UnsetFieldsKeepTheConfiguredValues) {
  Config config = sampleConfig();
  config.pairs[0].mode = FailoverMode::Manual;
  RunStateOverrides state;
  state.values.pairs["green"].armed = false;
  state.overrode.pairs["green"].armed = true;
  EXPECT_THAT(applyRunState(config, state), IsEmpty());
  EXPECT_EQ(config.findPair("green")->mode, FailoverMode::Manual);
  EXPECT_FALSE(config.findPair("green")->armed);
}

TEST(ApplyRunStateTest, UnknownPairsAndRoutersAreIgnoredWithAWarning) {
  Config config = sampleConfig();
  RunStateOverrides state;
  state.values.pairs["gone"] = {FailoverMode::Manual, false};
  state.values.routers["old-hub"] = {false};
  const Config before = config;
  EXPECT_THAT(applyRunState(config, state),
              ElementsAre("state file names pair 'gone', which the configuration does not have; "
                          "ignored",
                          "state file names router 'old-hub', which the configuration does not "
                          "have; ignored"));
  EXPECT_EQ(config.pairs[0].mode, before.pairs[0].mode);
  EXPECT_EQ(config.routers[0].enabled, before.routers[0].enabled);
}

TEST(OverridesOfTest, HoldsOnlyWhatDiffersFromTheYamlWithTheValueItOverrides) {
  const RunState configured = runStateOf(sampleConfig());
  Config changed = sampleConfig();
  changed.pairs[1].armed = false;
  changed.routers[0].enabled = false;
  const RunStateOverrides overrides = overridesOf(runStateOf(changed), configured);
  EXPECT_EQ(overrides.values.pairs.count("green"), 0u);
  EXPECT_EQ(overrides.values.pairs.at("blue"), (PairRunState{std::nullopt, false}));
  EXPECT_EQ(overrides.overrode.pairs.at("blue"), (PairRunState{std::nullopt, true}));
  EXPECT_EQ(overrides.values.routers.at("vh1"), (RouterRunState{false}));
  EXPECT_EQ(overrides.overrode.routers.at("vh1"), (RouterRunState{true}));
  // Applied to the same YAML, they give back the changed settings.
  Config fresh = sampleConfig();
  EXPECT_THAT(applyRunState(fresh, overrides), IsEmpty());
  EXPECT_EQ(runStateOf(fresh), runStateOf(changed));
}

TEST(OverridesOfTest, NothingChangedIsNothingToSave) {
  const RunState configured = runStateOf(sampleConfig());
  EXPECT_EQ(overridesOf(configured, configured), RunStateOverrides{});
}

}  // namespace
}  // namespace failover::config
