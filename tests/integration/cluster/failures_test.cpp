// The rest of the failure table of docs/redundancy.md: a broker restart, nodes started
// together, a duplicate rank, and three nodes of which two die at once. In each, at most one
// node routes, and nothing on air changes because of the cluster itself.

#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "cluster_lab.h"

namespace failover::cluster_e2e {
namespace {

int requestsFrom(const ClusterLab& lab, const std::string& node) {
  return lab.routingRequestsFrom(ClusterLab::routerAddress(node));
}

std::string latestRole(ClusterLab& lab, const std::string& node) {
  return lab.bus().latest(ClusterLab::topic("nodes/" + node + "/role")).value_or("");
}

TEST(ClusterFailuresTest, ABrokerRestartChangesNothingOnAirAndLeavesOneNodeInCharge) {
  ClusterLab lab;
  lab.start();
  lab.restartBroker(1000ms);
  // A broker without persistence forgot every retained message: the cluster elects again
  // and the node in charge announces itself.
  ASSERT_TRUE(lab.bus().waitLatest(
      ClusterLab::topic("cluster/active"), [](const std::string&) { return true; }, 10000ms));
  const std::string active = *lab.bus().latest(ClusterLab::topic("cluster/active"));
  const std::string standby = active == "fo1" ? "fo2" : "fo1";
  EXPECT_TRUE(lab.waitRole(active, "active", 3000ms));
  EXPECT_TRUE(lab.waitRole(standby, "standby", 3000ms));
  EXPECT_EQ(lab.routes()[1], kMainInput);
  EXPECT_EQ(requestsFrom(lab, "fo1") + requestsFrom(lab, "fo2"), 0);
  // And the node in charge still acts.
  ASSERT_TRUE(lab.waitState(
      [](const Json& state) { return state.value("active", Json()) == kMain; }, 5000ms));
  lab.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, 5000ms));
  EXPECT_EQ(requestsFrom(lab, active), 1);
  EXPECT_EQ(requestsFrom(lab, standby), 0);
}

TEST(ClusterFailuresTest, NodesStartedTogetherElectExactlyOne) {
  ClusterLabOptions options;
  options.start_nodes = false;
  ClusterLab lab(options);
  lab.start();
  lab.startNode("fo2");
  lab.startNode("fo1");
  ASSERT_TRUE(lab.bus().waitLatest(
      ClusterLab::topic("cluster/active"), [](const std::string&) { return true; }, 10000ms));
  const std::string active = *lab.bus().latest(ClusterLab::topic("cluster/active"));
  const std::string standby = active == "fo1" ? "fo2" : "fo1";
  EXPECT_TRUE(lab.waitRole(standby, "standby", 3000ms));
  EXPECT_TRUE(lab.waitCandidate(standby, 3000ms));
  EXPECT_EQ(latestRole(lab, active), "active");
  EXPECT_EQ(lab.routes()[1], kMainInput);
  EXPECT_EQ(requestsFrom(lab, "fo1") + requestsFrom(lab, "fo2"), 0);
}

TEST(ClusterFailuresTest, ANodeWithADuplicateRankIsIsolatedAndNeverInCharge) {
  ClusterLabOptions options;
  options.nodes = 3;
  ClusterLab lab(options);
  lab.start();
  lab.writeConfig("fo4", 1);  // fo1's rank
  lab.startNode("fo4");
  EXPECT_TRUE(lab.waitRole("fo4", "isolated", 5000ms));
  EXPECT_EQ(latestRole(lab, "fo1"), "active");
  // The node in charge keeps charge and acts; the isolated node routes nothing.
  lab.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, 5000ms));
  EXPECT_EQ(requestsFrom(lab, "fo1"), 1);
  EXPECT_EQ(requestsFrom(lab, "fo4"), 0);
  const std::string log = lab.nodeLog("fo4");
  EXPECT_NE(log.find("rank 1"), std::string::npos) << "the log does not say which rank";
}

// A second process started with the node_id of the node in charge (and its rank): it keeps
// its own broker connection (the client id carries the process's instance), so the election
// sees both. The newcomer refuses to take control with a clear error, the node in charge keeps
// charge and acts, and the standby does not take the newcomer's heartbeats for the node in
// charge's silence.
TEST(ClusterFailuresTest, ASecondProcessWithTheNodeIdOfTheNodeInChargeIsIsolated) {
  ClusterLab lab;
  lab.start();
  const size_t mark = lab.bus().mark();
  lab.writeConfig("fo9", 1, "fo1");
  lab.startNode("fo9");
  EXPECT_TRUE(lab.bus().waitAfter(
      mark, ClusterLab::topic("nodes/fo1/heartbeat"),
      [](const std::string& text) {
        return text.find("\"role\":\"isolated\"") != std::string::npos;
      },
      5000ms));
  lab.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, 5000ms));
  EXPECT_EQ(requestsFrom(lab, "fo1"), 1);
  EXPECT_EQ(requestsFrom(lab, "fo2") + requestsFrom(lab, "fo9"), 0);
  EXPECT_EQ(lab.bus().latest(ClusterLab::topic("cluster/active")), "fo1");
  EXPECT_FALSE(lab.bus().waitAfter(
      mark, ClusterLab::topic("cluster/event"), [](const std::string&) { return true; }, 1000ms))
      << "a takeover";
  EXPECT_NE(lab.nodeLog("fo9").find("node_id must be unique; this node refuses to take control"),
            std::string::npos);
  EXPECT_NE(lab.nodeLog("fo1").find("node_id must be unique; this node stays in charge"),
            std::string::npos);
}

TEST(ClusterFailuresTest, WithThreeNodesTheThirdTakesChargeWhenTheFirstTwoDieTogether) {
  ClusterLabOptions options;
  options.nodes = 3;
  ClusterLab lab(options);
  lab.start();
  lab.signalNode("fo1", SIGKILL);
  lab.signalNode("fo2", SIGKILL);
  EXPECT_TRUE(lab.waitActive("fo3", 5000ms));
  EXPECT_EQ(lab.routes()[1], kMainInput);
  lab.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, 5000ms));
  EXPECT_EQ(requestsFrom(lab, "fo3"), 1);
  EXPECT_EQ(requestsFrom(lab, "fo1") + requestsFrom(lab, "fo2"), 0);
}

}  // namespace
}  // namespace failover::cluster_e2e

namespace failover::cluster_e2e {
namespace {

// The node in charge loses its router while the standby still reaches it: after
// takeover_after_ms it hands over (router_lost), and the new node in charge routes.
TEST(ClusterFailuresTest, TheNodeInChargeThatLosesTheRouterHandsOver) {
  ClusterLab lab;
  lab.start();
  const size_t mark = lab.bus().mark();
  ASSERT_EQ(lab.sim("refuse " + ClusterLab::routerAddress("fo1") + " on"), "ok");
  const auto event = lab.bus().waitAfter(
      mark, ClusterLab::topic("cluster/event"),
      [](const std::string& text) {
        auto json = parseJson(text);
        return json && json->value("to", "") == "fo2";
      },
      5000ms);
  ASSERT_TRUE(event);
  EXPECT_EQ(parseJson(*event)->value("reason", ""), "router_lost");
  EXPECT_EQ(lab.routes()[1], kMainInput);
  lab.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, 5000ms));
  EXPECT_EQ(lab.routingRequestsFrom(ClusterLab::routerAddress("fo2")), 1);
  EXPECT_EQ(lab.routingRequestsFrom(ClusterLab::routerAddress("fo1")), 0);
}

}  // namespace
}  // namespace failover::cluster_e2e
