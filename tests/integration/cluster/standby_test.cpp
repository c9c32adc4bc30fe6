// The standby: it acts on no command and routes nothing, follows the run-time settings the
// node in charge publishes, and after a takeover acts like the node it replaced.

#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "cluster_lab.h"

namespace failover::cluster_e2e {
namespace {

class StandbyTest : public ::testing::Test {
 protected:
  void SetUp() override { lab_.start(); }

  int requestsFrom(const std::string& node) const {
    return lab_.routingRequestsFrom(ClusterLab::routerAddress(node));
  }

  ClusterLab lab_;
};

TEST_F(StandbyTest, OnlyTheNodeInChargeRoutesAndAnswersACommand) {
  const size_t mark = lab_.bus().mark();
  lab_.publish(ClusterLab::pairTopic("request/switch"),
               R"({"target":"green-backup","transaction":"t1"})");
  EXPECT_TRUE(lab_.waitPairRoutedTo(kBackupInput, 3000ms));
  // Answered once, by the node in charge.
  const auto answers = lab_.bus().collect(mark, ClusterLab::pairTopic("response/switch"), 1000ms);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(parseJson(answers[0])->value("status", ""), "ok");
  EXPECT_EQ(requestsFrom("fo1"), 1);
  EXPECT_EQ(requestsFrom("fo2"), 0);
}

TEST_F(StandbyTest, TheStandbyFollowsAModeSetOnTheNodeInChargeAndKeepsItAfterATakeover) {
  lab_.publish(ClusterLab::pairTopic("set/mode"), "manual");
  ASSERT_TRUE(lab_.waitState([](const Json& state) { return state.value("mode", "") == "manual"; },
                             3000ms));
  lab_.stopNode("fo1", SIGKILL);
  ASSERT_TRUE(lab_.waitActive("fo2", 3000ms));
  // Published by fo2 now: still manual, and a failing Main is not switched.
  const size_t mark = lab_.bus().mark();
  lab_.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab_.bus().waitAfter(
      mark, ClusterLab::pairTopic("state"),
      [](const std::string& text) {
        auto state = parseJson(text);
        return state && state->value("mode", "") == "manual" &&
               !state->at("machines").at(kMain).value("healthy", true);
      },
      3000ms));
  EXPECT_EQ(lab_.routes()[1], kMainInput);
  EXPECT_EQ(requestsFrom("fo1"), 0);
  EXPECT_EQ(requestsFrom("fo2"), 0);
}

TEST_F(StandbyTest, EachNodeReportsItsRoleAndState) {
  EXPECT_TRUE(lab_.waitRole("fo1", "active", 1000ms));
  EXPECT_TRUE(lab_.waitRole("fo2", "standby", 1000ms));
  EXPECT_TRUE(lab_.bus().waitLatestEquals(ClusterLab::topic("nodes/fo1/state"), "online", 1000ms));
  EXPECT_TRUE(lab_.bus().waitLatestEquals(ClusterLab::topic("nodes/fo2/state"), "online", 1000ms));
  EXPECT_TRUE(lab_.bus().waitLatest(
      ClusterLab::topic("nodes/fo2/info"),
      [](const std::string& text) {
        auto info = parseJson(text);
        return info && info->value("node_id", "") == "fo2";
      },
      1000ms));
}

}  // namespace
}  // namespace failover::cluster_e2e

namespace failover::cluster_e2e {
namespace {

// routers.<id>.write_labels: only the node in charge writes the input labels; a standby only
// reads, and writes them when it comes into charge.
TEST(StandbyLabelsTest, OnlyTheNodeInChargeWritesInputLabels) {
  ClusterLabOptions options;
  options.write_labels = true;
  ClusterLab lab(options);
  lab.start();
  const std::string fo1 = ClusterLab::routerAddress("fo1");
  const std::string fo2 = ClusterLab::routerAddress("fo2");
  EXPECT_GE(lab.requestsFrom(fo1, "INPUT LABELS"), 1);
  EXPECT_EQ(lab.requestsFrom(fo2, "INPUT LABELS"), 0);
  // A panel renames the Main's input; the standby does not put it back.
  ASSERT_EQ(lab.sim("label input 1 Renamed"), "ok");
  lab.stopNode("fo1", SIGKILL);
  ASSERT_TRUE(lab.waitActive("fo2", 3000ms));
  const auto deadline = std::chrono::steady_clock::now() + 3000ms;
  while (lab.requestsFrom(fo2, "INPUT LABELS") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);  // the router's log has no event to await
  }
  EXPECT_EQ(lab.requestsFrom(fo2, "INPUT LABELS"), 1);
}

}  // namespace
}  // namespace failover::cluster_e2e
