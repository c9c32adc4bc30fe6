// lockOutputs() byte for byte (golden transcripts): the forced unlock of outputs another client
// holds, then ONE block taking every output, and what is reported when a step fails.

#include <gtest/gtest.h>

#include "scripted_router.h"
#include "sim_harness.h"

namespace failover::videohub_client::testing {
namespace {

using Words = std::vector<std::string>;

// Output 2 (index 1) is locked by another client; END PRELUDE makes the client ready at once.
constexpr const char* kLockedPrelude =
    "PROTOCOL PREAMBLE:\nVersion: 2.3\n\n"
    "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Blackmagic Smart Videohub\n"
    "Video inputs: 4\nVideo outputs: 4\n\n"
    "INPUT LABELS:\n0 A\n1 B\n2 C\n3 D\n\n"
    "OUTPUT LABELS:\n0 P\n1 Q\n2 R\n3 S\n\n"
    "VIDEO OUTPUT ROUTING:\n0 0\n1 1\n2 2\n3 3\n\n"
    "VIDEO OUTPUT LOCKS:\n0 U\n1 L\n2 U\n3 U\n\n"
    "END PRELUDE:\n\n";

// A router that answers F with ACK and the U broadcast, O with ACK and the O echo.
std::string cooperative(const std::string& request) {
  if (request == "VIDEO OUTPUT LOCKS:\n1 F\n\n") {
    return "ACK\n\nVIDEO OUTPUT LOCKS:\n1 U\n\n";
  }
  if (request == "VIDEO OUTPUT LOCKS:\n1 O\n2 O\n\n") {
    return "ACK\n\n" + request;
  }
  if (request == "VIDEO OUTPUT LOCKS:\n2 O\n\n") {
    return "ACK\n\n" + request;
  }
  return request == "PING:\n\n" ? "ACK\n\n" : "NAK\n\n";
}

// Connects and waits for the first PING, so requests() holds only what follows it.
bool ready(ObservedClient& c, asio::io_context& io, const ScriptedRouter& router) {
  return c.waitFor(ConnectionState::Ready) &&
         runUntil(io, [&] { return router.requests().size() == 1; });
}

TEST(LockOutputsExchangeTest, AnOutputLockedByAnotherIsForcedUnlockedThenAllAreTaken) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude, cooperative);
  ObservedClient c(io, fastOptions(router.port()));  // force_unlock off: locking takes over
  ASSERT_TRUE(ready(c, io, router));
  EXPECT_EQ(c.lock({2, 3, 2}), (Words{"sent", "acknowledged"}));
  EXPECT_EQ(router.requests(), (Words{"PING:\n\n", "VIDEO OUTPUT LOCKS:\n1 F\n\n",
                                      "VIDEO OUTPUT LOCKS:\n1 O\n2 O\n\n"}));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().lockOf(3) == LockState::Owned; }));
  EXPECT_EQ(c.client->state().lockOf(2), LockState::Owned);
  EXPECT_EQ(c.client->state().lockOf(1), LockState::Unlocked);
}

TEST(LockOutputsExchangeTest, FreeOutputsAreTakenWithoutAForcedUnlock) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude, cooperative);
  ObservedClient c(io, fastOptions(router.port()));
  ASSERT_TRUE(ready(c, io, router));
  EXPECT_EQ(c.lock({3}), (Words{"sent", "acknowledged"}));
  EXPECT_EQ(router.requests(), (Words{"PING:\n\n", "VIDEO OUTPUT LOCKS:\n2 O\n\n"}));
}

// The unlock was accepted but the output stays locked: nothing is taken.
TEST(LockOutputsExchangeTest, AnUnlockThatDoesNotShowRefusesTheBlockAsLocked) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude,
                        [](const std::string&) -> std::string { return "ACK\n\n"; });
  ClientOptions options = fastOptions(router.port());
  options.ack_timeout = 200ms;
  options.unlock_timeout = 100ms;
  ObservedClient c(io, options);
  ASSERT_TRUE(ready(c, io, router));
  EXPECT_EQ(c.lock({2, 3}), (Words{"sent", "refused locked"}));
  EXPECT_EQ(router.requests(), (Words{"PING:\n\n", "VIDEO OUTPUT LOCKS:\n1 F\n\n"}));
  EXPECT_EQ(c.client->stats().refused_blocks, 1u);
}

TEST(LockOutputsExchangeTest, ANakToTheLockBlockIsReportedAsNak) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude, [](const std::string& request) -> std::string {
    return request == "PING:\n\n" ? "ACK\n\n" : "NAK\n\n";
  });
  ObservedClient c(io, fastOptions(router.port()));
  ASSERT_TRUE(ready(c, io, router));
  EXPECT_EQ(c.lock({3}), (Words{"sent", "refused nak"}));
}

TEST(LockOutputsExchangeTest, OutputsBeyondTheRouterOrNoneAreRefusedAndNothingIsWritten) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude, cooperative);
  ObservedClient c(io, fastOptions(router.port()));
  ASSERT_TRUE(ready(c, io, router));
  const auto beyond = c.sendLocks({1, 5});
  const auto none = c.sendLocks({});
  ASSERT_TRUE(runUntil(io, [&] { return beyond->done() && none->done(); }));
  EXPECT_EQ(describe(*beyond), (Words{"refused out_of_range"}));
  EXPECT_EQ(std::get<core::BlockRefused>(beyond->outcomes[0]).detail,
            "output 5 is beyond the router's 4 outputs");
  EXPECT_EQ(describe(*none), (Words{"refused out_of_range"}));
  EXPECT_EQ(router.requests(), (Words{"PING:\n\n"}));
}

TEST(LockOutputsExchangeTest, BeforeTheRouterIsReadyTheBlockIsRefusedNotConnected) {
  asio::io_context io;
  ScriptedRouter router(io, kLockedPrelude, cooperative);
  VideohubClient client(io, fastOptions(router.port()));  // never started
  auto reports = std::make_shared<BlockReports>();
  client.lockOutputs(
      {1}, [reports](const core::BlockOutcome& outcome) { reports->outcomes.push_back(outcome); });
  EXPECT_TRUE(reports->outcomes.empty());  // never inside lockOutputs
  ASSERT_TRUE(runUntil(io, [&] { return reports->done(); }));
  EXPECT_EQ(describe(*reports), (Words{"refused not_connected"}));
}

}  // namespace
}  // namespace failover::videohub_client::testing
