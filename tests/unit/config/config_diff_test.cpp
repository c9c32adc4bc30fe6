// What a reload changes: pairs, routers and machines added, removed, changed or unchanged,
// and the settings that cannot change while the node runs.

#include "failover/config/config_diff.h"

#include <gmock/gmock.h>

#include "failover/config/loader.h"

namespace failover::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kFacility = R"(node_id: fo1
mqtt: { server: tcp://127.0.0.1:1883 }
routers:
  vh1: { address: 127.0.0.1:9990 }
machines:
  green-main: { input: 1 }
  green-backup: { input: 2 }
  blue-main: { input: 3 }
  blue-backup: { input: 4 }
pairs:
  green: { router: vh1, main: green-main, backup: green-backup, outputs: [1] }
  blue: { router: vh1, main: blue-main, backup: blue-backup, outputs: [2] }
)";

Config load(const std::string& text) {
  LoadResult loaded = loadConfigString(text, "test.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors.front().render());
  return loaded.config;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ConfigDiffTest, SameFileChangesNothing) {
  const Config config = load(kFacility);
  const ConfigDiff diff = diffConfigs(config, config);
  EXPECT_THAT(diff.pairs.unchanged, ElementsAre("green", "blue"));
  EXPECT_THAT(diff.pairs.changed, IsEmpty());
  EXPECT_THAT(diff.routers.unchanged, ElementsAre("vh1"));
  EXPECT_THAT(fixedSettingsChanged(config, config), IsEmpty());
}

TEST(ConfigDiffTest, RunTimeSettingsDoNotMakeAPairChanged) {
  const Config before = load(kFacility);
  const Config after = load(replaced(kFacility, "outputs: [1] }", "outputs: [1], mode: manual }"));
  EXPECT_THAT(diffConfigs(before, after).pairs.unchanged, ElementsAre("green", "blue"));
}

TEST(ConfigDiffTest, AddedRemovedAndChangedPairs) {
  const Config before = load(kFacility);
  std::string text = replaced(kFacility,
                              "  blue: { router: vh1, main: blue-main, backup: "
                              "blue-backup, outputs: [2] }\n",
                              "  red: { router: vh1, main: blue-main, backup: blue-backup, "
                              "outputs: [4] }\n");
  text = replaced(text, "outputs: [1] }", "outputs: [1, 3] }");
  const ConfigDiff diff = diffConfigs(before, load(text));
  EXPECT_THAT(diff.pairs.added, ElementsAre("red"));
  EXPECT_THAT(diff.pairs.removed, ElementsAre("blue"));
  EXPECT_THAT(diff.pairs.changed, ElementsAre("green"));
  EXPECT_THAT(diff.pairs.unchanged, IsEmpty());
}

TEST(ConfigDiffTest, AChangedMachineOrRouterChangesItsPairs) {
  const Config before = load(kFacility);
  const ConfigDiff machine = diffConfigs(
      before, load(replaced(kFacility, "blue-main: { input: 3 }", "blue-main: { input: 5 }")));
  EXPECT_THAT(machine.machines.changed, ElementsAre("blue-main"));
  EXPECT_THAT(machine.pairs.changed, ElementsAre("blue"));
  EXPECT_THAT(machine.pairs.unchanged, ElementsAre("green"));
  const ConfigDiff router =
      diffConfigs(before, load(replaced(kFacility, "127.0.0.1:9990", "127.0.0.1:9991")));
  EXPECT_THAT(router.routers.changed, ElementsAre("vh1"));
  EXPECT_THAT(router.pairs.changed, ElementsAre("green", "blue"));
}

TEST(ConfigDiffTest, SettingsFixedAtStartAreListed) {
  const Config before = load(kFacility);
  std::string text = replaced(kFacility, "node_id: fo1", "node_id: fo2");
  text = replaced(text, "tcp://127.0.0.1:1883", "tcp://127.0.0.1:1884");
  // The default client id follows the node id, so it changes with it.
  EXPECT_THAT(fixedSettingsChanged(before, load(text)),
              ElementsAre("node_id", "mqtt.server", "mqtt.client_id"));
}

TEST(ConfigDiffTest, ClusterBrokerListAndAuditTrailNeedARestart) {
  const Config before = load(kFacility);
  std::string text = replaced(kFacility, "mqtt: { server: tcp://127.0.0.1:1883 }",
                              "mqtt: { servers: [tcp://127.0.0.1:1883, tcp://127.0.0.2:1883] }\n"
                              "cluster: { id: studio, rank: 1 }\n"
                              "audit_log: /tmp/audit.jsonl");
  EXPECT_THAT(fixedSettingsChanged(before, load(text)),
              ElementsAre("mqtt.servers", "cluster", "audit_log"));
}

TEST(ConfigDiffTest, ARoutersSourceAddressMakesItChanged) {
  const Config before = load(kFacility);
  const Config after = load(replaced(kFacility, "address: 127.0.0.1:9990 }",
                                     "address: 127.0.0.1:9990, bind_address: 127.0.0.2 }"));
  EXPECT_THAT(diffConfigs(before, after).routers.changed, ElementsAre("vh1"));
}

}  // namespace
}  // namespace failover::config
