// Reload: a new configuration taken over at run time keeps the protection of the pairs that
// stay (which machine is on air, dwell, failback, run-time settings), gives new and changed
// pairs their own start-up grace, and forgets removed pairs. Nothing switches because of the
// reload itself.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

class ReloadTest : public EngineTimeline {
 protected:
  // basicConfig plus pair "red": red-main on input 5, red-backup on input 6, output 5.
  static config::Config withRed(config::Config config) {
    config::MachineSettings main = *config.findMachine("green-main");
    main.id = "red-main";
    main.label = "red-main";
    main.input = 5;
    config::MachineSettings backup = main;
    backup.id = "red-backup";
    backup.label = "red-backup";
    backup.input = 6;
    config.machines.push_back(main);
    config.machines.push_back(backup);
    config::PairSettings red = config.pairs.front();
    red.id = "red";
    red.main = "red-main";
    red.backup = "red-backup";
    red.outputs = {5};
    config.pairs.push_back(red);
    return config;
  }

  // What a reload that adds red answers while red's output has not been seen routed.
  static constexpr const char* kRedUnknown[] = {"warning red routing_unknown",
                                                "state red degraded active=?"};

  // Green fails over to its Backup at 2500 and the router confirms it at once.
  void greenOnBackup() {
    settle(2400);
    report("green-main", Check::Engine, Reported::Fail);
    const auto log = runTo(2500);
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.front(), "route vh1 #1 1:2,2:2 [green]");
    const auto confirmed = handle(2500, routing({{1, 2}, {2, 2}}, false));
    ASSERT_FALSE(confirmed.empty());
    EXPECT_EQ(confirmed.front().rfind("event failover green", 0), 0u) << confirmed.front();
    ASSERT_EQ(view("green").active, "green-backup");
  }

  static bool anyRoute(const std::vector<std::string>& log) {
    return std::any_of(log.begin(), log.end(),
                       [](const std::string& line) { return line.rfind("route ", 0) == 0; });
  }
};

TEST_F(ReloadTest, UnchangedPairKeepsItsBackupOnAirAndItsDwell) {
  config::Config config = basicConfig();
  start(config);
  greenOnBackup();
  EXPECT_THAT(reload(3000, withRed(config)), ElementsAreArray(kRedUnknown));
  EXPECT_EQ(view("green").active, "green-backup");
  EXPECT_EQ(view("green").failover, FailoverState::Active);
  // The Main is healthy again and the Backup fails: back to the Main, but not before the
  // minimum dwell (5000 ms) since the change on air at 2500 has passed, reload or not.
  report("green-main", Check::Engine, Reported::Ok);
  report("green-backup", Check::Engine, Reported::Fail);
  EXPECT_FALSE(anyRoute(runTo(7499)));
  const auto due = runTo(7500);
  ASSERT_FALSE(due.empty());
  EXPECT_EQ(due.front(), "route vh1 #2 1:1,2:1 [green]");
}

TEST_F(ReloadTest, UnchangedPairKeepsItsFailbackTimer) {
  config::Config config = basicConfig();
  config.pairs[0].failback = config::FailbackMode::Auto;
  config.pairs[0].failback_after_ms = 10000;
  config.pairs[0].min_dwell_ms = 0;
  start(config);
  greenOnBackup();
  report("green-main", Check::Engine, Reported::Ok);
  runTo(3000);  // the Main is healthy again from its next heartbeat, at 2600
  EXPECT_THAT(reload(8000, withRed(config)), ElementsAreArray(kRedUnknown));
  // Failback 10 s after the Main became healthy: neither at the reload nor 10 s after it.
  EXPECT_FALSE(anyRoute(runTo(12599)));
  const auto due = runTo(12600);
  ASSERT_FALSE(due.empty());
  EXPECT_EQ(due.front(), "route vh1 #2 1:1,2:1 [green]");
}

TEST_F(ReloadTest, NewPairGetsItsOwnStartupGrace) {
  const config::Config config = basicConfig();
  start(config);
  settle();
  EXPECT_THAT(reload(5000, withRed(config)), ElementsAreArray(kRedUnknown));
  ASSERT_TRUE(engine_->pairView("red"));
  handle(5000, routing({{5, 5}}, false));
  report("red-main", Check::Engine, Reported::Fail);
  // Grace from the reload (2000 ms): its Main has failed, but nothing moves before 7000.
  EXPECT_FALSE(anyRoute(runTo(6999)));
  const auto due = runTo(7000);
  ASSERT_FALSE(due.empty());
  EXPECT_EQ(due.front(), "route vh1 #1 5:6 [red]");
  // The pair that stayed was never held up: it fails over at once.
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_EQ(runTo(7100).front(), "route vh1 #2 1:2,2:2 [green]");
}

TEST_F(ReloadTest, RemovedPairIsGone) {
  start(sharedBackupConfig());
  settle();
  EXPECT_THAT(reload(3000, basicConfig()), IsEmpty());
  EXPECT_FALSE(engine_->pairView("blue"));
  EXPECT_THAT(engine_->pairIds(), ElementsAre("green"));
  EXPECT_FALSE(engine_->runState().pairs.contains("blue"));
  // Its output is no longer watched: a change there is nobody's switch.
  EXPECT_THAT(handle(3100, routing({{3, 9}}, false)), IsEmpty());
  EXPECT_THAT(runTo(4000), IsEmpty());
}

TEST_F(ReloadTest, ChangedPairDoesNotSwitchBecauseOfTheReload) {
  config::Config config = basicConfig();
  start(config);
  greenOnBackup();
  runTo(8000);  // past the dwell
  // The Backup on air fails and the Main is healthy: the changed pair would fail back at
  // once if the reload started it afresh; it waits out its own grace first.
  report("green-main", Check::Engine, Reported::Ok);
  report("green-backup", Check::Engine, Reported::Fail);
  config.pairs[0].min_dwell_ms = 0;
  config.pairs[0].triggers = {config::Trigger::Engine, config::Trigger::Network};
  EXPECT_FALSE(anyRoute(reload(8000, config)));
  EXPECT_EQ(view("green").active, "green-backup");
  EXPECT_FALSE(anyRoute(runTo(9999)));
  const auto due = runTo(10000);
  ASSERT_FALSE(due.empty());
  EXPECT_EQ(due.front(), "route vh1 #2 1:1,2:1 [green]");
}

TEST_F(ReloadTest, RunTimeSettingsOfPairsThatStayAreKept) {
  const config::Config config = basicConfig();
  start(config);
  settle();
  handle(2600, SetMode{"green", config::FailoverMode::Manual, {"c1", "operator", "tx"}});
  handle(2600, SetArmed{"green", false, {"c2", "operator", "tx2"}});
  reload(3000, withRed(config));
  EXPECT_EQ(view("green").mode, config::FailoverMode::Manual);
  EXPECT_FALSE(view("green").armed);
  EXPECT_EQ(view("red").mode, config::FailoverMode::Auto);
}

TEST_F(ReloadTest, AnEditedFileValueWinsOverTheRunTimeSetting) {
  const config::Config config = basicConfig();
  start(config);
  settle();
  handle(2600, SetMode{"green", config::FailoverMode::Manual, {"c1", "operator", "tx"}});
  handle(2600, SetArmed{"green", false, {"c2", "operator", "tx2"}});
  // The file's mode is edited from auto to manual and, in a later edit, back to auto: each
  // edit wins over the run-time setting. Armed is never edited: the run-time value stays.
  config::Config edited = config;
  edited.pairs[0].mode = config::FailoverMode::Manual;
  reload(3000, edited);
  EXPECT_EQ(view("green").mode, config::FailoverMode::Manual);
  edited.pairs[0].mode = config::FailoverMode::Auto;
  reload(3100, edited);
  EXPECT_EQ(view("green").mode, config::FailoverMode::Auto);
  EXPECT_FALSE(view("green").armed);
}

TEST_F(ReloadTest, SwitchInFlightOfARemovedPairIsAnswered) {
  start(sharedBackupConfig());
  settle();
  const auto commanded = handle(2600, switchTo("blue", "green-backup"));
  ASSERT_FALSE(commanded.empty());
  EXPECT_EQ(commanded.front(), "route vh1 #1 3:2 [blue]");
  const auto reloaded = reload(2700, basicConfig());
  EXPECT_THAT(reloaded, ::testing::Contains("reply c1 not_allowed"));
  EXPECT_THAT(reloaded, ::testing::Contains("event switch_failed blue #1 blue-main->green-backup "
                                            "not_allowed"));
  // The block still reports back: it belongs to nobody now.
  EXPECT_THAT(handle(2710, RouteBlockReport{1, core::BlockAcknowledged{}}), IsEmpty());
}

}  // namespace
}  // namespace failover::engine::testing
