// Timelines of the cluster election on a simulated broker (sim_cluster.h), default timing:
// heartbeat 100 ms, takeover after 500 ms, lease 250 ms. Every test also checks that no two
// nodes ever had an open fence at the same instant.

#include <gtest/gtest.h>

#include "sim_cluster.h"

namespace failover::cluster {
namespace {

using testing::SimCluster;

class ElectionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(sim.violations(), 0) << sim.violationReport();
    EXPECT_TRUE(sim.termsMonotonic());
  }
  // The one node routing now, or -1 (none) / -2 (several).
  int router() const {
    const auto open = sim.routing();
    return open.empty() ? -1 : open.size() == 1 ? open.front() : -2;
  }
  SimCluster sim;
};

TEST(ElectionTimingTest, DefaultsLeaveAMarginBetweenLeaseAndTakeover) {
  const auto timing = ElectionTiming::from({"fo1", 1, core::Millis(100), core::Millis(500), true});
  EXPECT_EQ(timing.lease, core::Millis(250));
  EXPECT_EQ(timing.margin, core::Millis(250));
  EXPECT_EQ(timing.settle, core::Millis(50));
  EXPECT_EQ(timing.silence, core::Millis(525));
  // The shortest takeover the configuration allows: three heartbeats. The lease stays two
  // heartbeats long, so one late echo does not stop the node in charge.
  const auto tight = ElectionTiming::from({"fo1", 1, core::Millis(100), core::Millis(300), true});
  EXPECT_EQ(tight.lease, core::Millis(200));
  EXPECT_EQ(tight.margin, core::Millis(100));
}

TEST(ElectionRoleTest, NamesRoundTrip) {
  for (const Role role : {Role::Active, Role::Standby, Role::Isolated}) {
    EXPECT_EQ(roleFromString(toString(role)), role);
  }
  EXPECT_FALSE(roleFromString("leader"));
}

TEST_F(ElectionTest, ANodeAloneTakesControlAfterListening) {
  const int a = sim.addNode("fo1", 1);
  sim.start(a, 0);
  sim.runUntil(450);
  EXPECT_EQ(router(), -1) << "listens for takeover_after_ms before claiming";
  sim.runUntil(1000);
  EXPECT_EQ(router(), a);
  ASSERT_EQ(sim.record(a).takeovers.size(), 1U);
  const TakeoverEvent& event = sim.record(a).takeovers.front();
  EXPECT_EQ(event.reason, "startup");
  EXPECT_EQ(event.from, "");
  EXPECT_EQ(event.to, "fo1");
  EXPECT_EQ(event.term, 1U);
  EXPECT_GE(event.takeover_ms, 500);
  EXPECT_LE(event.takeover_ms, 750);
  EXPECT_EQ(sim.election(a).role(), Role::Active);
  EXPECT_EQ(sim.record(a).roles.back(), Role::Active);
}

TEST_F(ElectionTest, TwoNodesStartedAtTheSameInstantElectTheBetterRank) {
  const int b = sim.addNode("fo2", 2);
  const int a = sim.addNode("fo1", 1);
  sim.start(b, 0);
  sim.start(a, 0);
  sim.runUntil(3000);
  EXPECT_EQ(router(), a);
  EXPECT_EQ(sim.election(b).role(), Role::Standby);
  EXPECT_TRUE(sim.record(b).takeovers.empty());
  EXPECT_EQ(sim.election(b).activeNode(), "fo1");
}

TEST_F(ElectionTest, TwoNodesStartedWithin50MsElectExactlyOne) {
  for (int64_t offset = 0; offset <= 50; offset += 5) {
    for (const bool better_first : {true, false}) {
      SimCluster cluster;
      const int a = cluster.addNode("fo1", 1);
      const int b = cluster.addNode("fo2", 2);
      cluster.setDelays(a, 1, 2);
      cluster.setDelays(b, 2, 1);
      cluster.start(better_first ? a : b, 0);
      cluster.start(better_first ? b : a, offset);
      cluster.runUntil(3000);
      EXPECT_EQ(cluster.routing().size(), 1U) << "offset " << offset;
      EXPECT_EQ(cluster.violations(), 0) << cluster.violationReport();
      EXPECT_EQ(cluster.record(a).takeovers.size() + cluster.record(b).takeovers.size(), 1U);
    }
  }
}

// kill -9: the broker publishes the will at once. The standby claims on it and opens its
// fence when the dead node's lease is over for certain (lease after its last heartbeat).
TEST_F(ElectionTest, StandbyTakesOverWhenTheActiveIsKilled) {
  for (int64_t phase = 0; phase < 100; phase += 10) {  // where between two heartbeats
    SimCluster cluster;
    const int a = cluster.addNode("fo1", 1);
    const int b = cluster.addNode("fo2", 2);
    cluster.start(a, 0);
    cluster.start(b, 0);
    const int64_t kill_at = 2000 + phase;
    cluster.kill(a, kill_at);
    cluster.runUntil(kill_at + 140);
    EXPECT_TRUE(cluster.routing().empty()) << "its lease may still run; phase " << phase;
    cluster.runUntil(kill_at + 270);
    EXPECT_EQ(cluster.routing(), std::vector<int>{b}) << "phase " << phase;
    ASSERT_EQ(cluster.record(b).takeovers.size(), 1U);
    const TakeoverEvent& event = cluster.record(b).takeovers.front();
    EXPECT_EQ(event.reason, "active_offline");
    EXPECT_EQ(event.from, "fo1");
    EXPECT_EQ(event.term, 2U);
    EXPECT_GE(event.takeover_ms, 140);  // counted from the will
    EXPECT_LE(event.takeover_ms, 260);
    EXPECT_EQ(cluster.violations(), 0) << cluster.violationReport();
  }
}

// With several brokers (a will may overtake heartbeats there) the will is not trusted: the
// standby waits for takeover_after_ms of silence, then decides on a heartbeat sent at once.
TEST_F(ElectionTest, WithoutTrustInWillsTheStandbyTakesOverOnSilence) {
  SimCluster cluster(core::Millis(100), core::Millis(500), 1, /*trust_last_will=*/false);
  const int a = cluster.addNode("fo1", 1);
  const int b = cluster.addNode("fo2", 2);
  cluster.start(a, 0);
  cluster.start(b, 0);
  cluster.runUntil(2000);
  cluster.kill(a, 2050);
  cluster.runUntil(2450);
  EXPECT_TRUE(cluster.routing().empty()) << "too early: silence shorter than takeover_after_ms";
  cluster.runUntil(2700);
  EXPECT_EQ(cluster.routing(), std::vector<int>{b});
  ASSERT_EQ(cluster.record(b).takeovers.size(), 1U);
  const TakeoverEvent& event = cluster.record(b).takeovers.front();
  EXPECT_EQ(event.reason, "active_silent");
  EXPECT_GE(event.takeover_ms, 525);  // from the last heartbeat read
  EXPECT_LE(event.takeover_ms, 585) << "silence + one round trip + settle";
  EXPECT_EQ(cluster.violations(), 0) << cluster.violationReport();
}

// The worst case of a will: the broker ended the connection but the node in charge never
// heard (the close was lost on the way), so it routes on until its lease runs out. The
// standby's fence must not open before that, wherever between two heartbeats it happens.
TEST_F(ElectionTest, AWillWhileTheNodeInChargeStillHoldsItsLeaseOpensNoSecondFence) {
  for (int64_t phase = 0; phase < 100; phase += 5) {
    for (const int64_t standby_delay : {1, 30}) {
      SimCluster cluster;
      const int a = cluster.addNode("fo1", 1);
      const int b = cluster.addNode("fo2", 2);
      cluster.setDelays(b, standby_delay, standby_delay);
      cluster.start(a, 0);
      cluster.start(b, 0);
      cluster.runUntil(2000);
      cluster.cut(a, 2000 + phase, /*reported=*/false, /*will_after_ms=*/0);
      cluster.runUntil(3000);
      EXPECT_EQ(cluster.violations(), 0)
          << "phase " << phase << ", delay " << standby_delay << ": " << cluster.violationReport();
      EXPECT_EQ(cluster.routing(), std::vector<int>{b});
    }
  }
}

// A connection of the node in charge dropped and rebuilt within milliseconds: its will goes
// out, the standby starts to claim, the returning node reads the newer claim. One in charge.
TEST_F(ElectionTest, ABlipOfTheConnectionOfTheNodeInChargeLeavesOneInCharge) {
  for (const int64_t blip : {5, 30, 120, 300}) {
    SimCluster cluster;
    const int a = cluster.addNode("fo1", 1);
    const int b = cluster.addNode("fo2", 2);
    cluster.start(a, 0);
    cluster.start(b, 0);
    cluster.runUntil(2000);
    cluster.cut(a, 2030, /*reported=*/true);
    cluster.reconnect(a, 2030 + blip);
    cluster.runUntil(5000);
    EXPECT_EQ(cluster.violations(), 0) << "blip " << blip << ": " << cluster.violationReport();
    EXPECT_EQ(cluster.routing().size(), 1U) << "blip " << blip;
  }
}

// takeover_after_ms - heartbeat_ms frozen, wherever between two heartbeats the freeze
// begins: the heartbeat sent on resume arrives before the standby's silence runs out.
TEST_F(ElectionTest, AShortFreezeOfTheActiveCausesNoTakeover) {
  for (int64_t phase = 0; phase <= 100; phase += 5) {
    SimCluster cluster;
    const int a = cluster.addNode("fo1", 1);
    const int b = cluster.addNode("fo2", 2);
    cluster.setDelays(a, 2, 2);
    cluster.setDelays(b, 2, 2);
    cluster.start(a, 0);
    cluster.start(b, 0);
    cluster.runUntil(2000);
    ASSERT_EQ(cluster.routing(), std::vector<int>{a});
    cluster.freeze(a, 2000 + phase, 400);
    cluster.runUntil(4000);
    EXPECT_EQ(cluster.routing(), std::vector<int>{a}) << "phase " << phase;
    EXPECT_TRUE(cluster.record(b).takeovers.empty()) << "phase " << phase;
    EXPECT_EQ(cluster.election(a).term(), 1U);
    EXPECT_EQ(cluster.violations(), 0) << cluster.violationReport();
  }
}

TEST_F(ElectionTest, ALongFreezeHandsControlOverAndTheOldActiveStandsDownWithoutRouting) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  ASSERT_EQ(router(), a);
  sim.freeze(a, 2000, 3000);
  sim.runUntil(2400);
  // Frozen, it cannot notice anything, but its lease has run out: it may not route.
  EXPECT_FALSE(sim.election(a).fenceOpen(sim.time(2400)));
  sim.runUntil(3000);
  EXPECT_EQ(router(), b);
  const size_t fence_changes = sim.record(a).fence_changes.size();
  sim.runUntil(7000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.election(a).role(), Role::Standby);
  EXPECT_EQ(sim.election(a).activeNode(), "fo2");
  // On resume the old active only closed its fence; it never opened it again.
  for (size_t i = fence_changes; i < sim.record(a).fence_changes.size(); ++i) {
    EXPECT_FALSE(sim.record(a).fence_changes[i].second);
  }
  EXPECT_EQ(sim.record(a).takeovers.size(), 1U);
  EXPECT_GE(sim.election(a).term(), 2U);
}

TEST_F(ElectionTest, HandoverMovesControlToTheNamedNode) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  ASSERT_EQ(router(), a);
  sim.handover(2000, "fo2");
  sim.runUntil(2400);
  EXPECT_EQ(router(), b);
  ASSERT_EQ(sim.record(a).answers.size(), 1U);
  EXPECT_TRUE(sim.record(a).answers.front().accepted);
  ASSERT_EQ(sim.record(b).takeovers.size(), 1U);
  const TakeoverEvent& event = sim.record(b).takeovers.front();
  EXPECT_EQ(event.reason, "handover");
  EXPECT_EQ(event.from, "fo1");
  EXPECT_LE(event.takeover_ms, 250);
  // No preemption: the better rank stays standby afterwards.
  sim.runUntil(5000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.election(a).role(), Role::Standby);
  // ... until asked.
  sim.handover(5000, "fo1");
  sim.runUntil(5400);
  EXPECT_EQ(router(), a);
}

TEST_F(ElectionTest, HandoverToAnUnknownNodeIsRefused) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.handover(2000, "fo9");
  sim.runUntil(3000);
  EXPECT_EQ(router(), a);
  ASSERT_EQ(sim.record(a).answers.size(), 1U);
  EXPECT_FALSE(sim.record(a).answers.front().accepted);
  EXPECT_EQ(sim.record(a).answers.front().message, "unknown node 'fo9'");
  EXPECT_TRUE(sim.record(b).answers.empty()) << "only the node in charge answers";
}

TEST_F(ElectionTest, HandoverToADeadNodeIsRefused) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.kill(b, 2000);
  sim.handover(3000, "fo2");
  sim.runUntil(3500);
  EXPECT_EQ(router(), a);
  ASSERT_EQ(sim.record(a).answers.size(), 1U);
  EXPECT_FALSE(sim.record(a).answers.front().accepted);
}

TEST_F(ElectionTest, ADuplicateRankIsolatesTheNewcomerAndLeavesTheActiveInCharge) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 1);
  sim.start(a, 0);
  sim.runUntil(2000);
  ASSERT_EQ(router(), a);
  sim.start(b, 2000);
  sim.kill(a, 4000);
  sim.runUntil(3500);
  EXPECT_EQ(router(), a);
  EXPECT_EQ(sim.election(b).role(), Role::Isolated);
  ASSERT_FALSE(sim.record(b).problems.empty());
  EXPECT_EQ(sim.record(b).problems.front().kind, ProblemKind::DuplicateRank);
  EXPECT_EQ(sim.record(a).problems.front().kind, ProblemKind::DuplicateRank);
  // The conflict is gone with the other node: the newcomer may then take over.
  sim.runUntil(6000);
  EXPECT_EQ(router(), b);
}

TEST_F(ElectionTest, TwoNodesWithTheSameRankStartingTogetherBothRefuse) {
  const int a = sim.addNode("fo1", 3);
  const int b = sim.addNode("fo2", 3);
  sim.start(a, 0);
  sim.start(b, 10);
  sim.runUntil(3000);
  EXPECT_EQ(router(), -1);
  EXPECT_EQ(sim.election(a).role(), Role::Isolated);
  EXPECT_EQ(sim.election(b).role(), Role::Isolated);
}

TEST_F(ElectionTest, ADuplicateNodeIdIsIsolated) {
  const int a = sim.addNode("fo1", 1);
  const int twin = sim.addNode("fo1", 2);
  sim.start(a, 0);
  sim.runUntil(2000);
  sim.start(twin, 2000);
  sim.runUntil(4000);
  EXPECT_EQ(router(), a);
  EXPECT_EQ(sim.election(twin).role(), Role::Isolated);
  ASSERT_FALSE(sim.record(twin).problems.empty());
  EXPECT_EQ(sim.record(twin).problems.front().kind, ProblemKind::DuplicateNodeId);
}

// A second process started with the node_id of the node in charge: the standby must keep
// seeing the node in charge, not only the namesake's heartbeats (role isolated), or it would
// claim while that node still routes.
TEST_F(ElectionTest, ANamesakeOfTheNodeInChargeDoesNotHideItFromTheStandby) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  const int twin = sim.addNode("fo1", 1);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  ASSERT_EQ(router(), a);
  sim.start(twin, 2000);
  sim.runUntil(5000);
  EXPECT_EQ(router(), a);
  EXPECT_EQ(sim.election(twin).role(), Role::Isolated);
  EXPECT_TRUE(sim.record(b).takeovers.empty()) << "fo2 claimed while fo1 was in charge";
}

TEST_F(ElectionTest, WhenTheActiveAndTheFirstStandbyDieTogetherTheThirdTakesOver) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  const int c = sim.addNode("fo3", 3);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.start(c, 0);
  sim.runUntil(2000);
  ASSERT_EQ(router(), a);
  sim.kill(a, 2000);
  sim.kill(b, 2000);
  sim.runUntil(2300);
  EXPECT_EQ(router(), c) << "both wills: fo3 need not wait for fo2 to fall silent";
  ASSERT_EQ(sim.record(c).takeovers.size(), 1U);
  EXPECT_EQ(sim.record(c).takeovers.front().from, "fo1");
  EXPECT_EQ(sim.record(c).takeovers.front().reason, "active_offline");
}

TEST_F(ElectionTest, WhenOnlyTheActiveDiesTheBestRankedStandbyTakesOver) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  const int c = sim.addNode("fo3", 3);
  sim.start(c, 0);
  sim.start(b, 0);
  sim.start(a, 0);
  sim.runUntil(2000);
  sim.kill(a, 2000);
  sim.runUntil(4000);
  EXPECT_EQ(router(), b);
  EXPECT_TRUE(sim.record(c).takeovers.empty());
}

TEST_F(ElectionTest, AnActiveCutFromTheBrokerStopsRoutingWhenItsLeaseRunsOut) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.cut(a, 2030, /*reported=*/true);
  sim.runUntil(2100);
  EXPECT_EQ(router(), a) << "it routes on for the rest of its lease";
  sim.runUntil(2330);
  EXPECT_EQ(router(), b) << "the will of the closed connection started the takeover";
  EXPECT_EQ(sim.record(b).takeovers.front().reason, "active_offline");
  sim.reconnect(a, 4000);
  sim.runUntil(6000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.election(a).role(), Role::Standby);
}

TEST_F(ElectionTest, AnActiveSilentlyBlackHoledIsReplacedAndStandsDownOnReturn) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.cut(a, 2000, /*reported=*/false);
  sim.runUntil(3000);
  EXPECT_EQ(router(), b);
  sim.reconnect(a, 5000);
  sim.runUntil(7000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.election(a).role(), Role::Standby);
}

TEST_F(ElectionTest, AnActiveThatCanNoLongerSendIsReplaced) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.cutOneWay(a, 2000, /*outbound=*/true);
  sim.runUntil(2400);
  EXPECT_EQ(router(), -1);
  sim.runUntil(3000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.record(b).takeovers.front().reason, "active_silent");
  EXPECT_EQ(sim.election(a).role(), Role::Standby) << "read the new claim";
  sim.reconnect(a, 4000);
  sim.runUntil(6000);
  EXPECT_EQ(router(), b);
}

TEST_F(ElectionTest, AnActiveThatCanNoLongerReceiveIsFencedAndReplaced) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.cutOneWay(a, 2000, /*outbound=*/false);
  sim.runUntil(2400);
  EXPECT_EQ(router(), -1) << "its own heartbeats no longer come back";
  EXPECT_EQ(sim.election(b).activeNode(), "fo1") << "it still says it holds the claim";
  sim.runUntil(3500);
  EXPECT_EQ(router(), b);
  ASSERT_EQ(sim.record(b).takeovers.size(), 1U);
  EXPECT_EQ(sim.record(b).takeovers.front().reason, "active_stood_down");
  sim.reconnect(a, 5000);
  sim.runUntil(7000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.election(a).role(), Role::Standby);
}

TEST_F(ElectionTest, AfterABrokerRestartTheBestRankedNodeIsInChargeAgain) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.cut(a, 2000, /*reported=*/true);
  sim.cut(b, 2000, /*reported=*/true);
  sim.runUntil(3000);
  EXPECT_EQ(router(), -1);
  sim.reconnect(a, 4000);
  sim.reconnect(b, 4000);
  sim.runUntil(6000);
  EXPECT_EQ(router(), a);
  EXPECT_GT(sim.election(a).term(), 1U);
}

TEST_F(ElectionTest, AStandbyCutFromTheBrokerDoesNotClaim) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.cut(b, 2000, /*reported=*/false);
  sim.runUntil(5000);
  EXPECT_EQ(router(), a);
  EXPECT_TRUE(sim.record(b).takeovers.empty());
  sim.reconnect(b, 5000);
  sim.runUntil(7000);
  EXPECT_EQ(router(), a);
  EXPECT_TRUE(sim.record(b).takeovers.empty());
}

TEST_F(ElectionTest, AFrozenStandbyReadsTheBacklogBeforeClaiming) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  for (const int64_t freeze : {300, 450, 600, 1000, 3000}) {
    sim.freeze(b, sim.nowMs(), freeze);
    sim.runUntil(sim.nowMs() + freeze + 1000);
    EXPECT_EQ(router(), a) << "after a freeze of " << freeze << " ms";
  }
  EXPECT_TRUE(sim.record(b).takeovers.empty());
}

TEST_F(ElectionTest, AnActiveThatLosesItsRoutersHandsOverToAStandbyThatReachesThem) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.routers(a, 2000, false);
  sim.runUntil(2400);
  EXPECT_EQ(router(), a);
  sim.runUntil(3000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.record(b).takeovers.front().reason, "router_lost");
}

TEST_F(ElectionTest, AnActiveThatLosesItsRoutersKeepsControlWhenNoStandbyReachesThem) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.routers(b, 1500, false);
  sim.routers(a, 2000, false);
  sim.runUntil(4000);
  EXPECT_EQ(router(), a);
}

TEST_F(ElectionTest, ARestartedNodeDoesNotPreempt) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.kill(a, 2000);
  sim.runUntil(3000);
  ASSERT_EQ(router(), b);
  sim.restart(a, 3000);
  sim.runUntil(6000);
  EXPECT_EQ(router(), b);
  EXPECT_EQ(sim.election(a).role(), Role::Standby);
  EXPECT_EQ(sim.election(a).term(), 2U) << "learns the term from the cluster";
}

// The node in charge loses its connection (the broker publishes its will) and reconnects
// within its lease. Were it to keep control and renew its lease over the new connection, a
// standby claiming on the will, which opens lease after the last heartbeat of the old
// connection, could overlap with it: when the broker's messages reach the standby later from
// then on, or when the standby was frozen around the reconnect.
TEST_F(ElectionTest, ANodeInChargeThatReconnectsWithinItsLeaseGivesUpControl) {
  for (int64_t phase = 0; phase < 100; phase += 10) {
    for (int64_t blip = 20; blip <= 240; blip += 20) {
      for (const bool frozen_standby : {false, true}) {
        SimCluster cluster;
        const int a = cluster.addNode("fo1", 1);
        const int b = cluster.addNode("fo2", 2);
        cluster.start(a, 0);
        cluster.start(b, 0);
        const int64_t cut_at = 2000 + phase;
        cluster.runUntil(cut_at);
        if (frozen_standby) {
          cluster.freeze(b, cut_at + blip - 1, 100);
        } else {
          cluster.setDelays(b, 1, 60);  // the broker reaches fo2 60 ms later from here on
        }
        cluster.cut(a, cut_at, /*reported=*/true);
        cluster.reconnect(a, cut_at + blip);
        cluster.runUntil(5000);
        EXPECT_EQ(cluster.violations(), 0)
            << "phase " << phase << ", blip " << blip << (frozen_standby ? ", frozen" : "") << ": "
            << cluster.violationReport();
        EXPECT_EQ(cluster.routing().size(), 1U);
      }
    }
  }
}

// The node in charge lapses (a 300 ms freeze), sends a fenced heartbeat on resume and reopens
// on its echo. The broker closes its connection just after, before the reopening heartbeat
// passes, and the node never hears. The standby reads the fenced heartbeat, then the will: the
// lease of a fenced claim must hold it back too, since its sender reopened on it.
TEST_F(ElectionTest, AWillAfterAFencedHeartbeatWaitsForThatHeartbeatsLease) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  sim.setDelays(a, 5, 1);
  sim.start(a, 0);
  sim.start(b, 200);
  sim.runUntil(2000);
  ASSERT_EQ(router(), a);
  sim.freeze(a, 2000, 300);  // resumes at 2300: lapses, sends a fenced heartbeat
  sim.cut(a, 2308, /*reported=*/false, /*will_after_ms=*/0);
  sim.runUntil(2307);
  EXPECT_EQ(router(), a) << "reopened on the echo of its fenced heartbeat";
  sim.runUntil(3000);
  EXPECT_EQ(router(), b);
}

// A will under the node_id of the node in charge while a namesake runs beside it: it may be
// the namesake's (here it is), so it must not unseat the node in charge.
TEST_F(ElectionTest, TheWillOfANamesakeDoesNotUnseatTheNodeInCharge) {
  const int a = sim.addNode("fo1", 1);
  const int b = sim.addNode("fo2", 2);
  const int twin = sim.addNode("fo1", 1);
  sim.start(a, 0);
  sim.start(b, 0);
  sim.runUntil(2000);
  sim.start(twin, 2000);
  sim.runUntil(5000);
  ASSERT_EQ(router(), a);
  sim.kill(twin, 5000);
  sim.runUntil(8000);
  EXPECT_EQ(router(), a);
  EXPECT_TRUE(sim.record(b).takeovers.empty());
}

// Random kills, freezes, cuts and handovers, with jittery links (up to `jitter_ms` more on
// each hop, so one node may read a message 2 * jitter_ms later than another): never two
// routing at once, and after things settle one node is in charge.
class ElectionRandomTest : public ::testing::TestWithParam<int64_t> {};

TEST_P(ElectionRandomTest, NeverTwoNodesRoutingAtOnce) {
  const int64_t jitter_ms = GetParam();
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    SimCluster sim(core::Millis(100), core::Millis(500), seed);
    std::mt19937 random(seed);
    const int count = 2 + static_cast<int>(seed % 2);
    for (int i = 0; i < count; ++i) {
      sim.addNode("fo" + std::to_string(i + 1), i + 1);
      sim.setDelays(i, 1 + i, 1 + 2 * i, jitter_ms);
      sim.start(i, std::uniform_int_distribution<int64_t>(0, 50)(random));
    }
    int64_t at = 1500;
    for (int step = 0; step < 12; ++step) {
      const int node = std::uniform_int_distribution<int>(0, count - 1)(random);
      switch (std::uniform_int_distribution<int>(0, 6)(random)) {
        case 0:
          sim.kill(node, at);
          sim.restart(node, at + 1500);
          break;
        case 1:
          sim.freeze(node, at, std::uniform_int_distribution<int64_t>(100, 3000)(random));
          break;
        case 2: {
          const bool reported = random() % 2 == 0;
          const int64_t will_after =
              std::uniform_int_distribution<int64_t>(-1, 3)(random) * 500;  // -500: never
          sim.cut(node, at, reported, will_after);
          sim.reconnect(node, at + std::uniform_int_distribution<int64_t>(100, 3000)(random));
          break;
        }
        case 3:
          sim.handover(at, "fo" + std::to_string(node + 1));
          break;
        case 4:
          sim.routers(node, at, false);
          sim.routers(node, at + 1000, true);
          break;
        case 5:
          sim.cutOneWay(node, at, random() % 2 == 0);
          sim.reconnect(node, at + std::uniform_int_distribution<int64_t>(100, 3000)(random));
          break;
        default:
          break;
      }
      at += std::uniform_int_distribution<int64_t>(200, 2500)(random);
    }
    sim.runUntil(at + 6000);
    EXPECT_EQ(sim.violations(), 0) << "seed " << seed << ": " << sim.violationReport();
    EXPECT_TRUE(sim.termsMonotonic()) << "seed " << seed;
    EXPECT_EQ(sim.routing().size(), 1U) << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Jitter, ElectionRandomTest, ::testing::Values(0, 20, 60));

}  // namespace
}  // namespace failover::cluster
