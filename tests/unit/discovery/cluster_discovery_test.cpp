// Discovery in cluster mode (SPEC 8.1): the cluster's entities read and command C/..., keep
// their unique ids whichever node publishes them, and stay available while any known node is
// online; the node in charge and each node's role; the roster of known nodes.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config_shapes.h"
#include "failover/discovery/cluster_roster.h"
#include "failover/discovery/discovery.h"
#include "ha_discovery_checker.h"

namespace failover::discovery {
namespace {

using nlohmann::json;

constexpr std::string_view kVersion = "0.9.0";

json payloadOf(const DiscoveryMessage& message) {
  return json::parse(message.payload);
}

json availabilityEntry(const std::string& node) {
  return json{{"topic", "failover/studio/nodes/" + node + "/state"},
              {"payload_available", "online"},
              {"payload_not_available", "offline"}};
}

TEST(ClusterDiscovery, NodeDeviceThenClusterDeviceThenOnePerPair) {
  const auto messages = buildDiscovery(testing::clusterConfig(), kVersion, {"fo2"});
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].topic, "homeassistant/device/failover_fo1/config");
  EXPECT_EQ(messages[1].topic, "homeassistant/device/failover_cluster_studio/config");
  EXPECT_EQ(messages[2].topic, "homeassistant/device/failover_cluster_studio_green/config");
  EXPECT_EQ(messages[3].topic, "homeassistant/device/failover_cluster_studio_blue/config");
}

TEST(ClusterDiscovery, PassesHomeAssistantAndContractChecks) {
  for (const std::vector<std::string>& others :
       {std::vector<std::string>{}, std::vector<std::string>{"fo2", "fo3"}}) {
    const config::Config config = testing::clusterConfig();
    const auto problems = testing::checkDiscovery(config, buildDiscovery(config, kVersion, others));
    EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  }
}

TEST(ClusterDiscovery, PairEntitiesReadAndCommandTheClusterTopics) {
  const json green = payloadOf(buildDiscovery(testing::clusterConfig(), kVersion, {"fo2"}).at(2));
  const json& components = green["components"];
  EXPECT_EQ(components["active"]["state_topic"], "failover/studio/pair/green/active");
  EXPECT_EQ(components["active"]["command_topic"], "failover/studio/pair/green/set/active");
  EXPECT_EQ(components["swap"]["command_topic"], "failover/studio/pair/green/set/swap");
  EXPECT_EQ(components["auto_mode"]["command_topic"], "failover/studio/pair/green/set/mode");
  EXPECT_EQ(components["switch_event"]["state_topic"], "failover/studio/pair/green/event");
  EXPECT_EQ(components["active"]["unique_id"], "failover_cluster_studio_green_active");
  EXPECT_EQ(green["device"]["via_device"], "failover_cluster_studio");
  EXPECT_EQ(green["device"]["name"], "Failover pair green");
}

// What Home Assistant keys its entity registry on must not depend on the node in charge:
// after a takeover the new node's discovery replaces the old one's in place.
TEST(ClusterDiscovery, EveryNodeOfTheClusterAnnouncesTheSameClusterAndPairDevices) {
  const auto from_fo1 = buildDiscovery(testing::clusterConfig("fo1", 1), kVersion, {"fo2"});
  const auto from_fo2 = buildDiscovery(testing::clusterConfig("fo2", 2), kVersion, {"fo1"});
  ASSERT_EQ(from_fo1.size(), from_fo2.size());
  EXPECT_NE(from_fo1[0], from_fo2[0]);  // each node's own device
  for (size_t i = 1; i < from_fo1.size(); ++i) {
    EXPECT_EQ(from_fo1[i], from_fo2[i]) << from_fo1[i].topic;
  }
}

TEST(ClusterDiscovery, ClusterEntitiesStayAvailableWhileAnyKnownNodeIsOnline) {
  const auto messages = buildDiscovery(testing::clusterConfig("fo2", 2), kVersion, {"fo3", "fo1"});
  for (size_t i = 1; i < messages.size(); ++i) {
    const json payload = payloadOf(messages[i]);
    EXPECT_EQ(payload["availability_mode"], "any") << messages[i].topic;
    EXPECT_EQ(
        payload["availability"],
        json::array({availabilityEntry("fo1"), availabilityEntry("fo2"), availabilityEntry("fo3")}))
        << messages[i].topic;
  }
}

TEST(ClusterDiscovery, AloneTheNodeListsItself) {
  const json green = payloadOf(buildDiscovery(testing::clusterConfig(), kVersion).at(2));
  EXPECT_EQ(green["availability"], json::array({availabilityEntry("fo1")}));
}

TEST(ClusterDiscovery, NodeDeviceReadsItsOwnTopicsAndIsAvailableWhileItIsOnline) {
  const json node = payloadOf(buildDiscovery(testing::clusterConfig(), kVersion, {"fo2"}).at(0));
  EXPECT_EQ(node["device"]["identifiers"], json::array({"failover_fo1"}));
  EXPECT_EQ(node["device"]["via_device"], "failover_cluster_studio");
  EXPECT_EQ(node["availability"], json::array({availabilityEntry("fo1")}));
  EXPECT_FALSE(node.contains("availability_mode"));
  EXPECT_EQ(node["components"]["started"]["state_topic"], "failover/studio/nodes/fo1/info");
  // The routers belong to the cluster: whichever node is in charge drives them.
  EXPECT_FALSE(node["components"].contains("router_vh1_connected"));
}

TEST(ClusterDiscovery, ClusterDeviceShowsTheNodeInChargeEachNodesRoleAndTheRouters) {
  const json cluster = payloadOf(buildDiscovery(testing::clusterConfig(), kVersion, {"fo2"}).at(1));
  EXPECT_EQ(cluster["device"]["name"], "Failover cluster studio");
  const json& components = cluster["components"];
  EXPECT_EQ(components["active_node"]["name"], "Node in charge");
  EXPECT_EQ(components["active_node"]["state_topic"], "failover/studio/cluster/active");
  EXPECT_EQ(components["active_node"]["unique_id"], "failover_cluster_studio_active_node");
  for (const std::string node : {"fo1", "fo2"}) {
    const json& role = components["node_" + node + "_role"];
    EXPECT_EQ(role["state_topic"], "failover/studio/nodes/" + node + "/role");
    EXPECT_EQ(role["options"], json::array({"active", "standby", "isolated"}));
    // A node's retained role outlives it: unavailable while that node is offline.
    EXPECT_EQ(role["availability"], json::array({availabilityEntry(node)}));
    const json& online = components["node_" + node + "_online"];
    EXPECT_EQ(online["state_topic"], "failover/studio/nodes/" + node + "/state");
    EXPECT_EQ(online["payload_on"], "online");
    EXPECT_EQ(online["payload_off"], "offline");
  }
  EXPECT_EQ(components["router_vh1_enabled"]["command_topic"],
            "failover/studio/router/vh1/set/enabled");
  EXPECT_EQ(components["router_vh1_state"]["state_topic"], "failover/studio/router/vh1/state");
  EXPECT_EQ(components["router_vh1_connected"]["unique_id"],
            "failover_cluster_studio_router_vh1_connected");
}

TEST(ClusterDiscovery, RemovalIncludesTheClusterDevice) {
  const auto removal = removeDiscovery(testing::clusterConfig());
  ASSERT_EQ(removal.size(), 4u);
  EXPECT_EQ(removal[1].topic, "homeassistant/device/failover_cluster_studio/config");
  EXPECT_TRUE(removal[1].payload.empty());
}

class ClusterStaleDeviceTest : public ::testing::Test {
 protected:
  config::Config config_ = testing::clusterConfig();
  std::vector<DiscoveryMessage> current_ = buildDiscovery(config_, kVersion, {"fo2"});
  // What fo2 announced of itself while it was in charge.
  DiscoveryMessage fo2_device_ = buildDiscovery(testing::clusterConfig("fo2", 2), kVersion).at(0);
};

TEST_F(ClusterStaleDeviceTest, KeepsCurrentDevicesAndTheOtherNodesDevices) {
  for (const DiscoveryMessage& message : current_) {
    EXPECT_FALSE(staleDeviceRemoval(message.topic, message.payload, config_)) << message.topic;
  }
  EXPECT_FALSE(staleDeviceRemoval(fo2_device_.topic, fo2_device_.payload, config_));
}

TEST_F(ClusterStaleDeviceTest, RemovesAPairTheClusterNoLongerHas) {
  config::Config fewer = config_;
  fewer.pairs.pop_back();
  const DiscoveryMessage& blue = current_.at(3);
  const auto removal = staleDeviceRemoval(blue.topic, blue.payload, fewer);
  ASSERT_TRUE(removal);
  EXPECT_EQ(removal->topic, blue.topic);
  EXPECT_TRUE(removal->payload.empty());
  EXPECT_FALSE(staleDeviceRemoval(fo2_device_.topic, fo2_device_.payload, fewer));
}

TEST(ClusterRoster, LearnsTheOtherNodesFromTheirStateTopics) {
  ClusterRoster roster(testing::clusterConfig());
  EXPECT_EQ(roster.filter(), "failover/studio/nodes/+/state");
  EXPECT_TRUE(roster.observe("failover/studio/nodes/fo3/state", "online"));
  EXPECT_TRUE(roster.observe("failover/studio/nodes/fo2/state", "offline"));
  EXPECT_FALSE(roster.observe("failover/studio/nodes/fo2/state", "online"));  // known already
  EXPECT_EQ(roster.others(), (std::vector<std::string>{"fo2", "fo3"}));
}

TEST(ClusterRoster, ForgetsANodeWhoseStateWasClearedButNeverItself) {
  ClusterRoster roster(testing::clusterConfig());
  ASSERT_TRUE(roster.observe("failover/studio/nodes/fo2/state", "offline"));
  EXPECT_TRUE(roster.observe("failover/studio/nodes/fo2/state", ""));
  EXPECT_FALSE(roster.observe("failover/studio/nodes/fo2/state", ""));
  EXPECT_FALSE(roster.observe("failover/studio/nodes/fo1/state", "online"));
  EXPECT_FALSE(roster.observe("failover/studio/nodes/fo1/state", ""));
  EXPECT_TRUE(roster.others().empty());
}

TEST(ClusterRoster, IgnoresOtherTopics) {
  ClusterRoster roster(testing::clusterConfig());
  for (const char* topic :
       {"failover/studio/nodes/fo2/role", "failover/studio/nodes/fo2/state/x",
        "failover/studio/nodes//state", "failover/studio/nodes/state",
        "failover/other/nodes/fo2/state", "failover/studio/pair/green/state", ""}) {
    EXPECT_FALSE(roster.matches(topic)) << topic;
    EXPECT_FALSE(roster.observe(topic, "online")) << topic;
  }
  EXPECT_TRUE(roster.matches("failover/studio/nodes/fo2/state"));
  EXPECT_TRUE(roster.others().empty());
}

TEST(ClusterRoster, HasNothingToLearnWithoutACluster) {
  ClusterRoster roster(testing::labConfig());
  EXPECT_TRUE(roster.filter().empty());
  EXPECT_FALSE(roster.observe("failover/lab/nodes/fo2/state", "online"));
}

}  // namespace
}  // namespace failover::discovery
