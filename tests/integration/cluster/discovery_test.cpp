// Home Assistant discovery of a cluster (SPEC 8.1, docs/home-assistant.md): the node in charge
// announces the cluster's entities, available while any node it has heard of is online, and
// after a takeover the new node in charge announces the very same entities.

#include <signal.h>

#include <set>

#include <gtest/gtest.h>

#include "cluster_lab.h"

namespace failover::cluster_e2e {
namespace {

constexpr const char* kPairDevice = "homeassistant/device/failover_cluster_studio_green/config";
constexpr const char* kClusterDevice = "homeassistant/device/failover_cluster_studio/config";

std::set<std::string> availabilityTopics(const Json& payload) {
  std::set<std::string> topics;
  for (const Json& entry : payload.value("availability", Json::array())) {
    topics.insert(entry.value("topic", ""));
  }
  return topics;
}

// A device payload whose availability lists exactly fo1's and fo2's state.
bool listsBothNodes(const std::string& text) {
  const auto payload = parseJson(text);
  return payload && availabilityTopics(*payload) ==
                        std::set<std::string>{ClusterLab::topic("nodes/fo1/state"),
                                              ClusterLab::topic("nodes/fo2/state")};
}

class ClusterDiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { lab_.start(); }

  static ClusterLabOptions withHomeAssistant() {
    ClusterLabOptions options;
    options.homeassistant = true;
    return options;
  }

  ClusterLab lab_{withHomeAssistant()};
};

TEST_F(ClusterDiscoveryTest, TheNodeInChargeAnnouncesTheClusterAvailableWhileAnyNodeIsOnline) {
  // fo1 was alone when it took charge; it announces again once it has heard of fo2.
  const auto pair = lab_.bus().waitLatest(kPairDevice, listsBothNodes, 5000ms);
  ASSERT_TRUE(pair);
  const Json green = *parseJson(*pair);
  EXPECT_EQ(green.value("availability_mode", ""), "any");
  EXPECT_EQ(green["components"]["active"].value("command_topic", ""),
            ClusterLab::pairTopic("set/active"));
  EXPECT_EQ(green["components"]["active"].value("unique_id", ""),
            "failover_cluster_studio_green_active");

  const auto cluster = lab_.bus().waitLatest(kClusterDevice, listsBothNodes, 5000ms);
  ASSERT_TRUE(cluster);
  const Json components = (*parseJson(*cluster))["components"];
  EXPECT_EQ(components["active_node"].value("state_topic", ""),
            ClusterLab::topic("cluster/active"));
  EXPECT_EQ(components["node_fo2_role"].value("state_topic", ""),
            ClusterLab::topic("nodes/fo2/role"));
  // Only the node in charge announces: the standby's own device is not there yet.
  EXPECT_TRUE(lab_.bus().latest("homeassistant/device/failover_fo1/config").has_value());
  EXPECT_FALSE(lab_.bus().latest("homeassistant/device/failover_fo2/config").has_value());
}

TEST_F(ClusterDiscoveryTest, AfterATakeoverTheNewNodeInChargeAnnouncesTheSameEntities) {
  const auto before = lab_.bus().waitLatest(kPairDevice, listsBothNodes, 5000ms);
  ASSERT_TRUE(before);
  const size_t mark = lab_.bus().mark();
  lab_.stopNode("fo1", SIGKILL);
  ASSERT_TRUE(lab_.waitActive("fo2", 3000ms));
  const auto after = lab_.bus().waitAfter(
      mark, kPairDevice, [](const std::string&) { return true; }, 3000ms);
  ASSERT_TRUE(after);
  // Same device, same unique ids, same availability: Home Assistant updates the entities in
  // place, and they were available throughout, since fo2 was online.
  EXPECT_EQ(*after, *before);
  EXPECT_TRUE(lab_.bus().waitLatest(
      "homeassistant/device/failover_fo2/config", [](const std::string&) { return true; }, 3000ms));
}

}  // namespace
}  // namespace failover::cluster_e2e
