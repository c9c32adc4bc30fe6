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

RunState sampleState() {
  RunState state;
  state.pairs["green"] = {FailoverMode::Manual, false};
  state.pairs["blue"] = {FailoverMode::Auto, true};
  state.routers["vh1"] = {false};
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
  RunState state;
  state.pairs["green"].armed = false;  // mode not set
  state.routers["vh1"] = {};
  ASSERT_TRUE(saveRunState(path, state).isOk());
  const auto loaded = loadRunState(path);
  ASSERT_TRUE(loaded.isOk());
  EXPECT_EQ(*loaded, state);
}

TEST(StateFileTest, MissingFileIsAFirstStartNotAnError) {
  TempDir dir;
  const auto loaded = loadRunState(dir.file("never-written.json"));
  ASSERT_TRUE(loaded.isOk());
  EXPECT_EQ(*loaded, RunState{});
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
  ASSERT_TRUE(saveRunState(path, RunState{}).isOk());
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
  RunState changed;
  changed.pairs["green"] = {FailoverMode::Auto, true};
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
                      "{\"version\":1,\"routers\":5}", std::string("\0\x01\xff\xfe", 4),
                      "{\"version\":1} trailing"));

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
  EXPECT_EQ(loaded->pairs.at("green").armed, false);
}

TEST(StateFileTest, DirectoryInsteadOfFileIsAnError) {
  TempDir dir;
  EXPECT_FALSE(loadRunState(dir.path().string()).isOk());
}

TEST(ApplyRunStateTest, OverridesTheConfiguredValues) {
  Config config = sampleConfig();
  const auto warnings = applyRunState(config, sampleState());
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_EQ(config.findPair("green")->mode, FailoverMode::Manual);
  EXPECT_FALSE(config.findPair("green")->armed);
  EXPECT_EQ(config.findPair("blue")->mode, FailoverMode::Auto);
  EXPECT_FALSE(config.findRouter("vh1")->enabled);
}

TEST(ApplyRunStateTest, UnsetFieldsKeepTheConfiguredValues) {
  Config config = sampleConfig();
  config.pairs[0].mode = FailoverMode::Manual;
  RunState state;
  state.pairs["green"].armed = false;
  EXPECT_THAT(applyRunState(config, state), IsEmpty());
  EXPECT_EQ(config.findPair("green")->mode, FailoverMode::Manual);
  EXPECT_FALSE(config.findPair("green")->armed);
}

TEST(ApplyRunStateTest, UnknownPairsAndRoutersAreIgnoredWithAWarning) {
  Config config = sampleConfig();
  RunState state;
  state.pairs["gone"] = {FailoverMode::Manual, false};
  state.routers["old-hub"] = {false};
  const Config before = config;
  EXPECT_THAT(applyRunState(config, state),
              ElementsAre("state file names pair 'gone', which the configuration does not have; "
                          "ignored",
                          "state file names router 'old-hub', which the configuration does not "
                          "have; ignored"));
  EXPECT_EQ(config.pairs[0].mode, before.pairs[0].mode);
  EXPECT_EQ(config.routers[0].enabled, before.routers[0].enabled);
}

TEST(ApplyRunStateTest, RunStateOfCapturesTheCurrentSettings) {
  Config config = sampleConfig();
  config.pairs[1].armed = false;
  config.routers[0].enabled = false;
  const RunState state = runStateOf(config);
  EXPECT_EQ(state.pairs.at("blue"), (PairRunState{FailoverMode::Auto, false}));
  EXPECT_EQ(state.routers.at("vh1"), (RouterRunState{false}));
  Config fresh = sampleConfig();
  EXPECT_THAT(applyRunState(fresh, state), IsEmpty());
  EXPECT_EQ(runStateOf(fresh), state);
}

}  // namespace
}  // namespace failover::config
