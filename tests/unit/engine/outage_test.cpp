// Across router outages: a decision is never replayed after its reason is gone, the minimum
// dwell and the failback wait count from changes on air, and a switch whose router went away
// is answered and then judged by the routing the router shows when it returns.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class OutageTest : public EngineTimeline {
 protected:
  static config::Config withDwell(int64_t dwell_ms) {
    config::Config config = basicConfig();
    config.pairs[0].min_dwell_ms = dwell_ms;
    return config;
  }

  // The Main fails at `ms` and the pair fails over, confirmed 1 ms later; the Main then
  // recovers. Returns the time the Backup went on air.
  int64_t failOverAt(int64_t ms) {
    report("green-main", Check::Engine, Reported::Fail);
    EXPECT_THAT(runTo(ms), Contains(StartsWith("route vh1")));
    handle(now_ + 1, routing({{1, 2}, {2, 2}}, false));
    EXPECT_EQ(view("green").active, "green-backup");
    const int64_t on_air = now_;
    report("green-main", Check::Engine, Reported::Ok);
    return on_air;
  }
};

// Seen in a soak: Backup on air, failback manual; the router goes away; the Backup's agent
// goes offline (the old engine decided to go back to the Main and waited for the router);
// the Backup comes back and stays healthy; when the router returned, the old engine switched
// the healthy Backup off air with the reason "backup status offline".
TEST_F(OutageTest, ADecisionTakenWhileTheRouterWasAwayIsNotReplayedAfterItsReasonIsGone) {
  start(withDwell(1000));
  settle();
  failOverAt(3000);
  runTo(6000);
  handle(6000, routerDown());
  handle(6100, health("green-backup", Check::Status, Reported::Fail, "offline"));
  runTo(6400);
  handle(6400, health("green-backup", Check::Status, Reported::Ok));
  runTo(8100);
  const auto returned = handle(8100, routing({{1, 2}, {2, 2}}));
  EXPECT_THAT(returned, Not(Contains(StartsWith("route"))));
  EXPECT_THAT(returned, Not(Contains(StartsWith("event"))));
  EXPECT_THAT(runTo(12000), Not(Contains(StartsWith("route"))));
  EXPECT_EQ(view("green").active, "green-backup");
  EXPECT_EQ(view("green").failover, FailoverState::Active);
}

// The same premise still true when the router returns: the pair is decided afresh from the
// health and routing seen then, and the event says what is true now.
TEST_F(OutageTest, WhenTheRouterReturnsThePairIsDecidedAfreshFromWhatIsTrueThen) {
  start(withDwell(1000));
  settle();
  runTo(3000);
  handle(3000, routerDown());
  report("green-main", Check::Engine, Reported::Fail);
  // Nothing is decided while the router cannot be routed to; the state says why.
  EXPECT_THAT(runTo(5000), Not(Contains(StartsWith("route"))));
  EXPECT_TRUE(view("green").switch_advised == false);
  EXPECT_THAT(handle(5000, routing({{1, 1}, {2, 1}})),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
  handle(5001, routing({{1, 2}, {2, 2}}, false));
  const SwitchEvent event = *view("green").last_switch;
  EXPECT_EQ(event.type, SwitchEventType::Failover);
  EXPECT_EQ(event.detected, at(3100));  // the failure was first seen then
  EXPECT_EQ(event.commanded, at(5000));
  EXPECT_EQ(event.confirmed, at(5001));
}

// Seen in a soak: min_dwell_ms 2000; a failover decided while the router was away reached it
// when it returned, and 300 ms later the old engine switched again, because its dwell had
// started at the decision, seconds earlier.
TEST_F(OutageTest, TheMinimumDwellCountsFromTheChangeOnAirNotFromTheDecision) {
  start(withDwell(2000));
  settle();
  runTo(3000);
  handle(3000, routerDown());
  report("green-main", Check::Engine, Reported::Fail);
  runTo(4500);
  EXPECT_THAT(handle(4500, routing({{1, 1}, {2, 1}})), Contains(StartsWith("route vh1 #1 1:2")));
  handle(4501, routing({{1, 2}, {2, 2}}, false));
  // 300 ms on air, the Backup fails and the Main is healthy again: the dwell holds.
  report("green-main", Check::Engine, Reported::Ok);
  runTo(4700);
  report("green-backup", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(6490), Not(Contains(StartsWith("route"))));
  // Two seconds after the change on air (4501) the pair may move again.
  EXPECT_THAT(runTo(6600), Contains(StartsWith("route vh1 #2 1:1,2:1")));
}

// A change on air made by someone else also starts the dwell.
TEST_F(OutageTest, AnExternalChangeOnAirStartsTheDwell) {
  start(withDwell(2000));
  settle();
  handle(3000, routing({{1, 2}, {2, 2}}, false));  // front panel: the Backup goes on air
  report("green-backup", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(4990), Not(Contains(StartsWith("route"))));
  EXPECT_THAT(runTo(5200), Contains(StartsWith("route vh1 #1 1:1,2:1")));
}

// Suspected from reading the old engine: with failback auto, main_healthy_since was not reset
// when the Backup went on air, so an operator's switch to a healthy Backup was reverted after
// min_dwell_ms instead of failback_after_ms.
TEST_F(OutageTest, FailbackWaitsFromTheLaterOfTheBackupOnAirAndTheMainHealthy) {
  config::Config config = withDwell(1000);
  config.pairs[0].failback = config::FailbackMode::Auto;
  config.pairs[0].failback_after_ms = 10000;
  start(config);
  settle();
  runTo(20000);
  EXPECT_THAT(handle(20000, switchTo("green", "green-backup")),
              Contains(StartsWith("route vh1 #1 1:2,2:2")));
  handle(20001, routing({{1, 2}, {2, 2}}, false));
  // The Main has been healthy since the start, but the Backup went on air at 20001.
  EXPECT_THAT(runTo(30000), Not(Contains(StartsWith("route"))));
  EXPECT_THAT(runTo(30100), Contains(StartsWith("route vh1 #2 1:1,2:1")));
  EXPECT_EQ(view("green").warnings, std::vector<PairWarning>{});
}

// An automatic switch whose router went away after the block was written is answered as
// failed at once; if the router shows the target when it returns, the change is our block's
// and is reported as such, never as someone else's switch.
TEST_F(OutageTest, ABlockAppliedBeforeTheRouterWentAwayIsReportedAsOurs) {
  start(withDwell(1000));
  settle();
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(2600), Contains(StartsWith("route vh1 #1 1:2,2:2")));
  handle(2600, RouteBlockReport{1, core::BlockSent{at(2600)}});
  EXPECT_THAT(handle(3000, routerDown()),
              Contains(HasSubstr("event switch_failed green #1 green-main->green-backup "
                                 "router_disconnected")));
  const auto returned = handle(4000, routing({{1, 2}, {2, 2}}));
  EXPECT_THAT(returned,
              Contains(StartsWith("event failover green #2 green-main->green-backup ok")));
  EXPECT_THAT(returned, Not(Contains(HasSubstr("external_switch"))));
  EXPECT_THAT(returned, Not(Contains(StartsWith("route"))));
}

// One clock for a switch: the engine's. A block still unanswered when it gives up stays
// ours; applied late, it is reported as the switch it was, never as someone else's.
TEST_F(OutageTest, ABlockAppliedAfterTheSwitchTimedOutIsReportedAsOurs) {
  start(withDwell(0));
  settle();
  handle(3000, switchTo("green", "green-backup"));
  handle(3000, RouteBlockReport{1, core::BlockSent{at(3000)}});
  EXPECT_THAT(runTo(4000), Contains(StartsWith("event switch_failed green #1 "
                                               "green-main->green-backup router_timeout")));
  handle(4500, RouteBlockReport{1, core::BlockAcknowledged{}});
  const auto late = handle(4501, routing({{1, 2}, {2, 2}}, false));
  EXPECT_THAT(late, Contains("event manual_switch green #2 green-main->green-backup ok"));
  EXPECT_THAT(late, Not(Contains(HasSubstr("external_switch"))));
  EXPECT_EQ(view("green").last_switch->reason,
            "manual switch to green-backup requested by operator; the router applied the block "
            "after the switch had "
            "been reported failed");
}

// A block the router refused cannot land: a later change is someone else's.
TEST_F(OutageTest, AfterARefusalAChangeOnAirIsSomeoneElses) {
  start(withDwell(0));
  settle();
  handle(3000, switchTo("green", "green-backup"));
  handle(3000, RouteBlockReport{1, core::BlockSent{at(3000)}});
  runTo(4000);
  handle(4500, RouteBlockReport{1, core::BlockRefused{core::BlockRefusal::Nak, ""}});
  EXPECT_THAT(handle(4501, routing({{1, 2}, {2, 2}}, false)),
              Contains("event external_switch green #2 green-main->green-backup ok"));
}

// The dwell also counts from every block the node sends, confirmed or not.
TEST_F(OutageTest, TheDwellCountsFromABlockSentEvenIfItNeverLanded) {
  start(withDwell(2000));
  settle();
  handle(3000, switchTo("green", "green-backup"));
  handle(3000, RouteBlockReport{1, core::BlockSent{at(3000)}});
  handle(3001, RouteBlockReport{1, core::BlockAcknowledged{}});
  runTo(4000);  // router_timeout: the router kept the Main
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(4990), Not(Contains(StartsWith("route"))));
  EXPECT_THAT(runTo(5100), Contains(StartsWith("route vh1 #2 1:2,2:2")));
}

}  // namespace
}  // namespace failover::engine::testing

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::Contains;
using ::testing::Not;
using ::testing::StartsWith;

class SilenceTest : public EngineTimeline {};

// The node's own link to the broker goes quiet (a broker frozen, a cable half-pulled, a node
// cut off silently): every machine falls silent, the Main first by a few milliseconds. That
// is not the Main failing; nothing is switched.
TEST_F(SilenceTest, EverythingFallingSilentAtOnceSwitchesNothing) {
  start(basicConfig());
  settle();
  runTo(3000);
  // The Backup's last messages got through 5 ms after the Main's.
  for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
    handle(3005, health("green-backup", check, Reported::Ok));
  }
  for (const char* machine : {"green-main", "green-backup"}) {
    for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
      silence(machine, check);
    }
  }
  EXPECT_THAT(runTo(8000), Not(Contains(StartsWith("route"))));
  EXPECT_EQ(view("green").active, "green-main");
}

// The Main alone falls silent: the Backup's beats after it prove the link, and the pair fails
// over at the Main's deadline.
TEST_F(SilenceTest, TheMainAloneFallingSilentFailsOverAtItsDeadline) {
  start(basicConfig());
  settle();
  runTo(3000);
  silence("green-main", Check::Engine);
  EXPECT_THAT(runTo(3499), Not(Contains(StartsWith("route"))));
  EXPECT_THAT(runTo(3500), Contains("route vh1 #1 1:2,2:2 [green]"));
  handle(3501, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(view("green").last_switch->detected, at(3500));
}

// Without proof at the deadline (nothing heard in the second half of the silence), what is heard
// after it is the proof, once what may be a backlog has had time to be read.
TEST_F(SilenceTest, WithoutProofAtTheDeadlineTheNextMessageHeardIsTheProof) {
  start(basicConfig());
  settle();
  runTo(3000);
  for (const char* machine : {"green-main", "green-backup"}) {
    for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
      silence(machine, check);
    }
  }
  for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
    handle(3005, health("green-backup", check, Reported::Ok));
  }
  EXPECT_THAT(runTo(3500), Not(Contains(StartsWith("route"))));
  for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
    EXPECT_THAT(handle(3502, health("green-backup", check, Reported::Ok)),
                Not(Contains(StartsWith("route"))));  // heard again after a gap: a backlog?
  }
  EXPECT_THAT(tick(3522), Contains(StartsWith("route vh1 #1")));
}

// A node frozen longer than the silence period (but not than its lease) reads, on resuming,
// what queued up meanwhile: the first message read is proof the link delivers, but the Main's
// own messages are in the same backlog. Silence is judged again only after the backlog.
TEST_F(SilenceTest, AfterAStallTheBacklogIsReadBeforeSilenceIsJudged) {
  start(basicConfig());
  settle();
  runTo(3000);
  // Frozen from just after the 3000 round to 3600: no message handled, the timer late.
  EXPECT_THAT(tick(3600), Not(Contains(StartsWith("route"))));
  std::vector<std::string> actions;
  int64_t at_ms = 3601;
  for (const char* machine : {"green-backup", "green-main"}) {
    for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
      for (auto& line : handle(at_ms++, health(machine, check, Reported::Ok))) {
        actions.push_back(line);
      }
    }
  }
  for (auto& line : tick(3630)) {
    actions.push_back(line);
  }
  EXPECT_THAT(actions, Not(Contains(StartsWith("route"))));
  EXPECT_EQ(view("green").active, "green-main");
}

// A failure the Main reports is itself a message: it needs no further proof.
TEST_F(SilenceTest, AReportedFailureNeedsNoProofOfTheLink) {
  start(basicConfig());
  settle();
  runTo(3000);
  EXPECT_THAT(handle(3010, health("green-main", Check::Engine, Reported::Fail)),
              Contains(StartsWith("route vh1 #1")));
}

}  // namespace
}  // namespace failover::engine::testing
