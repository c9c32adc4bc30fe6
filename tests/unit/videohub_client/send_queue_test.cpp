#include "failover/videohub_client/send_queue.h"

#include <gtest/gtest.h>

namespace failover::videohub_client {
namespace {

namespace vh = videohub;

vh::Block routes(std::vector<vh::Route> list) {
  return vh::RoutingBlock{vh::PortKind::VideoOutput, std::move(list)};
}

TEST(SendQueueTest, OnlyOneRequestIsInFlight) {
  SendQueue queue;
  const uint64_t ping = queue.push(RequestKind::Ping, vh::PingBlock{});
  const uint64_t route = queue.push(RequestKind::Route, routes({{0, 1}}));
  const Request* first = queue.startNext();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->id, ping);
  EXPECT_EQ(first->bytes, "PING:\n\n");
  EXPECT_EQ(queue.startNext(), nullptr);  // waiting for the ACK
  EXPECT_EQ(queue.startNext(), nullptr);

  const auto done = queue.resolve(Reply::Ack);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->id, ping);
  const Request* second = queue.startNext();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->id, route);
  EXPECT_EQ(second->bytes, "VIDEO OUTPUT ROUTING:\n0 1\n\n");
}

TEST(SendQueueTest, PushedBlocksDoNotResolveTheWaitOnlyAckOrNakDoes) {
  // The caller applies status blocks itself; the queue only moves on ACK/NAK. With a NAK the
  // oldest request is resolved and the queue carries on.
  SendQueue queue;
  const uint64_t a = queue.push(RequestKind::Route, routes({{0, 1}}));
  ASSERT_NE(queue.startNext(), nullptr);
  const uint64_t b = queue.push(RequestKind::Route, routes({{1, 1}}));
  EXPECT_TRUE(queue.inFlight());
  const auto nak = queue.resolve(Reply::Nak);
  ASSERT_TRUE(nak.has_value());
  EXPECT_EQ(nak->id, a);
  ASSERT_NE(queue.startNext(), nullptr);
  EXPECT_EQ(queue.current()->id, b);
}

TEST(SendQueueTest, RoutesQueuedBehindTheBlockInFlightLeaveAsOneBlock) {
  SendQueue queue;
  const uint64_t first = queue.push(RequestKind::Route, routes({{0, 1}}));
  ASSERT_EQ(queue.startNext()->id, first);
  // Three pairs fail while the first block waits for its ACK.
  const uint64_t a = queue.push(RequestKind::Route, routes({{1, 3}, {2, 3}}));
  const uint64_t b = queue.push(RequestKind::Route, routes({{3, 5}}));
  const uint64_t c = queue.push(RequestKind::Route, routes({{4, 7}}));
  const uint64_t ping = queue.push(RequestKind::Ping, vh::PingBlock{});
  const uint64_t d = queue.push(RequestKind::Route, routes({{5, 9}}));
  ASSERT_TRUE(queue.resolve(Reply::Ack).has_value());

  const Request* merged = queue.startNext();
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->id, a);
  EXPECT_EQ(merged->merged_ids, (std::vector<uint64_t>{b, c}));
  EXPECT_EQ(merged->bytes, "VIDEO OUTPUT ROUTING:\n1 3\n2 3\n3 5\n4 7\n\n");
  // The PING keeps its place: nothing is merged across another kind of request.
  ASSERT_TRUE(queue.resolve(Reply::Ack).has_value());
  EXPECT_EQ(queue.startNext()->id, ping);
  ASSERT_TRUE(queue.resolve(Reply::Ack).has_value());
  const Request* last = queue.startNext();
  EXPECT_EQ(last->id, d);
  EXPECT_TRUE(last->merged_ids.empty());
}

TEST(SendQueueTest, AnUnsolicitedReplyResolvesNothing) {
  SendQueue queue;
  EXPECT_FALSE(queue.resolve(Reply::Ack).has_value());
  (void)queue.push(RequestKind::Ping, vh::PingBlock{});
  EXPECT_FALSE(queue.resolve(Reply::Ack).has_value());  // queued, not yet sent
}

TEST(SendQueueTest, ARouteForAnOutputAlreadyInTheBlockStartsTheNextBlock) {
  // Both requests reach the router, in the order they were made: the newer route for output
  // 0 lands last. One block never names an output twice.
  SendQueue queue;
  (void)queue.push(RequestKind::Ping, vh::PingBlock{});
  ASSERT_NE(queue.startNext(), nullptr);  // the ping is on the wire
  const uint64_t older = queue.push(RequestKind::Route, routes({{0, 1}, {1, 1}}));
  const uint64_t newer = queue.push(RequestKind::Route, routes({{0, 2}}));
  (void)queue.resolve(Reply::Ack);
  const Request* first = queue.startNext();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->id, older);
  EXPECT_TRUE(first->merged_ids.empty());
  EXPECT_EQ(first->bytes, "VIDEO OUTPUT ROUTING:\n0 1\n1 1\n\n");
  (void)queue.resolve(Reply::Ack);
  const Request* second = queue.startNext();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->id, newer);
  EXPECT_EQ(second->bytes, "VIDEO OUTPUT ROUTING:\n0 2\n\n");
}

TEST(SendQueueTest, TheRequestInFlightIsNeverRewritten) {
  SendQueue queue;
  const uint64_t sent = queue.push(RequestKind::Route, routes({{0, 1}}));
  ASSERT_NE(queue.startNext(), nullptr);
  (void)queue.push(RequestKind::Route, routes({{0, 2}}));
  EXPECT_EQ(queue.current()->id, sent);
  EXPECT_EQ(queue.current()->bytes, "VIDEO OUTPUT ROUTING:\n0 1\n\n");
  EXPECT_EQ(queue.queued(), 1u);
}

TEST(SendQueueTest, FailAllReturnsEverythingInOrderAndEmpties) {
  SendQueue queue;
  const uint64_t a = queue.push(RequestKind::Ping, vh::PingBlock{});
  const uint64_t b = queue.push(RequestKind::Route, routes({{0, 1}}));
  const uint64_t c =
      queue.push(RequestKind::Lock,
                 vh::LocksBlock{vh::PortKind::VideoOutput, {{0, vh::LockState::ForceUnlock}}});
  ASSERT_NE(queue.startNext(), nullptr);
  EXPECT_TRUE(queue.hasQueuedPing());
  const auto failed = queue.failAll();
  ASSERT_EQ(failed.size(), 3u);
  EXPECT_EQ(failed[0].id, a);
  EXPECT_EQ(failed[1].id, b);
  EXPECT_EQ(failed[2].id, c);
  EXPECT_EQ(failed[2].bytes, "VIDEO OUTPUT LOCKS:\n0 F\n\n");
  EXPECT_FALSE(queue.inFlight());
  EXPECT_EQ(queue.startNext(), nullptr);
  EXPECT_FALSE(queue.hasQueuedPing());
}

vh::Block inputLabels(std::vector<vh::Label> list) {
  return vh::LabelsBlock{vh::PortKind::VideoInput, std::move(list)};
}

TEST(SendQueueTest, ARouteOvertakesALabelBlockThatHasNotLeft) {
  SendQueue queue;
  const uint64_t ping = queue.push(RequestKind::Ping, vh::PingBlock{});
  ASSERT_NE(queue.startNext(), nullptr);  // the PING is on the wire
  const uint64_t labels = queue.push(RequestKind::Labels, inputLabels({{0, "Green Main"}}));
  const uint64_t route = queue.push(RequestKind::Route, routes({{0, 1}}));
  const uint64_t lock =
      queue.push(RequestKind::Lock,
                 vh::LocksBlock{vh::PortKind::VideoOutput, {{1, vh::LockState::ForceUnlock}}});
  ASSERT_EQ(queue.resolve(Reply::Ack)->id, ping);
  const Request* next = queue.startNext();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->id, route);
  ASSERT_EQ(queue.resolve(Reply::Ack)->id, route);
  ASSERT_EQ(queue.startNext()->id, lock);
  ASSERT_EQ(queue.resolve(Reply::Ack)->id, lock);
  next = queue.startNext();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->id, labels);
  EXPECT_EQ(next->bytes, "INPUT LABELS:\n0 Green Main\n\n");
}

TEST(SendQueueTest, ARouteWaitsOnlyForTheLabelBlockInFlight) {
  SendQueue queue;
  const uint64_t labels = queue.push(RequestKind::Labels, inputLabels({{0, "Green Main"}}));
  ASSERT_EQ(queue.startNext()->id, labels);
  const uint64_t route = queue.push(RequestKind::Route, routes({{0, 1}}));
  EXPECT_EQ(queue.startNext(), nullptr);  // never two blocks on the wire
  ASSERT_EQ(queue.resolve(Reply::Ack)->id, labels);
  EXPECT_EQ(queue.startNext()->id, route);
}

TEST(SendQueueTest, ANewerLabelBlockReplacesAQueuedOne) {
  SendQueue queue;
  ASSERT_NE(queue.push(RequestKind::Ping, vh::PingBlock{}), 0u);
  ASSERT_NE(queue.startNext(), nullptr);
  (void)queue.push(RequestKind::Labels, inputLabels({{0, "Old"}}));
  const uint64_t newer = queue.push(RequestKind::Labels, inputLabels({{0, "New"}}));
  EXPECT_EQ(queue.queued(), 1u);
  ASSERT_TRUE(queue.resolve(Reply::Ack).has_value());
  const Request* next = queue.startNext();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->id, newer);
  EXPECT_EQ(next->bytes, "INPUT LABELS:\n0 New\n\n");
}

}  // namespace
}  // namespace failover::videohub_client
