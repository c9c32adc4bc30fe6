// Exchanges scripted byte for byte: pushes from other clients interleaved with our replies,
// as the protocol allows and the simulator does not produce by itself.

#include <gtest/gtest.h>

#include "scripted_router.h"
#include "sim_harness.h"

namespace failover::videohub_client::testing {
namespace {

constexpr const char* kPrelude =
    "PROTOCOL PREAMBLE:\nVersion: 2.3\n\n"
    "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Blackmagic Smart Videohub\n"
    "Video inputs: 8\nVideo outputs: 8\n\n"
    "INPUT LABELS:\n0 A\n1 B\n2 C\n3 D\n4 E\n5 F\n6 G\n7 H\n\n"
    "OUTPUT LABELS:\n0 P\n1 Q\n2 R\n3 S\n4 T\n5 U\n6 V\n7 W\n\n"
    "VIDEO OUTPUT ROUTING:\n0 0\n1 1\n2 2\n3 3\n4 4\n5 5\n6 6\n7 7\n\n"
    "VIDEO OUTPUT LOCKS:\n0 U\n1 U\n2 U\n3 U\n4 U\n5 U\n6 U\n7 U\n\n";

TEST(ScriptedExchangeTest, PushesBeforeTheAckAreAppliedAndTheWaitGoesOn) {
  asio::io_context io;
  ScriptedRouter router(io, kPrelude, [](const std::string& request) -> std::string {
    if (request == "PING:\n\n") {
      return "ACK\n\n";
    }
    if (request == "VIDEO OUTPUT ROUTING:\n0 6\n1 7\n\n") {
      // The front panel moves output 5 first; then our ACK; then the echo of our salvo.
      return "VIDEO OUTPUT ROUTING:\n4 2\n\nACK\n\nVIDEO OUTPUT ROUTING:\n0 6\n1 7\n\n";
    }
    return "NAK\n\n";
  });
  ObservedClient c(io, fastOptions(router.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));  // no END PRELUDE: the PING's ACK ends it
  const auto results = c.salvo({{1, 7}, {2, 8}});
  EXPECT_EQ(resultFor(results, 1).outcome, RouteOutcome::Applied);
  EXPECT_EQ(resultFor(results, 2).outcome, RouteOutcome::Applied);
  EXPECT_EQ(c.client->state().sourceOf(5), 3u);  // the push was applied too
  EXPECT_EQ(c.client->stats().naks, 0u);
  ASSERT_EQ(router.requests().size(), 2u);
  EXPECT_EQ(router.requests()[1], "VIDEO OUTPUT ROUTING:\n0 6\n1 7\n\n");  // one block, LF only
}

TEST(ScriptedExchangeTest, AFailoverReplacesAStaleQueuedRouteAndNeverPipelines) {
  asio::io_context io;
  ScriptedRouter router(io, kPrelude, [](const std::string& request) -> std::string {
    if (request.rfind("VIDEO OUTPUT ROUTING:\n", 0) == 0 && request.size() > 24) {
      return "ACK\n\n" + request;  // echo what was asked
    }
    return "ACK\n\n";
  });
  ObservedClient c(io, fastOptions(router.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const size_t before = router.requests().size();
  auto first = std::make_shared<std::vector<RouteResult>>();
  auto stale = std::make_shared<std::vector<RouteResult>>();
  auto failover = std::make_shared<std::vector<RouteResult>>();
  c.client->routeSalvo({{3, 4}}, [first](const auto& r) { *first = r; });
  c.client->routeSalvo({{1, 2}, {2, 2}}, [stale](const auto& r) { *stale = r; });
  c.client->routeSalvo({{1, 5}, {2, 6}}, [failover](const auto& r) { *failover = r; });
  ASSERT_TRUE(
      runUntil(io, [&] { return !first->empty() && !stale->empty() && !failover->empty(); }));
  EXPECT_EQ(resultFor(*stale, 1).reason, "superseded");
  EXPECT_EQ(resultFor(*stale, 2).reason, "superseded");
  EXPECT_EQ(resultFor(*failover, 1).outcome, RouteOutcome::Applied);
  EXPECT_EQ(resultFor(*failover, 2).outcome, RouteOutcome::Applied);
  // The stale block was never sent: only the first salvo and the failover reached the wire.
  ASSERT_EQ(router.requests().size(), before + 2);
  EXPECT_EQ(router.requests()[before], "VIDEO OUTPUT ROUTING:\n2 3\n\n");
  EXPECT_EQ(router.requests()[before + 1], "VIDEO OUTPUT ROUTING:\n0 4\n1 5\n\n");
}

}  // namespace
}  // namespace failover::videohub_client::testing
