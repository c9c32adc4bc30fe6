// Automatic failover on each trigger: engine, videoio, network (and the agent going
// offline), staleness, critical parameters and rules with a hold time.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class TriggersTest : public EngineTimeline {};

TEST_F(TriggersTest, StartWithRoutingOnMainIsIdleAndSwitchesNothing) {
  start(basicConfig());
  EXPECT_THAT(handle(0, routing({{1, 1}, {2, 1}})),
              ElementsAre("state green idle active=green-main"));
  settle();
  const PairView state = view("green");
  EXPECT_EQ(state.active, "green-main");
  EXPECT_TRUE(state.machines[0].healthy);
  EXPECT_TRUE(state.machines[1].healthy);
  EXPECT_EQ(state.machines[0].status, MachineStatus::Ok);
  EXPECT_EQ(state.router.input, 1);
  EXPECT_FALSE(state.switch_advised);
}

TEST_F(TriggersTest, EngineFailureSwitchesInTheSameCallAndCompletesOnTheRoutersUpdate) {
  start(basicConfig());
  settle();
  EXPECT_THAT(runTo(3000), IsEmpty());
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(handle(3000, health("green-main", Check::Engine, Reported::Fail, "crashed")),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
  EXPECT_EQ(view("green").failover, FailoverState::Switching);
  // The request alone proves nothing; the router's update does.
  // Half of the block has landed: neither machine is on all outputs yet.
  EXPECT_THAT(handle(3001, routing({{1, 2}}, false)),
              ElementsAre("state green switching active=?"));
  EXPECT_THAT(
      handle(3002, routing({{2, 2}}, false)),
      ElementsAre("event failover green #1 green-main->green-backup ok "
                  "trigger=green-main/engine/fail",
                  "warning green standby_unhealthy", "state green active active=green-backup"));
  const SwitchEvent event = *view("green").last_switch;
  EXPECT_EQ(event.reason, "green-main engine fail (crashed): switching to green-backup");
  EXPECT_EQ(event.trigger->detail, "crashed");
  EXPECT_EQ(event.detected, at(3000));
  EXPECT_EQ(event.commanded, at(3000));
  EXPECT_EQ(event.confirmed, at(3002));
  EXPECT_EQ(event.input_from, 1);
  EXPECT_EQ(event.input_to, 2);
  EXPECT_EQ(event.outputs, (std::vector<int>{1, 2}));
  EXPECT_EQ(event.mode, config::FailoverMode::Auto);
  EXPECT_FALSE(event.requested_by);
  // Failback is manual: the Main recovering changes nothing on air.
  report("green-main", Check::Engine, Reported::Ok);
  const auto later = runTo(60000);
  EXPECT_THAT(later, ElementsAre("state green active active=green-backup"));
  EXPECT_EQ(view("green").active, "green-backup");
}

// A failure is dated from when the node read the message, not from when the engine got to it,
// so the event's detect_to_command shows the node's queueing too. A read time in the future of
// `now` is nonsense and ignored.
TEST_F(TriggersTest, DetectionIsDatedFromWhenTheMessageWasRead) {
  start(basicConfig());
  settle();
  runTo(3000);
  report("green-main", Check::Engine, Reported::Fail);
  HealthObserved failure = health("green-main", Check::Engine, Reported::Fail);
  failure.received_at = at(2990);
  handle(3000, failure);
  handle(3002, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(view("green").last_switch->detected, at(2990));
  EXPECT_EQ(view("green").last_switch->commanded, at(3000));
}

TEST_F(TriggersTest, AReadTimeLaterThanNowIsIgnored) {
  start(basicConfig());
  settle();
  runTo(3000);
  report("green-main", Check::Engine, Reported::Fail);
  HealthObserved failure = health("green-main", Check::Engine, Reported::Fail);
  failure.received_at = at(3500);
  handle(3000, failure);
  handle(3002, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(view("green").last_switch->detected, at(3000));
}

TEST_F(TriggersTest, VideoIoFailureTriggers) {
  start(basicConfig());
  settle();
  EXPECT_THAT(handle(2550, health("green-main", Check::VideoIo, Reported::Fail, "no genlock")),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(TriggersTest, NetworkFailureTriggers) {
  start(basicConfig());
  settle();
  EXPECT_THAT(handle(2550, health("green-main", Check::Network, Reported::Fail)),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(TriggersTest, AgentOfflineIsANetworkFailure) {
  start(basicConfig());
  settle();
  // An agent's Last Will counts once it has held health.offline_confirm_ms (250 by default).
  EXPECT_THAT(handle(2550, health("green-main", Check::Status, Reported::Fail)), IsEmpty());
  EXPECT_THAT(tick(2799), IsEmpty());
  EXPECT_THAT(tick(2800), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                      "state green switching active=green-main advised"));
  handle(2801, routing({{1, 2}, {2, 2}}, false));
  const SwitchEvent event = *view("green").last_switch;
  EXPECT_EQ(event.trigger, (TriggerInfo{"green-main", "status", "offline", "agent offline"}));
}

TEST_F(TriggersTest, NetworkNotATriggerMeansNoFailoverButAWarning) {
  config::Config config = basicConfig();
  config.pairs[0].triggers = {config::Trigger::Engine};
  start(config);
  settle();
  EXPECT_THAT(handle(2550, health("green-main", Check::Network, Reported::Fail)),
              ElementsAre("state green idle active=green-main"));
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Warn);
  EXPECT_TRUE(view("green").machines[0].healthy);
}

TEST_F(TriggersTest, WarnNeverTriggers) {
  start(basicConfig());
  settle();
  report("green-main", Check::Engine, Reported::Warn);
  EXPECT_THAT(runTo(5000), ElementsAre("state green idle active=green-main"));
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Warn);
}

TEST_F(TriggersTest, SilentEngineGoesStaleAtItsDeadline) {
  start(basicConfig());
  settle();
  EXPECT_THAT(runTo(3000), IsEmpty());
  silence("green-main", Check::Engine);
  // The last engine heartbeat was at 3000; runTo(3400) sends none from green-main.
  EXPECT_THAT(runTo(3450), IsEmpty());
  EXPECT_EQ(deadline(), 3500);
  EXPECT_THAT(tick(3500), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                      "state green switching active=green-main advised"));
  handle(3501, routing({{1, 2}, {2, 2}}, false));
  const SwitchEvent event = *view("green").last_switch;
  EXPECT_EQ(event.trigger, (TriggerInfo{"green-main", "engine", "stale", "no message for 500 ms"}));
  EXPECT_EQ(event.detected, at(3500));
}

TEST_F(TriggersTest, NextDeadlineFollowsTheOldestHeartbeat) {
  start(basicConfig());
  handle(0, routing({{1, 1}, {2, 1}}));
  // Before anything is heard, the deadline is the end of start-up grace.
  EXPECT_EQ(deadline(), 2000);
  handle(100, health("green-main", Check::Engine, Reported::Ok));
  handle(200, health("green-main", Check::VideoIo, Reported::Ok));
  EXPECT_EQ(deadline(), 600);
  handle(300, health("green-main", Check::Engine, Reported::Ok));
  EXPECT_EQ(deadline(), 700);
  // Stale videoio: the Main fails, but nothing automatic happens during start-up grace.
  EXPECT_THAT(tick(700), ElementsAre("state green degraded active=green-main"));
  EXPECT_EQ(view("green").machines[0].checks[2].status, CheckStatus::Stale);
  EXPECT_EQ(deadline(), 800);
}

TEST_F(TriggersTest, MachineNeverHeardFromBecomesStaleAfterGrace) {
  start(basicConfig());
  handle(0, routing({{1, 1}, {2, 1}}));
  EXPECT_EQ(view("green").machines[1].status, MachineStatus::Unknown);
  EXPECT_FALSE(view("green").machines[1].healthy);
  tick(2000);
  EXPECT_EQ(view("green").machines[1].checks[1].status, CheckStatus::Stale);
  EXPECT_EQ(view("green").machines[1].checks[1].detail, "no message since start");
}

TEST_F(TriggersTest, MainSilentSinceStartFailsOverOnceGraceIsOver) {
  start(basicConfig());
  handle(0, routing({{1, 1}, {2, 1}}));
  for (const auto check : {Check::Engine, Check::VideoIo, Check::Network}) {
    silence("green-main", check);
  }
  EXPECT_THAT(runTo(1999), ElementsAre("state green idle active=green-main",
                                       "state green idle active=green-main",
                                       "state green idle active=green-main"));
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Unknown);
  EXPECT_THAT(runTo(2000), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
  handle(2001, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(view("green").last_switch->trigger,
            (TriggerInfo{"green-main", "engine", "stale", "no message since start"}));
}

TEST_F(TriggersTest, CriticalParameterTriggersWhenCriticalIsATrigger) {
  config::Config config = basicConfig();
  config.pairs[0].triggers.push_back(config::Trigger::Critical);
  start(config);
  settle();
  HealthObserved diagnostics = health("green-main", Check::Diagnostics, Reported::Warn);
  diagnostics.critical_parameters = {"gpu_temp_c"};
  EXPECT_THAT(handle(2550, diagnostics),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
  handle(2551, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(view("green").last_switch->trigger,
            (TriggerInfo{"green-main", "critical", "critical", "critical parameter gpu_temp_c"}));
}

TEST_F(TriggersTest, CriticalOnlyAdvisesWhenNotATrigger) {
  start(basicConfig());
  settle();
  EXPECT_THAT(handle(2550, health("green-main", Check::Diagnostics, Reported::Fail, "critical")),
              ElementsAre("state green idle active=green-main advised"));
  const PairView state = view("green");
  EXPECT_TRUE(state.switch_advised);
  EXPECT_EQ(state.machines[0].status, MachineStatus::Critical);
  EXPECT_TRUE(state.machines[0].critical);
  EXPECT_THAT(handle(2600, health("green-main", Check::Diagnostics, Reported::Ok)),
              ElementsAre("state green idle active=green-main"));
}

class RulesTest : public EngineTimeline {
 protected:
  void SetUp() override {
    config::Config config = basicConfig();
    config.pairs[0].triggers.push_back(config::Trigger::Critical);
    config::RuleSettings rule;
    rule.name = "gpu-overheat";
    rule.source = Check::Diagnostics;
    rule.field = "parameters.gpu_temp_c.value";
    rule.op = config::Operator::Greater;
    rule.value.number = 95;
    rule.for_ms = 2000;
    config.rules.push_back(rule);
    start(config);
    settle();
    handle(2500, temperature(80));
  }
  HealthObserved temperature(double celsius) {
    HealthObserved event = health("green-main", Check::Diagnostics, Reported::Ok);
    event.fields = {{"parameters.gpu_temp_c.value", celsius}};
    return event;
  }
};

TEST_F(RulesTest, ListsTheFieldsItNeeds) {
  EXPECT_THAT(engine_->ruleFields(Check::Diagnostics), ElementsAre("parameters.gpu_temp_c.value"));
  EXPECT_THAT(engine_->ruleFields(Check::Engine), IsEmpty());
}

TEST_F(RulesTest, ConditionHeldForItsDurationTriggers) {
  EXPECT_THAT(handle(3000, temperature(97)), IsEmpty());
  EXPECT_THAT(runTo(4900), IsEmpty());
  EXPECT_THAT(handle(4950, temperature(98)), IsEmpty());
  EXPECT_THAT(runTo(4999), IsEmpty());
  EXPECT_EQ(deadline(), 5000);  // the rule's hold ends before the next heartbeat
  EXPECT_THAT(runTo(5000), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
  handle(5001, routing({{1, 2}, {2, 2}}, false));
  EXPECT_EQ(view("green").last_switch->trigger,
            (TriggerInfo{"green-main", "critical", "critical", "rule gpu-overheat"}));
  EXPECT_EQ(view("green").last_switch->detected, at(5000));
}

TEST_F(RulesTest, InterruptedConditionStartsOver) {
  EXPECT_THAT(handle(3000, temperature(97)), IsEmpty());
  EXPECT_THAT(handle(4000, temperature(90)), IsEmpty());
  EXPECT_THAT(handle(4500, temperature(97)), IsEmpty());
  EXPECT_THAT(runTo(6450), IsEmpty());
  EXPECT_THAT(runTo(6500), ElementsAre("route vh1 #1 1:2,2:2 [green]",
                                       "state green switching active=green-main advised"));
}

TEST_F(RulesTest, ConditionFlappingFasterThanItsHoldDoesNothing) {
  for (int64_t t = 3000; t < 20000; t += 500) {
    EXPECT_THAT(handle(t, temperature(t % 1000 == 0 ? 99 : 80)), IsEmpty()) << t;
  }
  EXPECT_THAT(runTo(30000), IsEmpty());
  EXPECT_EQ(view("green").active, "green-main");
}

TEST_F(RulesTest, WarningRuleOnlyWarns) {
  config::Config config = basicConfig();
  config.pairs[0].triggers.push_back(config::Trigger::Critical);
  config::RuleSettings rule;
  rule.name = "slow";
  rule.source = Check::Engine;
  rule.field = "fps";
  rule.op = config::Operator::Less;
  rule.value.number = 50;
  rule.severity = config::Severity::Warning;
  config.rules.push_back(rule);
  start(config);
  settle();
  HealthObserved engine = health("green-main", Check::Engine, Reported::Ok);
  engine.engine_mode = "live";
  engine.fields = {{"fps", 30.0}};
  EXPECT_THAT(handle(2550, engine), ElementsAre("state green idle active=green-main"));
  EXPECT_EQ(view("green").machines[0].status, MachineStatus::Warn);
  EXPECT_THAT(view("green").machines[0].active_rules, ElementsAre("slow"));
}

}  // namespace
}  // namespace failover::engine::testing
