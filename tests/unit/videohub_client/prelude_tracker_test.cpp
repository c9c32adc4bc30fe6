#include "failover/videohub_client/prelude_tracker.h"

#include <gtest/gtest.h>

#include "wire.h"

namespace failover::videohub_client {
namespace {

using testing::kPrelude2x3;
using testing::parseWire;

struct Session {
  RouterState state;
  PreludeTracker tracker;

  PreludeStatus feed(std::string_view text) {
    PreludeStatus status = tracker.status();
    for (const auto& block : parseWire(text)) {
      (void)state.apply(block);
      status = tracker.onBlock(block, state);
    }
    return status;
  }
};

TEST(PreludeTrackerTest, CompleteOnEndPrelude) {
  Session session;
  EXPECT_EQ(session.feed(kPrelude2x3), PreludeStatus::InProgress);
  EXPECT_EQ(session.feed("CONFIGURATION:\nTake Mode: false\n\nEND PRELUDE:\n\n"),
            PreludeStatus::Complete);
}

TEST(PreludeTrackerTest, WithoutEndPreludeNeedsEssentialsAndThePingAck) {
  Session session;
  EXPECT_EQ(session.feed(kPrelude2x3), PreludeStatus::InProgress);
  EXPECT_EQ(session.tracker.onPingAcked(session.state), PreludeStatus::Complete);
}

TEST(PreludeTrackerTest, APingAckBeforeTheEssentialsIsNotEnough) {
  Session session;
  session.feed(
      "PROTOCOL PREAMBLE:\nVersion: 2.3\n\nVIDEOHUB DEVICE:\nDevice present: true\n"
      "Video inputs: 2\nVideo outputs: 2\n\nINPUT LABELS:\n0 A\n1 B\n\n");
  EXPECT_EQ(session.tracker.onPingAcked(session.state), PreludeStatus::InProgress);
  EXPECT_EQ(session.feed("OUTPUT LABELS:\n0 X\n1 Y\n\nVIDEO OUTPUT ROUTING:\n0 0\n1 1\n\n"),
            PreludeStatus::InProgress);  // no locks yet
  EXPECT_EQ(session.feed("VIDEO OUTPUT LOCKS:\n0 U\n1 U\n\n"), PreludeStatus::Complete);
}

TEST(PreludeTrackerTest, FirstBlockNotAPreambleIsNotAVideohub) {
  Session session;
  EXPECT_EQ(session.feed("SSH-2.0-OpenSSH_9.2\n\n"), PreludeStatus::NotAVideohub);
  EXPECT_NE(session.tracker.reason().find("not a Videohub"), std::string::npos);
  // Later blocks do not change the verdict.
  EXPECT_EQ(session.feed(kPrelude2x3), PreludeStatus::NotAVideohub);
}

TEST(PreludeTrackerTest, AMultiViewIsNotAVideohub) {
  Session session;
  EXPECT_EQ(session.feed("PROTOCOL PREAMBLE:\nVersion: 2.3\n\nMULTIVIEW DEVICE:\n"
                         "Device present: true\nModel name: Blackmagic MultiView 16\n\n"),
            PreludeStatus::NotAVideohub);
  EXPECT_NE(session.tracker.reason().find("MULTIVIEW DEVICE"), std::string::npos);
}

TEST(PreludeTrackerTest, AbsentDeviceIsUnavailableUntilHardwareAppears) {
  Session session;
  EXPECT_EQ(session.feed("PROTOCOL PREAMBLE:\nVersion: 2.3\n\nVIDEOHUB DEVICE:\n"
                         "Device present: needs_update\n\n"),
            PreludeStatus::DeviceUnavailable);
  EXPECT_NE(session.tracker.reason().find("needs_update"), std::string::npos);
  EXPECT_EQ(session.tracker.onPingAcked(session.state), PreludeStatus::DeviceUnavailable);
  // The hardware appears: the router re-sends everything but the preamble.
  session.tracker.restartForRedump();
  std::string_view rest = kPrelude2x3;
  rest.remove_prefix(rest.find("VIDEOHUB DEVICE:"));
  EXPECT_EQ(session.feed(rest), PreludeStatus::InProgress);
  EXPECT_EQ(session.tracker.onPingAcked(session.state), PreludeStatus::Complete);
}

TEST(PreludeTrackerTest, ARedumpStartsOverWithoutAPreamble) {
  Session session;
  session.feed(std::string(kPrelude2x3) + "END PRELUDE:\n\n");
  ASSERT_EQ(session.tracker.status(), PreludeStatus::Complete);
  session.tracker.restartForRedump();
  EXPECT_EQ(session.feed("VIDEOHUB DEVICE:\nDevice present: true\nVideo inputs: 4\n"
                         "Video outputs: 4\n\n"),
            PreludeStatus::InProgress);
  EXPECT_EQ(session.feed("END PRELUDE:\n\n"), PreludeStatus::Complete);
}

}  // namespace
}  // namespace failover::videohub_client
