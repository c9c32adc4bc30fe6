// Input labels kept on the router (ClientOptions::input_labels, routers.<id>.write_labels)
// against the real simulator: only differing labels, in one block, once per connection, never
// fought over, and never ahead of a failover's routing.

#include <memory>
#include <optional>

#include <gtest/gtest.h>

#include "scripted_router.h"
#include "sim_harness.h"

namespace failover::videohub_client::testing {
namespace {

// Input label changes `c` saw after its first `from` changes (the prelude's), one entry per
// update the router sent.
std::vector<std::vector<uint32_t>> labelUpdates(const ObservedClient& c, size_t from) {
  std::vector<std::vector<uint32_t>> updates;
  for (size_t i = from; i < c.changes.size(); ++i) {
    if (!c.changes[i].input_labels.empty()) {
      updates.push_back(c.changes[i].input_labels);
    }
  }
  return updates;
}

// One request/reply through the client's queue. A queued label block would leave right after
// its reply, so requests_sent then counts it.
bool roundTrip(ObservedClient& c) {
  auto answered = std::make_shared<std::optional<bool>>();
  c.client->requestLock(1, LockState::Unlocked, [answered](bool ok) { *answered = ok; });
  return runUntil(c.io, [&] { return answered->has_value(); });
}

ClientOptions labelled(uint16_t port, InputLabels labels) {
  ClientOptions options = fastOptions(port);
  options.input_labels = std::move(labels);
  return options;
}

const InputLabels kGreen = {{1, "Green Main"}, {2, "Green Backup"}, {5, "Blue Main"}};

class LabelTest : public ::testing::Test {
 protected:
  asio::io_context io;
};

TEST_F(LabelTest, OnlyDifferingLabelsAreWrittenInOneBlock) {
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--input-label", "1=Green Main",
                  "--output-label", "2=Vision Mixer In 2"});
  ObservedClient watcher(io, fastOptions(sim.port()));
  ASSERT_TRUE(watcher.waitFor(ConnectionState::Ready));
  const size_t prelude_changes = watcher.changes.size();
  ObservedClient c(io, labelled(sim.port(), kGreen));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] {
    return watcher.client->state().inputLabel(2) == "Green Backup" &&
           watcher.client->state().inputLabel(5) == "Blue Main";
  }));
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(labelUpdates(watcher, prelude_changes), (std::vector<std::vector<uint32_t>>{{2, 5}}));
  EXPECT_EQ(c.client->stats().label_blocks_sent, 1u);
  EXPECT_EQ(c.client->stats().labels_sent, 2u);
  EXPECT_EQ(c.client->stats().naks, 0u);

  // The router keeps them: a new connection's prelude shows them; nothing else was touched.
  ObservedClient later(io, fastOptions(sim.port()));
  ASSERT_TRUE(later.waitFor(ConnectionState::Ready));
  const RouterState& state = later.client->state();
  EXPECT_EQ(state.inputLabel(1), "Green Main");
  EXPECT_EQ(state.inputLabel(2), "Green Backup");
  EXPECT_EQ(state.inputLabel(3), "Input 3");
  EXPECT_EQ(state.inputLabel(5), "Blue Main");
  EXPECT_EQ(state.outputLabel(1), "Output 1");
  EXPECT_EQ(state.outputLabel(2), "Vision Mixer In 2");
}

TEST_F(LabelTest, NothingIsSentWhenEveryLabelMatches) {
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--input-label", "1=Green Main",
                  "--input-label", "2=Green Backup", "--input-label", "5=Blue Main"});
  ObservedClient c(io, labelled(sim.port(), kGreen));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const size_t prelude_changes = c.changes.size();
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(c.client->stats().label_blocks_sent, 0u);
  EXPECT_EQ(c.client->stats().requests_sent, 2u);  // the first PING and our round trip
  EXPECT_TRUE(labelUpdates(c, prelude_changes).empty());
}

TEST_F(LabelTest, WithoutInputLabelsNothingIsWritten) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(c.client->stats().label_blocks_sent, 0u);
  EXPECT_EQ(c.client->stats().requests_sent, 2u);
  EXPECT_EQ(c.client->state().inputLabel(1), "Input 1");
}

TEST_F(LabelTest, ARestartedRouterGetsTheLabelsAgainOnce) {
  const InputLabels labels = {{2, "Green Backup"}};
  auto sim =
      std::make_unique<SimProcess>(std::vector<std::string>{"--inputs", "4", "--outputs", "4"});
  const uint16_t port = sim->port();
  ObservedClient c(io, labelled(port, labels));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Green Backup"; }));
  EXPECT_EQ(c.client->stats().label_blocks_sent, 1u);

  // The router restarts with its factory labels on the same address.
  sim.reset();
  ASSERT_TRUE(c.waitFor(ConnectionState::Disconnected));
  sim = std::make_unique<SimProcess>(std::vector<std::string>{
      "--listen", "127.0.0.1:" + std::to_string(port), "--inputs", "4", "--outputs", "4"});
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready, 5000ms));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Green Backup"; }));
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(c.client->stats().label_blocks_sent, 2u);
  EXPECT_EQ(c.client->stats().labels_sent, 2u);
}

TEST_F(LabelTest, ALabelChangedElsewhereIsLoggedOnceAndRewrittenOnlyOnReconnect) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  ObservedClient c(io, labelled(sim.port(), {{2, "Green Backup"}}));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Green Backup"; }));

  ASSERT_EQ(sim.command("label input 2 Spare Camera").rfind("ok", 0), 0u);
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Spare Camera"; }));
  ASSERT_EQ(sim.command("label input 2 Spare Camera 2").rfind("ok", 0), 0u);
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Spare Camera 2"; }));
  ASSERT_EQ(sim.command("label input 3 Not Ours").rfind("ok", 0), 0u);
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(3) == "Not Ours"; }));
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(c.client->stats().labels_changed_elsewhere, 1u);  // logged once, not per change
  EXPECT_EQ(c.client->stats().label_blocks_sent, 1u);         // and not written back
  EXPECT_EQ(c.client->state().inputLabel(2), "Spare Camera 2");

  // The next connection writes it again, once.
  ASSERT_EQ(sim.command("close").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Disconnected));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Green Backup"; }));
  EXPECT_EQ(c.client->stats().label_blocks_sent, 2u);
  EXPECT_EQ(c.client->state().inputLabel(3), "Not Ours");
}

TEST_F(LabelTest, ALabelWithANewlineIsSanitised) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  ObservedClient c(io, labelled(sim.port(), {{2, "Green\nBackup\r\n"}, {3, "  Spare  "}}));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Green Backup"; }));
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(c.client->stats().naks, 0u);
  EXPECT_EQ(c.client->stats().label_blocks_sent, 1u);

  ObservedClient later(io, fastOptions(sim.port()));
  ASSERT_TRUE(later.waitFor(ConnectionState::Ready));
  EXPECT_EQ(later.client->state().inputLabel(2), "Green Backup");
  EXPECT_EQ(later.client->state().inputLabel(3), "Spare");
  EXPECT_EQ(later.client->state().inputLabel(4), "Input 4");
  // Already matching once sanitised: a reconnect writes nothing.
  ObservedClient again(io, labelled(sim.port(), {{2, "Green\nBackup\r\n"}, {3, "  Spare  "}}));
  ASSERT_TRUE(again.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(roundTrip(again));
  EXPECT_EQ(again.client->stats().label_blocks_sent, 0u);
}

TEST_F(LabelTest, AFailoverOvertakesALabelBlockThatHasNotLeft) {
  // ACKs are slow, so the label block written on Ready still waits behind the first PING
  // when the failover's routing block is asked for.
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--ack-delay-ms", "100"});
  ObservedClient watcher(io, fastOptions(sim.port()));
  ASSERT_TRUE(watcher.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(roundTrip(watcher));
  ObservedClient c(io, labelled(sim.port(), kGreen));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(c.client->stats().label_blocks_sent, 1u);
  const size_t before = watcher.changes.size();
  EXPECT_EQ(c.route({{3, 2}}), (std::vector<std::string>{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{3, 2}}));
  ASSERT_TRUE(
      runUntil(io, [&] { return watcher.client->state().inputLabel(2) == "Green Backup"; }));
  // The watcher saw the route before the labels.
  std::vector<std::string> order;
  for (size_t i = before; i < watcher.changes.size(); ++i) {
    if (!watcher.changes[i].routes.empty()) {
      order.push_back("route");
    }
    if (!watcher.changes[i].input_labels.empty()) {
      order.push_back("labels");
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"route", "labels"}));
}

TEST_F(LabelTest, InputsBeyondTheRouterAreLeftOut) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  ObservedClient c(io, labelled(sim.port(), {{2, "Green Backup"}, {9, "Nowhere"}}));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Green Backup"; }));
  EXPECT_EQ(c.client->stats().labels_sent, 1u);
  EXPECT_EQ(c.client->stats().naks, 0u);
}

constexpr const char* kScriptedPrelude =
    "PROTOCOL PREAMBLE:\nVersion: 2.3\n\n"
    "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Blackmagic Smart Videohub\n"
    "Video inputs: 4\nVideo outputs: 4\n\n"
    "INPUT LABELS:\n0 A\n1 B\n2 C\n3 D\n\n"
    "OUTPUT LABELS:\n0 P\n1 Q\n2 R\n3 S\n\n"
    "VIDEO OUTPUT ROUTING:\n0 0\n1 1\n2 2\n3 3\n\n"
    "VIDEO OUTPUT LOCKS:\n0 U\n1 U\n2 U\n3 U\n\n";

std::vector<std::string> labelRequests(const ScriptedRouter& router) {
  std::vector<std::string> found;
  for (const auto& request : router.requests()) {
    if (request.rfind("INPUT LABELS:", 0) == 0) {
      found.push_back(request);
    }
  }
  return found;
}

// A router that refuses label writes: warned about, not retried on that connection.
TEST(LabelScriptedTest, ANakedLabelBlockIsNotRetried) {
  asio::io_context io;
  ScriptedRouter router(io, kScriptedPrelude, [](const std::string& request) -> std::string {
    return request.rfind("INPUT LABELS:", 0) == 0 ? "NAK\n\n" : "ACK\n\n";
  });
  ObservedClient c(io, labelled(router.port(), {{1, "Green Main"}, {2, "B"}}));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(roundTrip(c));
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(c.client->stats().label_blocks_refused, 1u);
  EXPECT_EQ(c.client->connectionState(), ConnectionState::Ready);
  EXPECT_EQ(labelRequests(router), std::vector<std::string>{"INPUT LABELS:\n0 Green Main\n\n"});
}

// A router that never answers a label block: the connection is rebuilt (the ACK rule), and
// the next connection does not try again, so a failing label write cannot keep the router
// away from failovers.
TEST(LabelScriptedTest, AnUnansweredLabelBlockIsNotRetriedOnTheNextConnection) {
  asio::io_context io;
  ScriptedRouter router(io, kScriptedPrelude, [](const std::string& request) -> std::string {
    return request.rfind("INPUT LABELS:", 0) == 0 ? "" : "ACK\n\n";
  });
  ClientOptions options = labelled(router.port(), {{1, "Green Main"}});
  options.ack_timeout = 200ms;
  ObservedClient c(io, options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(c.waitFor(ConnectionState::Disconnected));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  EXPECT_EQ(router.connections(), 2);
  ASSERT_TRUE(roundTrip(c));
  EXPECT_EQ(c.client->stats().ack_timeouts, 1u);
  EXPECT_EQ(c.client->stats().label_blocks_refused, 1u);
  EXPECT_EQ(c.client->stats().label_blocks_sent, 1u);
  EXPECT_EQ(labelRequests(router).size(), 1u);
  EXPECT_EQ(c.client->connectionState(), ConnectionState::Ready);
}

}  // namespace
}  // namespace failover::videohub_client::testing
