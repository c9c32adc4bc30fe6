// Cluster mode: a standby runs the engine in shadow (SPEC 8.1). It follows health and the
// routing on air but decides nothing; when it comes into charge it decides every pair afresh
// from what is true then, with dwell and failback counted from the changes on air it saw.

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

class ShadowTest : public EngineTimeline {
 protected:
  void startStandby(config::Config config) {
    start(config);
    handle(0, ControlChanged{false});
    settle();
  }
};

TEST_F(ShadowTest, AStandbyDecidesNothingWhenTheMainFails) {
  startStandby(basicConfig());
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(6000), Not(Contains(StartsWith("route"))));
  EXPECT_EQ(view("green").active, "green-main");
}

TEST_F(ShadowTest, ComingIntoChargeWithTheMainFailedSwitchesAtOnce) {
  startStandby(basicConfig());
  report("green-main", Check::Engine, Reported::Fail);
  runTo(4000);
  EXPECT_THAT(handle(4000, ControlChanged{true}),
              ElementsAre("route vh1 #1 1:2,2:2 [green]",
                          "state green switching active=green-main advised"));
}

TEST_F(ShadowTest, ComingIntoChargeWithEverythingHealthyRoutesNothing) {
  startStandby(basicConfig());
  runTo(4000);
  EXPECT_THAT(handle(4000, ControlChanged{true}), IsEmpty());
  EXPECT_THAT(runTo(8000), IsEmpty());
}

// The node in charge switched (seen on the router); the standby's dwell counts from that change
// on air, so a failure right after the takeover waits for the dwell like it would have on the
// node that switched.
TEST_F(ShadowTest, TheDwellCountsFromAChangeOnAirTheStandbySaw) {
  startStandby(basicConfig());  // min_dwell_ms 5000
  runTo(3000);
  handle(3000, routing({{1, 2}, {2, 2}}, false));  // the active's failover, on air
  EXPECT_EQ(view("green").active, "green-backup");
  runTo(4000);
  handle(4000, ControlChanged{true});
  report("green-backup", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(7900), Not(Contains(StartsWith("route"))));
  EXPECT_THAT(runTo(8100), Contains("route vh1 #1 1:1,2:1 [green]"));
}

TEST_F(ShadowTest, AStandbyRefusesASwitchCommand) {
  startStandby(basicConfig());
  EXPECT_THAT(handle(3000, switchTo("green", "green-backup")), Contains("reply c1 not_allowed"));
}

// A switch sent while in charge and confirmed after control was lost is still this node's
// switch, confirmed by the router like any other.
TEST_F(ShadowTest, ASwitchInFlightWhenControlIsLostIsConfirmedByTheRouting) {
  start(basicConfig());
  settle();
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(3000), Contains(StartsWith("route vh1")));
  handle(3001, ControlChanged{false});
  const auto confirmed = handle(3010, routing({{1, 2}, {2, 2}}, false));
  EXPECT_THAT(confirmed,
              Contains(StartsWith("event failover green #1 green-main->green-backup ok")));
  EXPECT_EQ(view("green").active, "green-backup");
}

}  // namespace
}  // namespace failover::engine::testing

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::Contains;
using ::testing::Not;
using ::testing::StartsWith;

class ShadowReloadTest : public EngineTimeline {};

// A configuration reload on a standby keeps it a shadow.
TEST_F(ShadowReloadTest, AReloadKeepsAStandbyInShadow) {
  start(basicConfig());
  handle(0, ControlChanged{false});
  settle();
  config::Config edited = basicConfig();
  edited.pairs[0].min_dwell_ms = 1000;
  reload(3000, edited);
  report("green-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(runTo(8000), Not(Contains(StartsWith("route"))));
  EXPECT_THAT(handle(8000, ControlChanged{true}), Contains(StartsWith("route vh1")));
}

}  // namespace
}  // namespace failover::engine::testing
