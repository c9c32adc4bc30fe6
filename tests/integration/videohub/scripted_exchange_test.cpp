// Exchanges scripted byte for byte (golden transcripts): pushes from other clients interleaved
// with our replies, forced unlocks, blocks left unanswered, as the protocol allows and the
// simulator does not produce by itself. Each asserts the exact request bytes.

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

using Words = std::vector<std::string>;

TEST(ScriptedExchangeTest, PushesBeforeTheAckAreAppliedAndTheWaitGoesOn) {
  asio::io_context io;
  ScriptedRouter router(io, kPrelude, [](const std::string& request) -> std::string {
    if (request == "PING:\n\n") {
      return "ACK\n\n";
    }
    if (request == "VIDEO OUTPUT ROUTING:\n0 6\n1 7\n\n") {
      // The front panel moves output 5 first; then our ACK; then the echo of our block.
      return "VIDEO OUTPUT ROUTING:\n4 2\n\nACK\n\nVIDEO OUTPUT ROUTING:\n0 6\n1 7\n\n";
    }
    return "NAK\n\n";
  });
  ObservedClient c(io, fastOptions(router.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));  // no END PRELUDE: the PING's ACK ends it
  EXPECT_EQ(c.route({{1, 7}, {2, 8}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{1, 7}, {2, 8}}));
  EXPECT_EQ(c.client->state().sourceOf(5), 3u);  // the push was applied too
  EXPECT_EQ(c.client->stats().naks, 0u);
  ASSERT_EQ(router.requests().size(), 2u);
  EXPECT_EQ(router.requests()[1], "VIDEO OUTPUT ROUTING:\n0 6\n1 7\n\n");  // one block, LF only
}

// Golden transcript: the exact bytes on the wire for blocks queued behind the one in flight.
// Those whose outputs do not overlap leave together as ONE block, and every caller hears of
// it; a block naming an output again leaves after, so the newest route lands last.
TEST(ScriptedExchangeTest, QueuedBlocksLeaveTogetherUnlessTheyNameAnOutputAgain) {
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
  const auto first = c.send({{3, 4}});
  const auto a = c.send({{1, 2}, {2, 2}});
  const auto b = c.send({{5, 5}});
  const auto again = c.send({{1, 5}, {2, 6}});
  ASSERT_TRUE(
      runUntil(io, [&] { return first->done() && a->done() && b->done() && again->done(); }));
  for (const auto& reports : {first, a, b, again}) {
    EXPECT_EQ(describe(*reports), (Words{"sent", "acknowledged"}));
  }
  // a and b were written at the same moment, in the same block.
  EXPECT_EQ(std::get<core::BlockSent>(a->outcomes[0]), std::get<core::BlockSent>(b->outcomes[0]));
  ASSERT_EQ(router.requests().size(), before + 3);  // never pipelined: one block per ACK
  EXPECT_EQ(router.requests()[before], "VIDEO OUTPUT ROUTING:\n2 3\n\n");
  EXPECT_EQ(router.requests()[before + 1], "VIDEO OUTPUT ROUTING:\n0 1\n1 1\n4 4\n\n");
  EXPECT_EQ(router.requests()[before + 2], "VIDEO OUTPUT ROUTING:\n0 4\n1 5\n\n");
  EXPECT_TRUE(c.waitForRouting({{1, 5}, {2, 6}, {3, 4}, {5, 5}}));
}

constexpr const char* kLockedPrelude =
    "PROTOCOL PREAMBLE:\nVersion: 2.3\n\n"
    "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Blackmagic Smart Videohub\n"
    "Video inputs: 8\nVideo outputs: 8\n\n"
    "INPUT LABELS:\n0 A\n1 B\n2 C\n3 D\n4 E\n5 F\n6 G\n7 H\n\n"
    "OUTPUT LABELS:\n0 P\n1 Q\n2 R\n3 S\n4 T\n5 U\n6 V\n7 W\n\n"
    "VIDEO OUTPUT ROUTING:\n0 0\n1 1\n2 2\n3 3\n4 4\n5 5\n6 6\n7 7\n\n"
    "VIDEO OUTPUT LOCKS:\n0 U\n1 L\n2 U\n3 U\n4 U\n5 U\n6 U\n7 U\n\n"
    "END PRELUDE:\n\n";

// Golden transcript of a forced unlock: F, the router shows U, then the routing block.
TEST(ScriptedExchangeTest, AForcedUnlockPrecedesTheRoutingBlock) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude, [](const std::string& request) -> std::string {
    if (request == "VIDEO OUTPUT LOCKS:\n1 F\n\n") {
      return "ACK\n\nVIDEO OUTPUT LOCKS:\n1 U\n\n";
    }
    if (request == "VIDEO OUTPUT ROUTING:\n1 4\n2 4\n\n") {
      return "ACK\n\n" + request;
    }
    return request == "PING:\n\n" ? "ACK\n\n" : "NAK\n\n";
  });
  ClientOptions options = fastOptions(router.port());
  options.force_unlock = true;
  ObservedClient c(io, options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] { return router.requests().size() == 1; }));  // the first PING
  EXPECT_EQ(c.route({{2, 5}, {3, 5}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{2, 5}, {3, 5}}));
  EXPECT_EQ(router.requests(), (Words{"PING:\n\n", "VIDEO OUTPUT LOCKS:\n1 F\n\n",
                                      "VIDEO OUTPUT ROUTING:\n1 4\n2 4\n\n"}));
}

// The unlock was accepted but the output stays locked: nothing of the block is routed.
TEST(ScriptedExchangeTest, AnUnlockThatDoesNotShowRefusesTheBlockAsLocked) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude,
                        [](const std::string&) -> std::string { return "ACK\n\n"; });
  ClientOptions options = fastOptions(router.port());
  options.force_unlock = true;
  options.ack_timeout = 200ms;
  options.unlock_timeout = 100ms;
  ObservedClient c(io, options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] { return router.requests().size() == 1; }));  // the first PING
  const auto reports = c.send({{2, 5}, {3, 5}});
  ASSERT_TRUE(runUntil(io, [&] { return reports->done(); }));
  EXPECT_EQ(describe(*reports), (Words{"sent", "refused locked"}));
  EXPECT_EQ(std::get<core::BlockRefused>(reports->outcomes[1]).detail,
            "output(s) 2 still locked by another client after a forced unlock");
  EXPECT_EQ(router.requests(), (Words{"PING:\n\n", "VIDEO OUTPUT LOCKS:\n1 F\n\n"}));
  EXPECT_EQ(c.client->state().sourceOf(2), 2u);
}

// Golden transcript of a block cut off by the connection: written, then no ACK.
TEST(ScriptedExchangeTest, ABlockWrittenThenTheConnectionLostIsSentThenLost) {
  asio::io_context io;
  ScriptedRouter router(io, kPrelude, [](const std::string& request) -> std::string {
    return request == "PING:\n\n" ? "ACK\n\n" : "";  // the routing block is never answered
  });
  ClientOptions options = fastOptions(router.port());
  options.ack_timeout = 200ms;
  ObservedClient c(io, options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const auto reports = c.send({{1, 2}});
  ASSERT_TRUE(runUntil(io, [&] { return reports->done(); }));
  EXPECT_EQ(describe(*reports), (Words{"sent", "lost"}));
  ASSERT_GE(router.requests().size(), 2u);
  EXPECT_EQ(router.requests()[1], "VIDEO OUTPUT ROUTING:\n0 1\n\n");
  EXPECT_EQ(c.client->stats().ack_timeouts, 1u);
}

}  // namespace
}  // namespace failover::videohub_client::testing
