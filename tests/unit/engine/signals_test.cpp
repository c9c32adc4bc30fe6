// Pairs with several signals (fill and key): one block moves every output to its signal's
// input on the other machine, and only the whole of it on the router counts as a switch.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;

class SignalsTest : public EngineTimeline {};

TEST_F(SignalsTest, AFailoverMovesEachOutputToItsSignalsInputInOneBlock) {
  start(fillKeyConfig());
  settle();
  EXPECT_EQ(view("ar").active, "ar-main");
  report("ar-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(
      handle(3000, health("ar-main", Check::Engine, Reported::Fail)),
      ElementsAre("route vh1 #1 1:13,7:13,2:14 [ar]", "state ar switching active=ar-main advised"));
  EXPECT_THAT(handle(3001, routing({{1, 13}, {7, 13}, {2, 14}}, false)),
              ElementsAre("event failover ar #1 ar-main->ar-backup ok trigger=ar-main/engine/fail",
                          "warning ar standby_unhealthy", "state ar active active=ar-backup"));
  const SwitchEvent event = *view("ar").last_switch;
  EXPECT_EQ(event.outputs, (std::vector<int>{1, 7, 2}));
  EXPECT_EQ(event.input_from, 11) << "the first signal's inputs";
  EXPECT_EQ(event.input_to, 13);
  EXPECT_THAT(event.signals,
              ElementsAre(SignalRoute{"fill", {1, 7}, 11, 13}, SignalRoute{"key", {2}, 12, 14}));
  EXPECT_EQ(view("cam").active, "cam-main") << "the other pair is not touched";
}

TEST_F(SignalsTest, TheFillAloneOnTheBackupIsNotASwitch) {
  start(fillKeyConfig());
  settle();
  report("ar-main", Check::VideoIo, Reported::Fail);
  handle(3000, health("ar-main", Check::VideoIo, Reported::Fail));
  // The router shows the fill of the Backup, the key still of the Main: neither is on air.
  EXPECT_THAT(handle(3001, routing({{1, 13}, {7, 13}}, false)),
              ElementsAre("state ar switching active=?"));
  EXPECT_EQ(view("ar").router.signals[0].input, 13);
  EXPECT_EQ(view("ar").router.signals[1].input, 12);
  EXPECT_EQ(view("ar").router.input, std::nullopt);
  EXPECT_THAT(handle(3002, routing({{2, 14}}, false)),
              ElementsAre("event failover ar #1 ar-main->ar-backup ok "
                          "trigger=ar-main/videoio/fail",
                          "warning ar standby_unhealthy", "state ar active active=ar-backup"));
}

TEST_F(SignalsTest, AKeyLeftBehindByAnotherClientIsReportedWithEverySignalsInput) {
  start(fillKeyConfig());
  settle();
  EXPECT_THAT(handle(3000, routing({{2, 14}}, false)),
              ElementsAre("warning ar routing_unknown", "state ar degraded active=?"));
  const PairView state = view("ar");
  ASSERT_EQ(state.warnings.size(), 1u);
  EXPECT_EQ(state.warnings[0].message,
            "outputs [1,7,2] show neither ar-main (inputs fill 11, key 12) nor ar-backup (inputs "
            "fill 13, key 14)");
  // No decision is taken from a routing that shows neither machine.
  report("ar-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(handle(3100, health("ar-main", Check::Engine, Reported::Fail)),
              ElementsAre("state ar degraded active=?"));
}

TEST_F(SignalsTest, TheViewListsEachSignalWithItsInputs) {
  start(fillKeyConfig());
  settle();
  const PairView ar = view("ar");
  ASSERT_EQ(ar.router.signals.size(), 2u);
  EXPECT_EQ(ar.router.signals[0], (SignalView{"fill", {1, 7}, 11, 13, 11}));
  EXPECT_EQ(ar.router.signals[1], (SignalView{"key", {2}, 12, 14, 12}));
  const PairView cam = view("cam");
  ASSERT_EQ(cam.router.signals.size(), 1u);
  EXPECT_EQ(cam.router.signals[0], (SignalView{"program", {3}, 5, 6, 5}));
  EXPECT_EQ(cam.router.input, 5);
}

}  // namespace
}  // namespace failover::engine::testing
