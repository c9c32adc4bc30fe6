// Mode, arming and router enable: audit events, saved run-time state, replies; state
// requests; the licence (feature) warning.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class CommandsTest : public EngineTimeline {
 protected:
  void SetUp() override {
    start(basicConfig());
    settle();
  }
  template <typename T>
  T only(const std::vector<Action>& actions) {
    for (const auto& action : actions) {
      if (const auto* found = std::get_if<T>(&action)) {
        return *found;
      }
    }
    ADD_FAILURE() << "action not found";
    return T{};
  }
};

TEST_F(CommandsTest, ModeChangeIsAuditedSavedAndAnswered) {
  const auto actions =
      handleRaw(3000, SetMode{"green", config::FailoverMode::Manual, {"m1", "dashboard", "t7"}});
  EXPECT_THAT(describe(*engine_, actions),
              ElementsAre("audit mode green auto->manual", "save",
                          "state green idle active=green-main", "reply m1 ok"));
  const AuditEvent audit = only<AuditEvent>(actions);
  EXPECT_EQ(audit.requested_by, "dashboard");
  EXPECT_EQ(audit.transaction, "t7");
  const SaveRunState save = only<SaveRunState>(actions);
  EXPECT_EQ(save.state.pairs.at("green").mode, config::FailoverMode::Manual);
  EXPECT_EQ(save.state.pairs.at("green").armed, true);
  EXPECT_EQ(save.state.routers.at("vh1").enabled, true);
  EXPECT_EQ(save.state, engine_->runState());
  const CommandReply reply = only<CommandReply>(actions);
  EXPECT_EQ(reply.transaction, "t7");
  EXPECT_EQ(reply.state->mode, config::FailoverMode::Manual);
  // The same value again changes nothing and is not audited.
  EXPECT_THAT(handle(3001, SetMode{"green", config::FailoverMode::Manual, {"m2", {}, {}}}),
              ElementsAre("reply m2 ok"));
}

TEST_F(CommandsTest, ManualModeOnlyAdvisesAndAutoActsAtOnce) {
  handle(3000, SetMode{"green", config::FailoverMode::Manual, {}});
  EXPECT_THAT(handle(3100, health("green-main", Check::Engine, Reported::Fail)),
              ElementsAre("state green degraded active=green-main advised"));
  EXPECT_THAT(handle(3200, SetMode{"green", config::FailoverMode::Auto, {"m3", {}, {}}}),
              ElementsAre("route vh1 #1 1:2,2:2 [green]", "audit mode green manual->auto", "save",
                          "state green switching active=green-main advised", "reply m3 ok"));
}

TEST_F(CommandsTest, RouterEnableIsAuditedAndSaved) {
  EXPECT_THAT(handle(3000, SetRouterEnabled{"vh9", false, {"r0", {}, {}}}),
              ElementsAre("reply r0 bad_request"));
  EXPECT_THAT(
      handle(3001, SetRouterEnabled{"vh1", false, {"r1", {}, {}}}),
      ElementsAre("audit router_enabled vh1 ON->OFF", "connection vh1 OFF", "save",
                  "warning green router_disabled", "state green degraded active=?", "reply r1 ok"));
  EXPECT_EQ(engine_->runState().routers.at("vh1").enabled, false);
  // The daemon closed the connection; its report of that changes nothing more.
  EXPECT_THAT(handle(3002, routerDown()), IsEmpty());
  // A disabled router is not switched automatically.
  EXPECT_THAT(handle(3100, health("green-main", Check::Engine, Reported::Fail)),
              ElementsAre("state green degraded active=?"));
  EXPECT_THAT(handle(3200, SetRouterEnabled{"vh1", true, {"r2", {}, {}}}),
              ElementsAre("audit router_enabled vh1 OFF->ON", "connection vh1 ON", "save",
                          "warning green router_disconnected", "state green degraded active=?",
                          "reply r2 ok"));
  // Routed again only once the router, reconnected, shows its routing.
  EXPECT_THAT(handle(3300, routing({{1, 1}, {2, 1}})),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(CommandsTest, RouterEnableAsksTheDaemonToConnectOrLeaveTheRouter) {
  const auto disable = handleRaw(3000, SetRouterEnabled{"vh1", false, {"r1", "operator", {}}});
  EXPECT_EQ(only<SetRouterConnection>(disable), (SetRouterConnection{"vh1", false}));
  // Only a change is carried out: the same setting again asks for nothing.
  EXPECT_THAT(handle(3001, SetRouterEnabled{"vh1", false, {"r2", {}, {}}}),
              ElementsAre("reply r2 ok"));
  EXPECT_THAT(handle(3002, SetRouterEnabled{"vh9", true, {"r3", {}, {}}}),
              ElementsAre("reply r3 bad_request"));
  const auto enable = handleRaw(3003, SetRouterEnabled{"vh1", true, {"r4", {}, {}}});
  EXPECT_EQ(only<SetRouterConnection>(enable), (SetRouterConnection{"vh1", true}));
  EXPECT_EQ(engine_->runState().routers.at("vh1").enabled, true);
}

TEST_F(CommandsTest, UnknownPairsAreRefused) {
  EXPECT_THAT(handle(3000, SetMode{"red", config::FailoverMode::Manual, {"m1", {}, {}}}),
              ElementsAre("reply m1 unknown_pair"));
  EXPECT_THAT(handle(3000, SetArmed{"red", false, {"a1", {}, {}}}),
              ElementsAre("reply a1 unknown_pair"));
  EXPECT_THAT(handle(3000, GetState{"red", {"g1", {}, {}}}), ElementsAre("reply g1 unknown_pair"));
  EXPECT_EQ(engine_->pairView("red"), std::nullopt);
}

TEST_F(CommandsTest, StateRequestIsAnsweredWithThePairsState) {
  const auto actions = handleRaw(3000, GetState{"green", {"g1", {}, "t1"}});
  EXPECT_THAT(describe(*engine_, actions), ElementsAre("reply g1 ok"));
  const CommandReply reply = only<CommandReply>(actions);
  ASSERT_TRUE(reply.state);
  EXPECT_EQ(*reply.state, view("green"));
  EXPECT_EQ(reply.state->main, "green-main");
  EXPECT_EQ(reply.state->backup, "green-backup");
  EXPECT_EQ(reply.state->machines[0].checks.size(), 5u);
  EXPECT_EQ(reply.state->router.outputs, (std::vector<int>{1, 2}));
  EXPECT_EQ(reply.state->router.input, 1);
  EXPECT_THAT(engine_->pairIds(), ElementsAre("green"));
}

TEST(FeatureWarningTest, DifferentFeaturesAreWarnedInThePairsState) {
  config::Config config = basicConfig();
  config.machines[1].features = {"virtual-set"};
  FailoverEngine engine(config, at(0));
  const auto state = engine.pairView("green");
  ASSERT_EQ(state->warnings.size(), 2u);
  EXPECT_EQ(state->warnings[0].code, "feature_mismatch");
  EXPECT_EQ(state->warnings[0].message,
            "features of Main 'green-main' [ar] and Backup 'green-backup' [virtual-set] differ");
  EXPECT_EQ(state->warnings[1].code, "router_disconnected");
}

TEST(EngineNamesTest, NamesMatchTheMqttContract) {
  EXPECT_STREQ(toString(SwitchEventType::ManualSwitch), "manual_switch");
  EXPECT_STREQ(toString(SwitchEventType::ExternalSwitch), "external_switch");
  EXPECT_STREQ(toString(SwitchEventType::SwitchFailed), "switch_failed");
  EXPECT_STREQ(toString(ErrorCode::TargetUnhealthy), "target_unhealthy");
  EXPECT_STREQ(toString(ErrorCode::RouterDisconnected), "router_disconnected");
  EXPECT_STREQ(toString(FailoverState::Degraded), "degraded");
  EXPECT_STREQ(toString(CheckStatus::Stale), "stale");
  EXPECT_STREQ(toString(MachineStatus::Critical), "critical");
}

}  // namespace
}  // namespace failover::engine::testing

namespace failover::engine::testing {
namespace {

TEST(FeatureWarningTest, TheFirstCallAnnouncesConfigurationWarnings) {
  config::Config config = basicConfig();
  config.machines[1].features = {"virtual-set"};
  FailoverEngine engine(config, at(0));
  EXPECT_THAT(describe(engine, engine.tick(at(1))),
              ::testing::ElementsAre("warning green feature_mismatch"));
  EXPECT_THAT(describe(engine, engine.tick(at(2))), ::testing::IsEmpty());
}

}  // namespace
}  // namespace failover::engine::testing

namespace failover::engine::testing {
namespace {

TEST(InvalidConfigTest, PairsWithDanglingReferencesAreNotManaged) {
  config::Config config = sharedBackupConfig();
  config.pairs[0].router = "vh9";
  config.pairs[1].outputs = {0, -4};
  config::PairSettings extra = config.pairs[1];
  extra.id = "red";
  extra.main = "nobody";
  extra.outputs = {7};
  config.pairs.push_back(extra);
  FailoverEngine engine(config, at(0));
  EXPECT_THAT(engine.pairIds(), ::testing::IsEmpty());
  EXPECT_THAT(describe(engine, engine.handle(routing({{1, 1}, {3, 3}}), at(1))),
              ::testing::IsEmpty());
  EXPECT_THAT(describe(engine, engine.handle(switchTo("green", "other"), at(2))),
              ::testing::ElementsAre("reply c1 unknown_pair"));
}

}  // namespace
}  // namespace failover::engine::testing
