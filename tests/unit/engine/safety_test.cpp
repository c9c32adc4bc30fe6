// Safety: start-up grace, the node's own broker link, an unhealthy or busy Backup (N:1),
// minimum dwell, failback, require_live, flapping, failed automatic switches, and many pairs
// switching in one routing block.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SafetyTest : public EngineTimeline {};

TEST_F(SafetyTest, NothingAutomaticDuringStartupGrace) {
  start(basicConfig());
  handle(0, routing({{1, 1}, {2, 1}}));
  runTo(400);
  report("green-main", Check::Engine, Reported::Fail);
  const auto during = runTo(1999);
  for (const auto& line : during) {
    EXPECT_EQ(line.rfind("state ", 0), 0u) << line;
  }
  EXPECT_EQ(view("green").failover, FailoverState::Degraded);
  EXPECT_EQ(deadline(), 2000);
  EXPECT_THAT(tick(2000), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                      "state green switching active=green-main advised"));
  handle(2001, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(view("green").last_switch->detected, at(500));
}

TEST_F(SafetyTest, BrokerLossSuspendsStalenessAndHeartbeatsGetAFreshPeriodAfter) {
  start(basicConfig());
  settle();
  runTo(3000);
  EXPECT_THAT(handle(3000, BusConnectionChanged{false}), IsEmpty());
  EXPECT_EQ(deadline(), std::nullopt);  // nothing can be judged while cut off
  EXPECT_THAT(tick(9000), IsEmpty());
  EXPECT_THAT(handle(9000, BusConnectionChanged{true}), IsEmpty());
  EXPECT_EQ(deadline(), 9500);
  next_beat_ = 9100;
  EXPECT_THAT(runTo(30000), IsEmpty());
  EXPECT_EQ(view("green").active, "green-main");
}

TEST_F(SafetyTest, NothingAutomaticDuringReconnectGrace) {
  start(basicConfig());
  settle();
  runTo(3000);
  handle(3000, BusConnectionChanged{false});
  handle(9000, BusConnectionChanged{true});
  next_beat_ = 9100;
  silence("green-main", Check::Engine);
  EXPECT_THAT(runTo(10999), ElementsAre("state green degraded active=green-main advised"));
  EXPECT_EQ(view("green").machines[0].checks[1].status, CheckStatus::Stale);
  EXPECT_THAT(runTo(11000), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                        "state green switching active=green-main advised"));
}

TEST_F(SafetyTest, UnhealthyBackupMeansDegradedNotASwitch) {
  start(basicConfig());
  settle();
  report("green-backup", Check::VideoIo, Reported::Fail);
  EXPECT_THAT(runTo(2600),
              ElementsAre("warning green standby_unhealthy", "state green idle active=green-main"));
  EXPECT_THAT(handle(2650, health("green-main", Check::Engine, Reported::Fail)),
              ElementsAre("state green degraded active=green-main"));
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(5000), IsEmpty());
  // The Backup recovers: the failover happens at once.
  report("green-backup", Check::VideoIo, Reported::Ok);
  EXPECT_THAT(runTo(5100), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
}

TEST_F(SafetyTest, SharedBackupServesTheFirstMainThatFails) {
  start(sharedBackupConfig());
  settle();
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(
      handle(3000, health("green-main", Check::Engine, Reported::Fail)),
      ElementsAre("route vh1 #1 1:2,2:2 [green]", "state green switching active=green-main advised",
                  "warning blue backup_busy", "state blue idle active=blue-main"));
  EXPECT_THAT(
      handle(3001, routing({{1, 2}, {2, 2}}, false)),
      ElementsAre("event failover green #1 green-main->green-backup ok "
                  "trigger=green-main/engine/fail",
                  "warning green standby_unhealthy", "state green active active=green-backup"));
  report("blue-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(handle(4000, health("blue-main", Check::Engine, Reported::Fail)),
              ElementsAre("state blue degraded active=blue-main"));
  EXPECT_THAT(runTo(6000), IsEmpty());
  // The operator puts green back on its (repaired) Main: the Backup is free and blue takes it.
  report("green-main", Check::Engine, Reported::Ok);
  runTo(6100);
  EXPECT_THAT(
      handle(9000, switchTo("green", "green-main")),
      ElementsAre("route vh1 #2 1:1,2:1 [green]", "state green switching active=green-backup"));
  EXPECT_THAT(handle(9001, routing({{1, 1}, {2, 1}}, false)),
              ElementsAre("route vh1 #3 3:2 [blue]",
                          "event manual_switch green #2 green-backup->green-main ok", "reply c1 ok",
                          "state green idle active=green-main",
                          "state blue switching active=blue-main advised"));
}

TEST_F(SafetyTest, MinimumDwellHoldsTheNextAutomaticSwitch) {
  start(basicConfig());
  settle();
  report("green-main", Check::Engine, Reported::Fail);
  runTo(3000);
  handle(3001, routing({{1, 2}, {2, 2}}, false));
  report("green-main", Check::Engine, Reported::Ok);
  runTo(3500);
  report("green-backup", Check::Engine, Reported::Fail);
  // The dwell started when the failover went on air at 3001, not at its decision (2600).
  EXPECT_THAT(runTo(8000), ElementsAre("state green degraded active=green-backup advised"));
  EXPECT_THAT(runTo(8001), ElementsAre("route vh1 #2 1:1,2:1 [green]",
                                       "state green switching active=green-backup advised"));
  handle(8002, routing({{1, 1}, {2, 1}}, false));
  EXPECT_EQ(view("green").last_switch->type, SwitchEventType::Failover);
  EXPECT_EQ(view("green").last_switch->trigger->machine, "green-backup");
}

TEST_F(SafetyTest, AutomaticFailbackAfterTheMainHasBeenHealthyLongEnough) {
  config::Config config = basicConfig();
  config.pairs[0].failback = config::FailbackMode::Auto;
  config.pairs[0].failback_after_ms = 10000;
  start(config);
  settle();
  report("green-main", Check::Engine, Reported::Fail);
  runTo(3000);
  handle(3001, routing({{1, 2}, {2, 2}}, false));
  report("green-main", Check::Engine, Reported::Ok);
  // Healthy from the heartbeat at 3100; a relapse at 8000 starts the wait over (healthy
  // again from 8100).
  runTo(3950);
  runTo(7950);
  report("green-main", Check::Engine, Reported::Fail);
  runTo(8000);
  report("green-main", Check::Engine, Reported::Ok);
  EXPECT_THAT(runTo(8100), ElementsAre("state green active active=green-backup"));
  EXPECT_THAT(runTo(18099), IsEmpty());
  EXPECT_THAT(runTo(18100), ElementsAre("route vh1 #2 1:1,2:1 [green]",
                                        "state green switching active=green-backup"));
  EXPECT_THAT(handle(18101, routing({{1, 1}, {2, 1}}, false)),
              ElementsAre("event failback green #2 green-backup->green-main ok "
                          "trigger=green-main/health/ok",
                          "state green idle active=green-main"));
  EXPECT_EQ(view("green").last_switch->reason,
            "Main green-main healthy for 10000 ms with the Backup on air: failing back");
}

TEST_F(SafetyTest, FlappingMainNeverPingPongs) {
  config::Config config = basicConfig();
  config.pairs[0].failback = config::FailbackMode::Auto;
  config.pairs[0].failback_after_ms = 3000;
  start(config);
  settle();
  std::vector<std::string> log;
  for (int64_t t = 2600; t < 40000; t += 100) {
    report("green-main", Check::Engine, (t / 100) % 2 == 0 ? Reported::Fail : Reported::Ok);
    const auto lines = runTo(t);
    log.insert(log.end(), lines.begin(), lines.end());
    if (t == 2600) {
      handle(2601, routing({{1, 2}, {2, 2}}, false));
    }
  }
  int routes = 0;
  for (const auto& line : log) {
    routes += line.rfind("route ", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(routes, 1) << "one failover, and no failback while the Main flaps";
  EXPECT_EQ(view("green").active, "green-backup");
}

TEST_F(SafetyTest, RequireLiveWaitsForTheMainsLiveMode) {
  config::Config config = basicConfig();
  config.pairs[0].require_live = true;
  start(config);
  engineMode("green-main", "edit");
  settle();
  EXPECT_THAT(
      handle(2550, health("green-main", Check::VideoIo, Reported::Fail)),
      ElementsAre("warning green not_live", "state green degraded active=green-main advised"));
  EXPECT_THAT(handle(2560, health("green-main", Check::VideoIo, Reported::Ok)),
              ElementsAre("state green idle active=green-main"));
  engineMode("green-main", "live");
  runTo(2600);
  EXPECT_THAT(handle(2650, health("green-main", Check::VideoIo, Reported::Fail)),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(SafetyTest, DisarmedOrManualPairOnlyAdvises) {
  start(basicConfig());
  settle();
  handle(2500, SetArmed{"green", false, {}});
  EXPECT_THAT(handle(2550, health("green-main", Check::Engine, Reported::Fail)),
              ElementsAre("state green degraded active=green-main advised"));
  // Arming while the Main is failing acts at once.
  EXPECT_THAT(handle(2560, SetArmed{"green", true, {"a2", std::nullopt, std::nullopt}}),
              ElementsAre("route vh1 #1 1:2,2:2 [green]", "audit armed green OFF->ON", "save",
                          "state green switching active=green-main advised", "reply a2 ok"));
}

TEST_F(SafetyTest, UnconfirmedFailoverFailsAndIsRetriedAfterTheDwell) {
  start(basicConfig());
  settle();
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(2600), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
  EXPECT_THAT(runTo(3600),
              ElementsAre("event switch_failed green #1 green-main->green-backup router_timeout "
                          "trigger=green-main/engine/fail",
                          "state green degraded active=green-main advised"));
  EXPECT_EQ(view("green").last_switch->attempted, SwitchEventType::Failover);
  EXPECT_THAT(runTo(7599), IsEmpty());
  EXPECT_THAT(runTo(7600), ElementsAre("route vh1 #2 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
}

TEST_F(SafetyTest, AllPairsOfALargeRouterSwitchInOneBlock) {
  start(manyPairsConfig(144));
  settle();
  runTo(3000);
  for (int i = 1; i <= 144; ++i) {
    silence(std::string("m").append(std::to_string(i)).append("-main"), Check::Engine);
  }
  EXPECT_THAT(runTo(3499), IsEmpty());
  const auto actions = engine_->tick(at(3500));
  now_ = 3500;
  ASSERT_FALSE(actions.empty());
  const auto* block = std::get_if<RouteRequest>(&actions[0]);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->routes.size(), 144u);
  EXPECT_EQ(block->pairs.size(), 144u);
  EXPECT_EQ(block->routes[143], (core::Route{144, 288}));
  EXPECT_EQ(block->reason, "144 pairs switch together");
  int blocks = 0;
  for (const auto& action : actions) {
    blocks += std::holds_alternative<RouteRequest>(action) ? 1 : 0;
  }
  EXPECT_EQ(blocks, 1);
  // One routing update confirms them all.
  std::vector<core::Route> routes;
  for (int i = 1; i <= 144; ++i) {
    routes.push_back({i, 2 * i});
  }
  const auto confirmed = handleRaw(3502, routing(routes, false));
  int events = 0;
  for (const auto& action : confirmed) {
    events += std::holds_alternative<SwitchEventAction>(action) ? 1 : 0;
  }
  EXPECT_EQ(events, 144);
}

TEST_F(SafetyTest, HealthyHeartbeatsProduceNoActionsAndNoAllocationInTheResult) {
  start(basicConfig());
  settle();
  HealthObserved beat = health("green-main", Check::Engine, Reported::Ok);
  beat.engine_mode = "live";
  for (int i = 0; i < 100000; ++i) {
    const auto actions = engine_->handle(beat, at(2500));
    ASSERT_TRUE(actions.empty());
    ASSERT_EQ(actions.capacity(), 0u);
  }
}

}  // namespace
}  // namespace failover::engine::testing
