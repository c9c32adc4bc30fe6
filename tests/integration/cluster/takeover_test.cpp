// A takeover: the node in charge killed, frozen or asked to hand over. The standby takes
// charge within its bounds, the routing on air is not changed by the takeover itself, and a
// node that is not in charge sends the router nothing (counted from the router's log).

#include <signal.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "cluster_lab.h"

namespace failover::cluster_e2e {
namespace {

class TakeoverTest : public ::testing::Test {
 protected:
  void SetUp() override { lab_.start(); }

  int requestsFrom(const std::string& node) const {
    return lab_.routingRequestsFrom(ClusterLab::routerAddress(node));
  }

  // The next takeover event after history position `from`.
  std::optional<Json> waitTakeover(size_t from, std::chrono::milliseconds timeout = 5000ms) {
    auto payload = lab_.bus().waitAfter(
        from, ClusterLab::topic("cluster/event"),
        [](const std::string& text) {
          auto json = parseJson(text);
          return json && json->value("event_type", "") == "takeover";
        },
        timeout);
    return payload ? parseJson(*payload) : std::nullopt;
  }

  ClusterLab lab_;
};

TEST_F(TakeoverTest, TheStandbyTakesChargeWhenTheNodeInChargeIsKilled) {
  const size_t mark = lab_.bus().mark();
  lab_.stopNode("fo1", SIGKILL);
  const auto event = waitTakeover(mark);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->value("from", Json()), "fo1");
  EXPECT_EQ(event->value("to", ""), "fo2");
  EXPECT_EQ(event->value("reason", ""), "active_offline") << "its Last Will came at once";
  EXPECT_GT(event->value("takeover_ms", 0), 0);
  EXPECT_TRUE(lab_.waitActive("fo2", 1000ms));
  EXPECT_TRUE(lab_.bus().waitLatestEquals(ClusterLab::topic("nodes/fo1/state"), "offline", 3000ms));
  // The takeover itself routes nothing; the new node in charge publishes the pair.
  EXPECT_TRUE(lab_.waitState(
      [](const Json& state) { return state.value("active", Json()) == kMain; }, 3000ms));
  EXPECT_EQ(requestsFrom("fo1"), 0);
  EXPECT_EQ(requestsFrom("fo2"), 0);
  EXPECT_EQ(lab_.routes()[1], kMainInput);
}

TEST_F(TakeoverTest, AMainFailingJustAfterTheNodeInChargeWasKilledGoesToItsBackup) {
  lab_.stopNode("fo1", SIGKILL);
  std::this_thread::sleep_for(100ms);  // the scenario: the failure 100 ms after the kill
  lab_.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab_.waitPairRoutedTo(kBackupInput, 3000ms));
  EXPECT_EQ(requestsFrom("fo1"), 0);
  EXPECT_EQ(requestsFrom("fo2"), 1);
}

// 400 ms frozen (takeover_after_ms - heartbeat_ms), starting just after a heartbeat of fo1:
// the timeline tests and takeover_bench short-freeze cover every phase of the heartbeat cycle;
// here the phase is fixed so that a loaded test machine cannot turn the test into a coin toss.
TEST_F(TakeoverTest, AFreezeShorterThanTheTakeoverTimeCausesNoTakeover) {
  const size_t mark = lab_.bus().mark();
  ASSERT_TRUE(lab_.bus().waitAfter(
      mark, ClusterLab::topic("nodes/fo1/heartbeat"), [](const std::string&) { return true; },
      1000ms));
  lab_.signalNode("fo1", SIGSTOP);
  std::this_thread::sleep_for(400ms);  // the freeze itself is the scenario
  lab_.signalNode("fo1", SIGCONT);
  EXPECT_FALSE(waitTakeover(mark, 1500ms));
  EXPECT_EQ(lab_.bus().latest(ClusterLab::topic("cluster/active")), "fo1");
  // fo1 still acts: a failing Main goes to its Backup, routed by fo1.
  lab_.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab_.waitPairRoutedTo(kBackupInput, 3000ms));
  EXPECT_EQ(requestsFrom("fo1"), 1);
  EXPECT_EQ(requestsFrom("fo2"), 0);
}

// Frozen past the takeover: the standby takes charge and the Main fails meanwhile (something
// for the resumed node to act on, were it to act). On resume the old node's fence is already
// shut; it reads the newer claim and stands by, and never routes. After 60 s frozen the broker
// has long dropped its connection (keepalive): it comes back through a reconnect.
void frozenThenResumed(ClusterLab& lab, std::chrono::milliseconds frozen) {
  const auto stopped_at = std::chrono::steady_clock::now();
  const size_t mark = lab.bus().mark();
  lab.signalNode("fo1", SIGSTOP);
  ASSERT_TRUE(lab.waitActive("fo2", 3000ms));
  const auto event = lab.bus().waitAfter(
      mark, ClusterLab::topic("cluster/event"),
      [](const std::string& text) { return text.find("\"to\":\"fo2\"") != std::string::npos; },
      1000ms);
  EXPECT_TRUE(event);
  lab.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, 3000ms));
  std::this_thread::sleep_until(stopped_at + frozen);  // the freeze itself is the scenario
  lab.signalNode("fo1", SIGCONT);
  // Within a second of resuming, or of reconnecting after the 1 s back-off at most.
  EXPECT_TRUE(lab.waitRole("fo1", "standby", 5000ms));
  EXPECT_TRUE(lab.bus().waitLatestEquals(ClusterLab::topic("nodes/fo1/state"), "online", 5000ms));
  EXPECT_EQ(lab.bus().latest(ClusterLab::topic("cluster/active")), "fo2");
  lab.health().set(kMain, "engine", testing::Heartbeats::kOk);
  lab.health().set(kBackup, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kMainInput, 3000ms));
  EXPECT_EQ(lab.routingRequestsFrom(ClusterLab::routerAddress("fo1")), 0);
  EXPECT_EQ(lab.routingRequestsFrom(ClusterLab::routerAddress("fo2")), 2);
}

TEST_F(TakeoverTest, ANodeFrozenFor3sStandsDownWithoutRoutingWhenItResumes) {
  frozenThenResumed(lab_, 3s);
}

TEST_F(TakeoverTest, ANodeFrozenFor60sStandsDownWithoutRoutingWhenItResumes) {
  frozenThenResumed(lab_, 60s);
}

TEST_F(TakeoverTest, AHandoverMovesChargeWithoutRouting) {
  const size_t mark = lab_.bus().mark();
  lab_.publish(ClusterLab::topic("cluster/request/handover"), R"({"to":"fo2","transaction":"h1"})");
  const auto answer = lab_.bus().waitAfter(
      mark, ClusterLab::topic("cluster/response/handover"), [](const std::string&) { return true; },
      3000ms);
  ASSERT_TRUE(answer);
  EXPECT_EQ(parseJson(*answer)->value("status", ""), "ok");
  const auto event = waitTakeover(mark);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->value("reason", ""), "handover");
  EXPECT_TRUE(lab_.waitActive("fo2", 1000ms));
  EXPECT_TRUE(lab_.waitRole("fo1", "standby", 1000ms));
  EXPECT_EQ(requestsFrom("fo1"), 0);
  EXPECT_EQ(requestsFrom("fo2"), 0);
}

TEST_F(TakeoverTest, AHandoverToAnUnknownNodeIsRefused) {
  const size_t mark = lab_.bus().mark();
  lab_.publish(ClusterLab::topic("cluster/request/handover"), R"({"to":"fo9"})");
  const auto answer = lab_.bus().waitAfter(
      mark, ClusterLab::topic("cluster/response/handover"), [](const std::string&) { return true; },
      3000ms);
  ASSERT_TRUE(answer);
  EXPECT_EQ(parseJson(*answer)->value("status", ""), "error");
  EXPECT_EQ(lab_.bus().latest(ClusterLab::topic("cluster/active")), "fo1");
}

}  // namespace
}  // namespace failover::cluster_e2e

namespace failover::cluster_e2e {
namespace {

// routers.<id>.lock_outputs: the node in charge holds the locks of its pairs' outputs; the
// next one takes them (force-unlocking the old holder's) before it routes.
TEST(LockOutputsTest, TheNodeInChargeHoldsTheLocksAndTheNextTakesThemBeforeItRoutes) {
  ClusterLabOptions options;
  options.lock_outputs = true;
  ClusterLab lab(options);
  lab.start();
  const std::string fo1 = ClusterLab::routerAddress("fo1");
  const std::string fo2 = ClusterLab::routerAddress("fo2");
  EXPECT_GE(lab.requestsFrom(fo1, "VIDEO OUTPUT LOCKS"), 1);
  EXPECT_EQ(lab.requestsFrom(fo2, "VIDEO OUTPUT LOCKS"), 0);
  lab.stopNode("fo1", SIGKILL);
  ASSERT_TRUE(lab.waitActive("fo2", 3000ms));
  // Taken at once, before anything is routed.
  const auto deadline = std::chrono::steady_clock::now() + 3000ms;
  while (lab.requestsFrom(fo2, "VIDEO OUTPUT LOCKS") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);  // the router's log has no event to await
  }
  EXPECT_GE(lab.requestsFrom(fo2, "VIDEO OUTPUT LOCKS"), 1);
  lab.health().set(kMain, "engine", R"({"status":"error","mode":"live"})");
  EXPECT_TRUE(lab.waitPairRoutedTo(kBackupInput, 3000ms));
  EXPECT_EQ(lab.routingRequestsFrom(fo1), 0);
  EXPECT_EQ(lab.routingRequestsFrom(fo2), 1);
}

}  // namespace
}  // namespace failover::cluster_e2e
