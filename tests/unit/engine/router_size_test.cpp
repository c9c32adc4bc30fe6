// The router's real size, from its prelude: a pair with a port beyond it is flagged, and its
// switches are refused before anything is sent.

#include <gmock/gmock.h>

#include "engine_fixture.h"

namespace failover::engine::testing {
namespace {

using config::Check;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The full routing of the fill+key facility with its Mains on air, from a router of `size`.
RouterObserved preludeOf(RouterSize size) {
  RouterObserved event = routing({{1, 11}, {7, 11}, {2, 12}, {3, 5}});
  event.locked_outputs = std::vector<int>{};
  event.size = size;
  return event;
}

class RouterSizeTest : public EngineTimeline {};

TEST_F(RouterSizeTest, APairWithAPortBeyondTheRouterIsFlaggedAndNotSwitched) {
  start(fillKeyConfig());
  settle();
  EXPECT_THAT(handle(2600, preludeOf({12, 40})),
              ElementsAre("warning ar port_out_of_range", "state ar idle active=ar-main"));
  const PairView ar = view("ar");
  ASSERT_EQ(ar.warnings.size(), 1u);
  EXPECT_EQ(ar.warnings[0].message,
            "router 'vh1' has 12 inputs and 40 outputs: input 13 (ar-backup fill), input 14 "
            "(ar-backup key) beyond it; switches of this pair are refused");
  EXPECT_THAT(view("cam").warnings, IsEmpty()) << "cam's ports fit";

  // A failure of the Main: the switch fails before any block is sent, and says why.
  report("ar-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(handle(3000, health("ar-main", Check::Engine, Reported::Fail)),
              ElementsAre("state ar degraded active=ar-main advised",
                          "event switch_failed ar #1 ar-main->ar-backup port_out_of_range "
                          "trigger=ar-main/engine/fail"));
  EXPECT_EQ(view("ar").last_switch->error_message,
            "router 'vh1' has 12 inputs and 40 outputs: input 13 (ar-backup fill), input 14 "
            "(ar-backup key) beyond it");

  // An operator's command gets the same answer.
  const auto reply = handleRaw(3100, switchTo("ar", "ar-backup", true));
  const auto* answer = std::get_if<CommandReply>(&reply.back());
  ASSERT_NE(answer, nullptr);
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error, ErrorCode::PortOutOfRange);
}

TEST_F(RouterSizeTest, ALargerRouterClearsTheFlag) {
  start(fillKeyConfig());
  settle();
  handle(2600, preludeOf({12, 40}));
  EXPECT_THAT(handle(2700, preludeOf({40, 40})), ElementsAre("state ar idle active=ar-main"));
  EXPECT_THAT(view("ar").warnings, IsEmpty());
  report("ar-main", Check::Engine, Reported::Fail);
  EXPECT_THAT(
      handle(3000, health("ar-main", Check::Engine, Reported::Fail)),
      ElementsAre("route vh1 #1 1:13,7:13,2:14 [ar]", "state ar switching active=ar-main advised"));
}

TEST_F(RouterSizeTest, AnOutputBeyondTheRouterIsNamed) {
  start(fillKeyConfig());
  settle();
  handle(2600, preludeOf({40, 6}));
  EXPECT_EQ(view("ar").warnings[0].message,
            "router 'vh1' has 40 inputs and 6 outputs: output 7 beyond it; switches of this pair "
            "are refused");
}

}  // namespace
}  // namespace failover::engine::testing
