// Manual switch commands: act in the same call in any mode, answered when the router
// confirms; refusals (unknown pair or target, unhealthy target, busy, router down) and
// failures (timeout, refused by the router, disconnect).

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ManualSwitchTest : public EngineTimeline {
 protected:
  void SetUp() override {
    start(basicConfig());
    settle();
  }
  CommandReply lastReply(const std::vector<Action>& actions) {
    for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
      if (const auto* reply = std::get_if<CommandReply>(&*it)) {
        return *reply;
      }
    }
    ADD_FAILURE() << "no reply";
    return {};
  }
};

TEST_F(ManualSwitchTest, SwitchesAtOnceAndAnswersWhenTheRouterConfirms) {
  EXPECT_THAT(
      handle(3000, switchTo("green", "green-backup")),
      ElementsAre("route vh1 #1 1:2,2:2 [green]", "state green switching active=green-main"));
  const auto actions = handleRaw(3002, routing({{1, 2}, {2, 2}}, false));
  EXPECT_THAT(describe(*engine_, actions),
              ElementsAre("event manual_switch green #1 green-main->green-backup ok", "reply c1 ok",
                          "state green active active=green-backup"));
  const CommandReply reply = lastReply(actions);
  EXPECT_EQ(reply.transaction, "tx-c1");
  ASSERT_TRUE(reply.event);
  EXPECT_EQ(reply.event->requested_by, "operator");
  EXPECT_EQ(reply.event->transaction, "tx-c1");
  EXPECT_EQ(reply.event->detected, at(3000));
  EXPECT_EQ(reply.event->commanded, at(3000));
  EXPECT_EQ(reply.event->confirmed, at(3002));
  EXPECT_EQ(reply.event->reason, "manual switch to green-backup requested by operator");
  EXPECT_FALSE(reply.event->trigger);
  ASSERT_TRUE(reply.state);
  EXPECT_EQ(reply.state->active, "green-backup");
  // Back again with "other".
  EXPECT_THAT(
      handle(4000, switchTo("green", "other", false, "c2")),
      ElementsAre("route vh1 #2 1:1,2:1 [green]", "state green switching active=green-backup"));
  EXPECT_THAT(handle(4001, routing({{1, 1}, {2, 1}}, false)),
              ElementsAre("event manual_switch green #2 green-backup->green-main ok", "reply c2 ok",
                          "state green idle active=green-main"));
}

// The command's arrival at the node dates the switch, so its detect_to_command holds the
// node's queueing; a read time later than now is ignored.
TEST_F(ManualSwitchTest, DetectionIsDatedFromWhenTheCommandWasRead) {
  SwitchCommand command = switchTo("green", "green-backup");
  command.received_at = at(2995);
  handle(3000, command);
  const auto actions = handleRaw(3002, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(lastReply(actions).event->detected, at(2995));

  SwitchCommand future = switchTo("green", "green-main", false, "c2");
  future.received_at = at(5000);
  handle(4000, future);
  const auto back = handleRaw(4001, routing({{1, 1}, {2, 1}}, false));
  EXPECT_EQ(lastReply(back).event->detected, at(4000));
}

TEST_F(ManualSwitchTest, WorksInManualModeAndDisarmed) {
  SetMode mode{"green", config::FailoverMode::Manual, {"m1", "operator", std::nullopt}};
  EXPECT_THAT(handle(3000, mode), ElementsAre("audit mode green auto->manual", "save",
                                              "state green idle active=green-main", "reply m1 ok"));
  SetArmed armed{"green", false, {"a1", "operator", std::nullopt}};
  EXPECT_THAT(handle(3000, armed),
              ElementsAre("audit armed green ON->OFF", "save", "state green idle active=green-main",
                          "reply a1 ok"));
  EXPECT_THAT(
      handle(3001, switchTo("green", "other")),
      ElementsAre("route vh1 #1 1:2,2:2 [green]", "state green switching active=green-main"));
  EXPECT_THAT(handle(3002, routing({{1, 2}, {2, 2}}, false)),
              ElementsAre("event manual_switch green #1 green-main->green-backup ok", "reply c1 ok",
                          "state green active active=green-backup"));
  EXPECT_EQ(view("green").last_switch->mode, config::FailoverMode::Manual);
}

TEST_F(ManualSwitchTest, RefusesAnUnhealthyTargetUnlessForced) {
  report("green-backup", Check::VideoIo, Reported::Fail);
  runTo(3000);
  const auto refused = handleRaw(3000, switchTo("green", "green-backup"));
  EXPECT_THAT(describe(*engine_, refused), ElementsAre("reply c1 target_unhealthy"));
  EXPECT_EQ(lastReply(refused).message, "green-backup videoio fail; force switches anyway");
  EXPECT_THAT(
      handle(3000, switchTo("green", "green-backup", true, "c2")),
      ElementsAre("route vh1 #1 1:2,2:2 [green]", "state green switching active=green-main"));
  EXPECT_THAT(handle(3001, routing({{1, 2}, {2, 2}}, false)),
              ElementsAre("event manual_switch green #1 green-main->green-backup ok", "reply c2 ok",
                          "state green degraded active=green-backup advised"));
  EXPECT_EQ(view("green").last_switch->reason,
            "manual switch to green-backup requested by operator (forced)");
  // The operator's choice holds for the minimum dwell; then automatic failover (auto mode,
  // armed) takes the failing Backup off air.
  EXPECT_THAT(runTo(8000), IsEmpty());
  EXPECT_THAT(runTo(8001), ElementsAre("route vh1 #2 1:1,2:1 [green]",
                                       "state green switching active=green-backup advised"));
}

TEST_F(ManualSwitchTest, RefusesATargetItKnowsNothingAbout) {
  start(basicConfig());
  handle(0, routing({{1, 1}, {2, 1}}));
  handle(10, health("green-main", Check::Engine, Reported::Ok));
  const auto refused = handleRaw(20, switchTo("green", "green-backup"));
  EXPECT_THAT(describe(*engine_, refused), ElementsAre("reply c1 target_unhealthy"));
  EXPECT_EQ(lastReply(refused).message,
            "green-backup engine has not reported yet; force switches anyway");
}

TEST_F(ManualSwitchTest, RefusesWhileASwitchIsInFlight) {
  handle(3000, switchTo("green", "green-backup"));
  EXPECT_THAT(handle(3001, switchTo("green", "green-main", false, "c2")),
              ElementsAre("reply c2 busy"));
}

TEST_F(ManualSwitchTest, RefusesUnknownPairsAndTargets) {
  EXPECT_THAT(handle(3000, switchTo("red", "green-backup")), ElementsAre("reply c1 unknown_pair"));
  const auto actions = handleRaw(3000, switchTo("green", "blue-main"));
  EXPECT_THAT(describe(*engine_, actions), ElementsAre("reply c1 unknown_target"));
  EXPECT_EQ(lastReply(actions).message,
            "'blue-main' is neither the Main 'green-main' nor the Backup 'green-backup' of pair "
            "'green'");
}

TEST_F(ManualSwitchTest, RefusesWhenTheRouterIsDownOrDisabled) {
  EXPECT_THAT(handle(3000, routerDown()),
              ElementsAre("warning green router_disconnected", "state green degraded active=?"));
  EXPECT_THAT(handle(3001, switchTo("green", "green-backup")),
              ElementsAre("reply c1 router_disconnected"));
  EXPECT_THAT(handle(3002, switchTo("green", "other")), ElementsAre("reply c1 not_allowed"));
  handle(3003, routing({{1, 1}, {2, 1}}));
  SetRouterEnabled disable{"vh1", false, {"r1", "operator", std::nullopt}};
  EXPECT_THAT(
      handle(3004, disable),
      ElementsAre("audit router_enabled vh1 ON->OFF", "connection vh1 OFF", "save",
                  "warning green router_disabled", "state green degraded active=?", "reply r1 ok"));
  EXPECT_THAT(handle(3005, switchTo("green", "green-backup")), ElementsAre("reply c1 not_allowed"));
}

TEST_F(ManualSwitchTest, TargetAlreadyOnAirIsAnsweredAtOnce) {
  EXPECT_THAT(handle(3000, switchTo("green", "green-main")), ElementsAre("reply c1 ok"));
}

TEST_F(ManualSwitchTest, UnconfirmedSwitchTimesOut) {
  handle(3000, switchTo("green", "green-backup"));
  EXPECT_THAT(runTo(3999), IsEmpty());
  EXPECT_THAT(runTo(4000),
              ElementsAre("event switch_failed green #1 green-main->green-backup "
                          "router_timeout",
                          "reply c1 router_timeout", "state green idle active=green-main"));
  const SwitchEvent event = *view("green").last_switch;
  EXPECT_EQ(event.attempted, SwitchEventType::ManualSwitch);
  EXPECT_EQ(event.error_message, "the router did not confirm the switch within 1000 ms");
  EXPECT_FALSE(event.confirmed);
}

TEST_F(ManualSwitchTest, RefusedByTheRouterFails) {
  handle(3000, switchTo("green", "green-backup"));
  RouteBlockReport outcome{1, core::BlockRefused{core::BlockRefusal::Locked, "output 2"}};
  EXPECT_THAT(handle(3001, outcome),
              ElementsAre("event switch_failed green #1 green-main->green-backup not_allowed",
                          "reply c1 not_allowed", "state green idle active=green-main"));
  EXPECT_EQ(view("green").last_switch->error_message,
            "the router refused the block: locked (output 2)");
  // A later outcome for the same request changes nothing.
  EXPECT_THAT(handle(3002, outcome), IsEmpty());
  // The refused attempt does not hold back protection: a failing Main fails over at once.
  EXPECT_THAT(handle(3003, health("green-main", Check::Engine, Reported::Fail)),
              ElementsAre("route vh1 #2 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(ManualSwitchTest, RouterLostBeforeConfirmingFails) {
  handle(3000, switchTo("green", "green-backup"));
  EXPECT_THAT(
      handle(3001, routerDown()),
      ElementsAre("event switch_failed green #1 green-main->green-backup router_disconnected",
                  "reply c1 router_disconnected", "warning green router_disconnected",
                  "state green degraded active=?"));
}

}  // namespace
}  // namespace failover::engine::testing

namespace failover::engine::testing {
namespace {

TEST_F(ManualSwitchTest, ConnectionLostBeforeTheAckIsADisconnect) {
  handle(3000, switchTo("green", "green-backup"));
  handle(3000, RouteBlockReport{1, core::BlockSent{at(3000)}});
  EXPECT_THAT(handle(3001, RouteBlockReport{1, core::BlockConnectionLost{"no ACK within 2000 ms"}}),
              ::testing::ElementsAre(
                  "event switch_failed green #1 green-main->green-backup router_disconnected",
                  "reply c1 router_disconnected", "state green idle active=green-main"));
  EXPECT_EQ(view("green").last_switch->error_message,
            "the router connection was lost before it acknowledged the block (no ACK within "
            "2000 ms)");
}

TEST_F(ManualSwitchTest, ABlockTheRouterCouldNotTakeIsADisconnect) {
  handle(3000, switchTo("green", "green-backup"));
  RouteBlockReport outcome{1, core::BlockRefused{core::BlockRefusal::NotConnected, ""}};
  EXPECT_THAT(handle(3001, outcome),
              ::testing::ElementsAre(
                  "event switch_failed green #1 green-main->green-backup router_disconnected",
                  "reply c1 router_disconnected", "state green idle active=green-main"));
}

TEST_F(ManualSwitchTest, HealthOfUnknownMachinesIsIgnored) {
  EXPECT_THAT(handle(3000, health("nobody", config::Check::Engine, Reported::Fail)),
              ::testing::IsEmpty());
}

TEST_F(ManualSwitchTest, AgentBackOnlineMakesTheMachineATargetAgain) {
  handle(2550, health("green-backup", config::Check::Status, Reported::Fail));
  EXPECT_THAT(tick(2800), ::testing::ElementsAre("warning green standby_unhealthy",
                                                 "state green idle active=green-main"));
  EXPECT_THAT(handle(2810, switchTo("green", "green-backup")),
              ::testing::ElementsAre("reply c1 target_unhealthy"));
  EXPECT_THAT(handle(2820, health("green-backup", config::Check::Status, Reported::Ok)),
              ::testing::ElementsAre("state green idle active=green-main"));
  EXPECT_THAT(handle(2830, switchTo("green", "green-backup", false, "c2")),
              ::testing::ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                     "state green switching active=green-main"));
}

}  // namespace
}  // namespace failover::engine::testing
