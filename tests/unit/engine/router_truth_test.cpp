// Router truth: the observed routing decides which machine is on air; switches made by
// others are reported; after the router returns, desired and observed routing are
// reconciled; locks are reported.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RouterTruthTest : public EngineTimeline {};

TEST_F(RouterTruthTest, RouteChangedByOthersIsAnExternalSwitch) {
  start(basicConfig());
  settle();
  EXPECT_THAT(handle(3000, routing({{1, 2}, {2, 2}}, false)),
              ElementsAre("event external_switch green #1 green-main->green-backup ok",
                          "state green active active=green-backup"));
  const SwitchEvent event = *view("green").last_switch;
  EXPECT_EQ(event.reason,
            "the router's routing changed outside this node (front panel or another client)");
  EXPECT_EQ(event.input_from, 1);
  EXPECT_EQ(event.input_to, 2);
  EXPECT_EQ(event.confirmed, at(3000));
}

TEST_F(RouterTruthTest, OutputsShowingNeitherMachineAreReported) {
  start(basicConfig());
  settle();
  EXPECT_THAT(handle(3000, routing({{2, 7}}, false)),
              ElementsAre("warning green routing_unknown", "state green degraded active=?"));
  EXPECT_EQ(view("green").warnings[0].message,
            "outputs [1,2] show neither green-main (input 1) nor green-backup (input 2)");
  EXPECT_EQ(view("green").router.input, std::nullopt);
  // Nothing automatic acts on an unknown active machine, even when the Main fails.
  EXPECT_THAT(handle(3100, health("green-main", Check::Engine, Reported::Fail)),
              ElementsAre("state green degraded active=?"));
}

TEST_F(RouterTruthTest, ActiveMachineIsUnknownUntilTheRouterReportsRouting) {
  start(basicConfig());
  report("green-main", Check::Engine, Reported::Fail);
  runTo(2500);
  EXPECT_EQ(view("green").active, std::nullopt);
  EXPECT_EQ(view("green").failover, FailoverState::Degraded);
  EXPECT_EQ(view("green").warnings[0].code, "router_disconnected");
  // The router says the (failing) Main is on air, past start-up grace: failover.
  EXPECT_THAT(handle(2550, routing({{1, 1}, {2, 1}})),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(RouterTruthTest, StartWithTheBackupOnAirKeepsIt) {
  start(basicConfig());
  EXPECT_THAT(handle(0, routing({{1, 2}, {2, 2}})),
              ElementsAre("state green active active=green-backup"));
  for (const auto& line : runTo(10000)) {
    EXPECT_EQ(line, "state green active active=green-backup");
  }
  EXPECT_EQ(view("green").active, "green-backup");
}

TEST_F(RouterTruthTest, NothingIsDecidedWhileTheRouterIsAwayTheReturnDecidesAfresh) {
  start(basicConfig());
  settle();
  runTo(3000);
  EXPECT_THAT(handle(3000, routerDown()),
              ElementsAre("warning green router_disconnected", "state green degraded active=?"));
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(3100), ElementsAre("state green degraded active=?"));
  EXPECT_THAT(runTo(5000), IsEmpty());
  EXPECT_THAT(handle(5000, routing({{1, 1}, {2, 1}})),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
  EXPECT_THAT(
      handle(5001, routing({{1, 2}, {2, 2}}, false)),
      ElementsAre("event failover green #1 green-main->green-backup ok "
                  "trigger=green-main/engine/fail",
                  "warning green standby_unhealthy", "state green active active=green-backup"));
  const SwitchEvent event = *view("green").last_switch;
  EXPECT_EQ(event.detected, at(3100));
  EXPECT_EQ(event.commanded, at(5000));
  EXPECT_EQ(event.confirmed, at(5001));
}

TEST_F(RouterTruthTest, ARouterReturningWithTheBackupOnAirReportsTheChangeAsExternal) {
  start(basicConfig());
  settle();
  handle(3000, routerDown());
  report("green-main", Check::Engine, Reported::Fail);
  runTo(3100);
  EXPECT_THAT(
      handle(5000, routing({{1, 2}, {2, 2}})),
      ElementsAre("event external_switch green #1 green-main->green-backup ok",
                  "warning green standby_unhealthy", "state green active active=green-backup"));
  EXPECT_EQ(view("green").last_switch->reason,
            "the routing changed while the router was disconnected");
}

TEST_F(RouterTruthTest, ARouterReturningWhenTheBackupHasFailedToMeanwhileSwitchesNothing) {
  start(basicConfig());
  settle();
  handle(3000, routerDown());
  report("green-main", Check::Engine, Reported::Fail);
  runTo(3100);
  report("green-backup", Check::Engine, Reported::Fail);
  runTo(4000);
  EXPECT_THAT(
      handle(5000, routing({{1, 1}, {2, 1}})),
      ElementsAre("warning green standby_unhealthy", "state green degraded active=green-main"));
}

TEST_F(RouterTruthTest, AutomaticSwitchInFlightWhenTheRouterDropsFailsAndTheReturnDecidesAfresh) {
  start(basicConfig());
  settle();
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(2600), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
  EXPECT_THAT(handle(2601, routerDown()),
              ElementsAre("event switch_failed green #1 green-main->green-backup "
                          "router_disconnected trigger=green-main/engine/fail",
                          "warning green router_disconnected", "state green degraded active=?"));
  // The outcome of the lost request no longer matters.
  EXPECT_THAT(
      handle(2602, RouteBlockReport{1, core::BlockRefused{core::BlockRefusal::NotConnected, ""}}),
      IsEmpty());
  EXPECT_THAT(handle(2700, routing({{1, 1}, {2, 1}})),
              ElementsAre("route vh1 #2 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(RouterTruthTest, RoutingChangedWhileDisconnectedIsAnExternalSwitch) {
  start(basicConfig());
  settle();
  handle(3000, routerDown());
  EXPECT_THAT(handle(4000, routing({{1, 2}, {2, 2}})),
              ElementsAre("event external_switch green #1 green-main->green-backup ok",
                          "state green active active=green-backup"));
  EXPECT_EQ(view("green").last_switch->reason,
            "the routing changed while the router was disconnected");
}

TEST_F(RouterTruthTest, LockedOutputsAreReported) {
  start(basicConfig());
  settle();
  RouterObserved locks = routing({}, false);
  locks.locked_outputs = std::vector<int>{2, 9};
  EXPECT_THAT(handle(3000, locks),
              ElementsAre("warning green output_locked", "state green idle active=green-main"));
  EXPECT_THAT(view("green").router.locked_outputs, ElementsAre(2));
  EXPECT_EQ(view("green").warnings[0].message,
            "output 2 of router 'vh1' is locked by another client: a switch would be refused");
  locks.locked_outputs = std::vector<int>{};
  EXPECT_THAT(handle(3001, locks), ElementsAre("state green idle active=green-main"));
}

TEST_F(RouterTruthTest, ALockedOutputBlocksTheWholePairInsteadOfSplittingIt) {
  start(basicConfig());
  settle();
  RouterObserved locks = routing({}, false);
  locks.locked_outputs = std::vector<int>{2};
  handle(3000, locks);
  // The Main fails: no routing block is sent (it would move output 1 and leave output 2),
  // the attempt is reported as a failed switch naming the locked output.
  const auto actions = handle(3100, health("green-main", Check::Engine, Reported::Fail));
  EXPECT_THAT(actions, ::testing::Not(::testing::Contains(::testing::StartsWith("route"))));
  EXPECT_THAT(actions, ::testing::Contains(::testing::StartsWith("event switch_failed green")));
  EXPECT_EQ(view("green").last_switch->error, ErrorCode::NotAllowed);
  EXPECT_EQ(view("green").last_switch->error_message,
            "output 2 of router 'vh1' is locked by another client; unlock it there, or set "
            "force_unlock");
  EXPECT_EQ(view("green").active, "green-main");
}

// With lock_outputs the node takes its outputs back from whoever holds them: the router
// client force-unlocks a locked output before routing, so the switch goes ahead.
TEST_F(RouterTruthTest, ALockedOutputDoesNotFailASwitchWhenTheRouterLocksItsOutputs) {
  config::Config config = basicConfig();
  config.routers.front().lock_outputs = true;
  start(config);
  settle();
  RouterObserved locks = routing({}, false);
  locks.locked_outputs = std::vector<int>{2};
  handle(3000, locks);
  EXPECT_EQ(view("green").warnings[0].message,
            "output 2 of router 'vh1' is locked by another client: it is force-unlocked before a "
            "switch");
  const auto actions = handle(3100, health("green-main", Check::Engine, Reported::Fail));
  EXPECT_THAT(actions, ::testing::Contains(::testing::StartsWith("route vh1")));
  EXPECT_THAT(actions,
              ::testing::Not(::testing::Contains(::testing::StartsWith("event switch_failed"))));
}

TEST_F(RouterTruthTest, UnknownRouterIsIgnored) {
  start(basicConfig());
  settle();
  EXPECT_THAT(handle(3000, routing({{1, 2}}, true, "vh9")), IsEmpty());
}

}  // namespace
}  // namespace failover::engine::testing
