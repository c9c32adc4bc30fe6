// The outbox decides what the MQTT library may send now. These tests play the broker's
// acknowledgements and connection losses by hand.

#include "failover/mqtt/outbox.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace failover::mqtt {
namespace {

OutgoingMessage retained(std::string topic, std::string payload) {
  return {std::move(topic), std::move(payload), 1, true, {}};
}
OutgoingMessage event(std::string topic, std::string payload, int qos = 1) {
  return {std::move(topic), std::move(payload), qos, false, {}};
}

// "topic=payload" of each dispatch, in order.
std::vector<std::string> describe(const std::vector<Dispatch>& dispatches) {
  std::vector<std::string> out;
  for (const auto& dispatch : dispatches) {
    out.push_back(dispatch.message.topic + "=" + dispatch.message.payload);
  }
  return out;
}

using Lines = std::vector<std::string>;

// Everything the outbox lets go now, as the adapter's pump takes it.
std::vector<Dispatch> takeSendable(Outbox& outbox) {
  std::vector<Dispatch> out;
  while (auto dispatch = outbox.next()) {
    out.push_back(std::move(*dispatch));
  }
  return out;
}

TEST(OutboxTest, HandsOutNoMoreThanTheWindowUntilAcknowledged) {
  Outbox outbox(100);
  outbox.setWindow(2);
  for (int i = 0; i < 5; ++i) {
    outbox.push(event("e", std::to_string(i)));
  }
  const auto first = takeSendable(outbox);
  EXPECT_EQ(describe(first), (Lines{"e=0", "e=1"}));
  EXPECT_TRUE(takeSendable(outbox).empty()) << "window full";
  EXPECT_EQ(outbox.inFlight(), 2u);
  EXPECT_EQ(outbox.waiting(), 3u);

  outbox.acknowledge(first[0].id);
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"e=2"}));
  outbox.acknowledge(first[1].id);
  outbox.acknowledge(first[1].id);  // a second acknowledgement changes nothing
  EXPECT_EQ(outbox.inFlight(), 1u);
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"e=3"}));
}

TEST(OutboxTest, QosZeroNeedsNoWindowButNeverOvertakesAWaitingMessage) {
  Outbox outbox(100);
  outbox.setWindow(1);
  outbox.push(event("a", "1"));
  outbox.push(event("b", "1"));
  outbox.push(event("heartbeat", "0", 0));
  const auto first = takeSendable(outbox);
  EXPECT_EQ(describe(first), (Lines{"a=1"}));
  EXPECT_NE(first[0].id, 0u);
  outbox.acknowledge(first[0].id);
  const auto second = takeSendable(outbox);
  ASSERT_EQ(describe(second), (Lines{"b=1", "heartbeat=0"}));
  EXPECT_EQ(second[1].id, 0u) << "QoS 0 is not tracked";
  EXPECT_EQ(outbox.inFlight(), 1u);
}

TEST(OutboxTest, ANewerRetainedValueReplacesTheWaitingOneAndGoesToTheBack) {
  Outbox outbox(100);
  outbox.setWindow(1);
  outbox.push(event("blocker", "x"));
  const auto blocker = takeSendable(outbox);
  outbox.push(retained("pair/p1/state", "old"));
  outbox.push(event("pair/p1/event", "switched"));
  outbox.push(retained("pair/p1/state", "new"));
  EXPECT_EQ(outbox.waiting(), 2u);
  EXPECT_EQ(outbox.stats().conflated, 1u);

  outbox.acknowledge(blocker[0].id);
  outbox.setWindow(10);
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"pair/p1/event=switched", "pair/p1/state=new"}))
      << "the state published after the event does not overtake it";
}

TEST(OutboxTest, ARetainedValueAlreadyInFlightIsNotReplaced) {
  Outbox outbox(100);
  outbox.setWindow(1);
  outbox.push(retained("s", "1"));
  const auto first = takeSendable(outbox);
  outbox.push(retained("s", "2"));
  EXPECT_EQ(outbox.stats().conflated, 0u);
  outbox.acknowledge(first[0].id);
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"s=2"}));
}

TEST(OutboxTest, AConnectionLossQueuesInFlightMessagesAgainInTheirOrder) {
  Outbox outbox(100);
  outbox.setWindow(2);
  outbox.push(event("e", "1"));
  outbox.push(event("e", "2"));
  outbox.push(event("e", "3"));
  const auto sent = takeSendable(outbox);
  ASSERT_EQ(sent.size(), 2u);

  outbox.connectionLost();
  EXPECT_EQ(outbox.inFlight(), 0u);
  EXPECT_EQ(outbox.stats().resent, 2u);
  outbox.acknowledge(sent[0].id);  // a late acknowledgement from the old connection
  outbox.setWindow(10);
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"e=1", "e=2", "e=3"}));
}

TEST(OutboxTest, AfterALossANewerRetainedValueMakesTheInFlightOneMoot) {
  Outbox outbox(100);
  outbox.setWindow(1);
  outbox.push(retained("s", "old"));
  takeSendable(outbox);
  outbox.push(retained("s", "new"));
  outbox.connectionLost();
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"s=new"}));
}

TEST(OutboxTest, AMessageGivenBackReturnsToItsPlace) {
  Outbox outbox(100);
  outbox.setWindow(5);
  outbox.push(event("e", "1"));
  outbox.push(event("e", "2"));
  const auto sent = takeSendable(outbox);
  ASSERT_EQ(sent.size(), 2u);
  outbox.push(event("e", "3"));
  outbox.giveBack(sent[1].id);
  outbox.giveBack(sent[1].id);  // twice: no duplicate
  EXPECT_EQ(outbox.inFlight(), 1u);
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"e=2", "e=3"}));
}

// The library reports every message in flight as failed, in the order they were sent, before
// it reports the connection lost: they must come back in that order, not reversed.
TEST(OutboxTest, FailuresReportedOneByOneKeepThePublishingOrder) {
  Outbox outbox(100);
  outbox.setWindow(3);
  outbox.push(event("e", "A"));
  outbox.push(event("e", "B"));
  outbox.push(event("e", "C"));
  outbox.push(event("e", "D"));
  const auto sent = takeSendable(outbox);
  ASSERT_EQ(describe(sent), (Lines{"e=A", "e=B", "e=C"}));
  for (const auto& dispatch : sent) {
    outbox.giveBack(dispatch.id);
  }
  outbox.connectionLost();  // nothing left in flight by then
  EXPECT_EQ(outbox.stats().resent, 3u);
  outbox.setWindow(10);
  EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"e=A", "e=B", "e=C", "e=D"}));
}

// Two values of one retained topic in flight: whatever order they come back in, the newer
// one is what is sent again.
TEST(OutboxTest, OfTwoRetainedValuesGivenBackTheNewerIsKept) {
  for (const bool newer_first : {false, true}) {
    Outbox outbox(100);
    outbox.setWindow(5);
    outbox.push(retained("s", "v1"));
    auto first = takeSendable(outbox);
    outbox.push(retained("s", "v2"));
    auto second = takeSendable(outbox);
    ASSERT_EQ(first.size() + second.size(), 2u);
    if (newer_first) {
      outbox.giveBack(second[0].id);
      outbox.giveBack(first[0].id);
    } else {
      outbox.giveBack(first[0].id);
      outbox.giveBack(second[0].id);
    }
    EXPECT_EQ(describe(takeSendable(outbox)), (Lines{"s=v2"})) << newer_first;
  }
}

TEST(OutboxTest, PastCapacityTheOldestEventIsDroppedButRetainedStateIsKept) {
  Outbox outbox(3);
  outbox.setWindow(1);
  outbox.push(event("blocker", "x"));
  takeSendable(outbox);
  EXPECT_TRUE(outbox.push(retained("s1", "a")));
  EXPECT_TRUE(outbox.push(event("e", "1")));
  EXPECT_TRUE(outbox.push(event("e", "2")));
  EXPECT_FALSE(outbox.push(retained("s2", "b"))) << "e=1 makes room";
  EXPECT_EQ(outbox.stats().dropped, 1u);
  EXPECT_EQ(outbox.waiting(), 3u);
  // Only retained values left to drop: they are bounded by their topics, not dropped.
  Outbox full(2);
  full.setWindow(1);
  full.push(event("blocker", "x"));
  takeSendable(full);
  EXPECT_TRUE(full.push(retained("s1", "a")));
  EXPECT_TRUE(full.push(retained("s2", "b")));
  EXPECT_TRUE(full.push(retained("s3", "c")));
  EXPECT_EQ(full.waiting(), 3u);
  EXPECT_EQ(full.stats().dropped, 0u);
}

TEST(OutboxTest, AWindowOfZeroIsTreatedAsOne) {
  Outbox outbox(10);
  outbox.setWindow(0);
  outbox.push(event("e", "1"));
  outbox.push(event("e", "2"));
  EXPECT_EQ(takeSendable(outbox).size(), 1u);
}

// A burst of many retained topics behind a small window drains completely, each topic once,
// with its last value: what a 144-pair node publishes on connect.
TEST(OutboxTest, ABurstDrainsCompletelyThroughASmallWindow) {
  Outbox outbox(20000);
  outbox.setWindow(20);
  for (int round = 0; round < 3; ++round) {
    for (int topic = 0; topic < 1500; ++topic) {
      outbox.push(retained("t" + std::to_string(topic), std::to_string(round)));
    }
  }
  std::vector<std::string> delivered;
  for (int step = 0; step < 10000 && (outbox.waiting() > 0 || outbox.inFlight() > 0); ++step) {
    for (const auto& dispatch : takeSendable(outbox)) {
      delivered.push_back(dispatch.message.payload);
      outbox.acknowledge(dispatch.id);
    }
  }
  ASSERT_EQ(delivered.size(), 1500u);
  for (const auto& payload : delivered) {
    EXPECT_EQ(payload, "2");
  }
  EXPECT_EQ(outbox.stats().conflated, 3000u);
}

}  // namespace
}  // namespace failover::mqtt
