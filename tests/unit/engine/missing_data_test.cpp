// Missing data is its own state: diagnostics that went silent are unknown (never healthy
// forever, never a reason to switch); and a reported failure may be asked to persist
// (confirm_fail_ms) before it counts.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const CheckView& checkOf(const PairView& view, std::size_t machine, Check check) {
  for (const CheckView& entry : view.machines[machine].checks) {
    if (entry.check == check) {
      return entry;
    }
  }
  throw std::runtime_error("no such check");
}

bool hasWarning(const PairView& view, const std::string& code) {
  for (const PairWarning& warning : view.warnings) {
    if (warning.code == code) {
      return true;
    }
  }
  return false;
}

class DiagnosticsTest : public EngineTimeline {
 protected:
  void SetUp() override {
    config::Config config = basicConfig();
    config.health.diagnostics_stale_after_ms = 3000;
    config.pairs[0].triggers.push_back(config::Trigger::Critical);
    start(config);
  }

  HealthObserved diagnostics(const std::string& machine, Reported status,
                             std::vector<std::string> critical = {}) {
    HealthObserved event = health(machine, Check::Diagnostics, status);
    event.critical_parameters = std::move(critical);
    return event;
  }
};

TEST_F(DiagnosticsTest, DiagnosticsNeverHeardAreUnknownOnceGraceAndTheirPeriodHavePassed) {
  settle();
  handle(2500, diagnostics("green-main", Reported::Ok));
  // Three seconds after start the Backup's diagnostics have never spoken: unknown, warned.
  const auto actions = runTo(3100);
  EXPECT_THAT(actions, Contains("warning green diagnostics_unknown"));
  EXPECT_THAT(actions, Not(Contains(StartsWith("route"))));
  const PairView state = view("green");
  EXPECT_EQ(checkOf(state, 1, Check::Diagnostics).status, CheckStatus::Unknown);
  EXPECT_EQ(checkOf(state, 1, Check::Diagnostics).detail, "no diagnostics since start");
  EXPECT_EQ(state.machines[1].status, MachineStatus::Warn);
  // Unknown is not unhealthy: the Backup still counts as a failover target.
  EXPECT_TRUE(state.machines[1].healthy);
  EXPECT_EQ(state.failover, FailoverState::Idle);
}

TEST_F(DiagnosticsTest, SilentDiagnosticsForgetTheirCriticalParametersAndNeverCauseASwitch) {
  settle();
  handle(2500, diagnostics("green-backup", Reported::Ok));
  handle(2500, diagnostics("green-main", Reported::Ok));
  // The Main's diagnostics report a critical parameter while its failover is held by the
  // dwell of an operator's switch ... then the diagnostics service stops.
  runTo(3000);
  EXPECT_THAT(handle(3000, diagnostics("green-main", Reported::Warn, {"gpu_temp_c"})),
              Contains(StartsWith("route vh1 #1 1:2,2:2")));
  handle(3001, routing({{1, 2}, {2, 2}}, false));
  // Now the Backup is on air; its diagnostics go silent after one last critical word.
  handle(3100, diagnostics("green-backup", Reported::Warn, {"gpu_temp_c"}));
  EXPECT_TRUE(view("green").switch_advised == false);  // the Main is critical too
  handle(3200, diagnostics("green-main", Reported::Ok));
  // The dwell (5000 ms from 3001) holds the way back; by the time it ends, the Backup's
  // diagnostics have been silent for 3000 ms: unknown, so its old critical word no longer
  // counts, and unknown alone never switches.
  const auto actions = runTo(12000);
  EXPECT_THAT(actions, Contains("warning green diagnostics_unknown"));
  EXPECT_THAT(actions, Not(Contains(StartsWith("route"))));
  const PairView state = view("green");
  EXPECT_EQ(state.active, "green-backup");
  EXPECT_EQ(checkOf(state, 1, Check::Diagnostics).status, CheckStatus::Unknown);
  EXPECT_EQ(checkOf(state, 1, Check::Diagnostics).detail, "no diagnostics for 3000 ms");
  EXPECT_FALSE(state.machines[1].critical);
  EXPECT_FALSE(state.switch_advised);
}

TEST_F(DiagnosticsTest, DiagnosticsHeardAgainClearTheUnknown) {
  settle();
  handle(2500, diagnostics("green-main", Reported::Ok));
  handle(2500, diagnostics("green-backup", Reported::Ok));
  runTo(5600);
  EXPECT_TRUE(hasWarning(view("green"), "diagnostics_unknown"));
  handle(5600, diagnostics("green-main", Reported::Ok));
  handle(5600, diagnostics("green-backup", Reported::Ok));
  EXPECT_FALSE(hasWarning(view("green"), "diagnostics_unknown"));
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Ok);
}

TEST_F(DiagnosticsTest, NothingIsExpectedWithoutADiagnosticsTopic) {
  config::Config config = basicConfig();
  config.health.diagnostics_stale_after_ms = 3000;
  config.health.topics[Check::Diagnostics] = "";
  start(config);
  settle();
  runTo(10000);
  EXPECT_FALSE(hasWarning(view("green"), "diagnostics_unknown"));
  EXPECT_EQ(checkOf(view("green"), 0, Check::Diagnostics).status, CheckStatus::Unknown);
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Ok);
}

class ConfirmFailTest : public EngineTimeline {
 protected:
  void SetUp() override {
    config::Config config = basicConfig();
    config.health.confirm_fail_ms = 300;
    start(config);
    settle();
  }
};

TEST_F(ConfirmFailTest, AFailureCountsOnceItHasHeldItsConfirmationTime) {
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(2899), IsEmpty());  // first reported at 2600
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Ok);
  EXPECT_THAT(runTo(2900), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
  handle(2901, routing({{1, 2}, {2, 2}}, false));
  // Dated from its first report, so the event shows the confirmation time it cost.
  EXPECT_EQ(view("green").last_switch->detected, at(2600));
  EXPECT_EQ(view("green").last_switch->commanded, at(2900));
}

TEST_F(ConfirmFailTest, AnOkInBetweenStartsTheConfirmationOver) {
  report("green-main", Check::Engine, Reported::Fail);
  runTo(2750);
  report("green-main", Check::Engine, Reported::Ok);
  runTo(2850);  // the ok at 2800 cancels the failure reported at 2600 and 2700
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(3199), IsEmpty());  // reported again from 2900
  EXPECT_THAT(runTo(3200), Contains(StartsWith("route vh1 #1 1:2,2:2")));
}

TEST_F(ConfirmFailTest, SilenceKeepsItsOwnRule) {
  silence("green-main", Check::Engine);
  // The last beat was at 2500: stale at 3000, with no confirmation time on top.
  EXPECT_THAT(runTo(2999), IsEmpty());
  EXPECT_THAT(runTo(3000), Contains(StartsWith("route vh1 #1 1:2,2:2")));
}

TEST_F(ConfirmFailTest, AnAgentOfflineIsConfirmedToo) {
  handle(3000, health("green-main", Check::Status, Reported::Fail, "offline"));
  EXPECT_THAT(runTo(3299), IsEmpty());
  EXPECT_THAT(runTo(3300), Contains(StartsWith("route vh1 #1 1:2,2:2")));
}

// An agent's `offline` is its Last Will: published by the broker for the machine, but also for
// every client at once when the broker itself stops, just before it drops the node.
class OfflineConfirmTest : public EngineTimeline {
 protected:
  void SetUp() override {
    start(basicConfig());  // health.offline_confirm_ms left at its default, 250
    settle();
  }
};

TEST_F(OfflineConfirmTest, AnOfflineCountsOnceItHasHeld) {
  EXPECT_THAT(handle(3000, health("green-main", Check::Status, Reported::Fail, "offline")),
              IsEmpty());
  EXPECT_THAT(runTo(3249), IsEmpty());
  EXPECT_THAT(runTo(3250), Contains(StartsWith("route vh1 #1 1:2,2:2")));
}

TEST_F(OfflineConfirmTest, OnlineAgainInTimeCountsForNothing) {
  handle(3000, health("green-main", Check::Status, Reported::Fail, "offline"));
  EXPECT_THAT(handle(3100, health("green-main", Check::Status, Reported::Ok)), IsEmpty());
  EXPECT_THAT(runTo(4000), IsEmpty());
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Ok);
}

TEST_F(OfflineConfirmTest, WillsPublishedByAStoppingBrokerNeverSwitch) {
  // Every agent's will arrives, then the broker drops the node.
  handle(3000, health("green-main", Check::Status, Reported::Fail, "offline"));
  handle(3001, health("green-backup", Check::Status, Reported::Fail, "offline"));
  EXPECT_THAT(handle(3010, BusConnectionChanged{false}), IsEmpty());
  EXPECT_THAT(tick(3300), IsEmpty());
  // Back with the broker: the agents are online again and beat; nothing was switched.
  handle(4000, BusConnectionChanged{true});
  handle(4001, health("green-main", Check::Status, Reported::Ok));
  handle(4001, health("green-backup", Check::Status, Reported::Ok));
  for (const auto& line : runTo(9000)) {
    EXPECT_THAT(line, ::testing::Not(StartsWith("route")));
  }
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Ok);
}

TEST_F(OfflineConfirmTest, ZeroCountsAtOnce) {
  config::Config config = basicConfig();
  config.health.offline_confirm_ms = 0;
  start(config);
  settle();
  EXPECT_THAT(handle(2550, health("green-main", Check::Status, Reported::Fail, "offline")),
              Contains(StartsWith("route vh1 #1 1:2,2:2")));
}

}  // namespace
}  // namespace failover::engine::testing
