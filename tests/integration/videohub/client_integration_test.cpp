// The Videohub client against the real simulator over loopback TCP: state mirroring, routing
// blocks and what became of them, changes from elsewhere, locks, and every fault the
// simulator can inject. A block's reports only say what happened on the wire; whether a
// route is on air is read from the client's mirror, as the node does.

#include <gtest/gtest.h>

#include "sim_harness.h"
#include "support/free_port.h"

namespace failover::videohub_client::testing {
namespace {

::testing::AssertionResult hasEvent(const ObservedClient& c, ConnectionState state,
                                    const std::string& reason_part) {
  std::string seen;
  for (const auto& e : c.events) {
    if (e.state == state && e.reason.find(reason_part) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    seen += std::string(" ") + toString(e.state) + "(" + e.reason + ")";
  }
  return ::testing::AssertionFailure() << "events:" << seen;
}

using Words = std::vector<std::string>;

class VideohubClientTest : public ::testing::Test {
 protected:
  asio::io_context io;
};

TEST_F(VideohubClientTest, MirrorsThePreludeAndState) {
  SimProcess sim({"--inputs", "12", "--outputs", "8", "--model", "Blackmagic Videohub 40x40 12G",
                  "--friendly-name", "Lab Router", "--input-label", "1=Render A Main",
                  "--output-label", "2=Vision Mixer In 2", "--route", "1=3"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const RouterState& state = c.client->state();
  EXPECT_EQ(state.device().model_name, "Blackmagic Videohub 40x40 12G");
  EXPECT_EQ(state.device().friendly_name, "Lab Router");
  EXPECT_FALSE(state.device().protocol_version.empty());
  EXPECT_EQ(state.inputCount(), 12u);
  EXPECT_EQ(state.outputCount(), 8u);
  EXPECT_EQ(state.inputLabel(1), "Render A Main");
  EXPECT_EQ(state.outputLabel(2), "Vision Mixer In 2");
  EXPECT_EQ(state.sourceOf(1), 3u);
  EXPECT_EQ(state.sourceOf(2), 2u);
  EXPECT_TRUE(state.lockedOutputs().empty());
  ASSERT_FALSE(c.events.empty());
  EXPECT_EQ(c.events.back().state, ConnectionState::Ready);
  EXPECT_EQ(c.events.back().device.video_outputs, 8u);
}

TEST_F(VideohubClientTest, PreludeWithoutEndMarkerCompletesOnThePingAck) {
  SimProcess sim({"--end-prelude", "off", "--block-order", "manual", "--line-ending", "crlf",
                  "--device-counts", "off", "--split-writes", "7"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  EXPECT_EQ(c.client->state().outputCount(), 40u);
  EXPECT_EQ(c.client->state().sourceOf(40), 40u);
}

TEST_F(VideohubClientTest, ABlockIsAcknowledgedAndTheMirrorShowsTheRouterApplyingIt) {
  SimProcess sim({"--inputs", "16", "--outputs", "16"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const auto before = core::MonoClock::now();
  const auto reports = c.send({{1, 9}, {2, 10}, {3, 11}});
  ASSERT_TRUE(runUntil(io, [&] { return reports->done(); }));
  EXPECT_EQ(describe(*reports), (Words{"sent", "acknowledged"}));
  EXPECT_GE(std::get<core::BlockSent>(reports->outcomes[0]).at, before);
  EXPECT_TRUE(c.waitForRouting({{1, 9}, {2, 10}, {3, 11}}));
  const std::string status = sim.command("status");
  EXPECT_NE(status.find("1:9,2:10,3:11,"), std::string::npos) << status;
}

TEST_F(VideohubClientTest, RoutingToTheCurrentSourceIsAcknowledgedLikeAnyOther) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  EXPECT_EQ(c.route({{4, 4}, {5, 1}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{4, 4}, {5, 1}}));
}

TEST_F(VideohubClientTest, OutOfRangePortsAreRefusedBeforeSending) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const uint64_t sent_before = c.client->stats().requests_sent;
  for (const auto& route : {core::Route{9, 1}, core::Route{1, 9}, core::Route{0, 1}}) {
    EXPECT_EQ(c.route({route}), (Words{"refused out_of_range"}))
        << route.output << " <- " << route.input;
  }
  // One port beyond the router's size refuses the whole block: nothing of it is written.
  const auto mixed = c.send({{1, 2}, {9, 1}});
  ASSERT_TRUE(runUntil(io, [&] { return mixed->done(); }));
  EXPECT_EQ(describe(*mixed), (Words{"refused out_of_range"}));
  EXPECT_EQ(std::get<core::BlockRefused>(mixed->outcomes[0]).detail,
            "output 9 <- input 1 is beyond the router's 8 outputs and 8 inputs");
  EXPECT_EQ(c.route({}), (Words{"refused out_of_range"}));
  EXPECT_EQ(c.client->stats().requests_sent, sent_before);
  EXPECT_EQ(c.client->state().sourceOf(1), 1u);
}

TEST_F(VideohubClientTest, ChangesFromTheFrontPanelAndOtherClientsAreObserved) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ClientOptions other_options = fastOptions(sim.port());
  other_options.local_address = "127.0.0.2";
  ObservedClient other(io, other_options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(other.waitFor(ConnectionState::Ready));

  ASSERT_EQ(sim.command("route 4 7").rfind("ok", 0), 0u);
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().sourceOf(4) == 7u; }));
  ASSERT_FALSE(c.changes.empty());
  EXPECT_EQ(c.changes.back().routes, std::vector<uint32_t>{4});

  ASSERT_EQ(sim.command("label input 2 Render B Backup").rfind("ok", 0), 0u);
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().inputLabel(2) == "Render B Backup"; }));

  // Another client's routing reaches us too.
  EXPECT_EQ(other.route({{6, 2}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{6, 2}}));
}

TEST_F(VideohubClientTest, BurstLimitDoesNotLoseRoutesBecauseTheyAreOneBlock) {
  SimProcess sim({"--inputs", "32", "--outputs", "32", "--burst-limit", "2/200"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  std::vector<core::Route> routes;
  for (int o = 1; o <= 24; ++o) {
    routes.push_back({o, 33 - o});
  }
  EXPECT_EQ(c.route(routes), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting(routes));
  const std::string status = sim.command("status");
  EXPECT_NE(status.find("1:32,"), std::string::npos) << status;
  EXPECT_NE(status.find("24:9,"), std::string::npos) << status;
}

TEST_F(VideohubClientTest, MissingAckDropsTheConnectionFailsTheQueueAndResyncs) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ClientOptions options = fastOptions(sim.port());
  options.ack_timeout = 200ms;
  ObservedClient c(io, options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(c.route({{4, 4}}), (Words{"sent", "acknowledged"}));  // queue idle
  ASSERT_EQ(sim.command("withhold-acks on").rfind("ok", 0), 0u);

  // The first block goes on the wire (its echo still arrives); the second waits behind it
  // for an ACK that never comes. The first was written: its connection was lost. The second
  // never was: it is refused, and not retried on the next connection.
  const auto first = c.send({{1, 5}});
  const auto second = c.send({{2, 6}});
  ASSERT_TRUE(runUntil(io, [&] { return first->done() && second->done(); }));
  EXPECT_EQ(describe(*first), (Words{"sent", "lost"}));
  EXPECT_EQ(std::get<core::BlockConnectionLost>(first->outcomes[1]).detail, "no ACK within 200 ms");
  EXPECT_EQ(describe(*second), (Words{"refused not_connected"}));
  EXPECT_TRUE(hasEvent(c, ConnectionState::Disconnected, "no ACK within 200 ms"));
  EXPECT_EQ(c.client->stats().ack_timeouts, 1u);

  ASSERT_EQ(sim.command("withhold-acks off").rfind("ok", 0), 0u);
  ASSERT_EQ(sim.command("route 3 8").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  EXPECT_EQ(c.client->state().sourceOf(1), 5u);  // the echo made it before the fault
  EXPECT_EQ(c.client->state().sourceOf(3), 8u);  // rebuilt from the new prelude
  EXPECT_GE(c.client->stats().reconnects, 1u);
}

TEST_F(VideohubClientTest, SilenceIsDetectedAndTheClientReconnects) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  ClientOptions options = fastOptions(sim.port());
  options.silence_timeout = 300ms;
  options.keepalive_interval = 10000ms;  // so it is the silence timer that notices
  ObservedClient c(io, options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  // An acknowledged block means nothing is waiting for an ACK any more (END PRELUDE can make
  // the client ready before the ACK of its first PING).
  ASSERT_EQ(c.route({{1, 2}}), (Words{"sent", "acknowledged"}));
  ASSERT_EQ(sim.command("silent on").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Disconnected));
  EXPECT_TRUE(hasEvent(c, ConnectionState::Disconnected, "no bytes"));
  ASSERT_EQ(sim.command("silent off").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
}

TEST_F(VideohubClientTest, KeepalivePingsFindASilentRouter) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  ClientOptions options = fastOptions(sim.port());
  options.keepalive_interval = 100ms;
  options.ack_timeout = 200ms;
  ObservedClient c(io, options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(sim.command("silent on").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Disconnected));
  EXPECT_TRUE(hasEvent(c, ConnectionState::Disconnected, "no ACK"));
}

TEST_F(VideohubClientTest, ReconnectsAfterTheRouterClosesTheConnection) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(sim.command("close").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Disconnected));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  EXPECT_EQ(c.client->stats().reconnects, 1u);
  EXPECT_EQ(c.route({{1, 2}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{1, 2}}));
}

TEST_F(VideohubClientTest, ARedumpWithNewCountsRebuildsTheMirror) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const size_t events_before = c.events.size();
  ASSERT_EQ(sim.command("redump 16 12").rfind("ok", 0), 0u);
  ASSERT_TRUE(runUntil(io, [&] {
    return c.client->state().outputCount() == 12u &&
           c.client->connectionState() == ConnectionState::Ready &&
           c.client->state().sourceOf(12).has_value();
  }));
  EXPECT_EQ(c.client->state().inputCount(), 16u);
  bool saw_device_change = false;
  for (const auto& change : c.changes) {
    saw_device_change = saw_device_change || change.device;
  }
  EXPECT_TRUE(saw_device_change);
  EXPECT_GT(c.events.size(), events_before);  // went through Syncing back to Ready
  EXPECT_EQ(c.route({{12, 16}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{12, 16}}));
}

TEST_F(VideohubClientTest, AnAbsentDeviceIsUnavailableAndRoutingIsRefused) {
  SimProcess sim({"--device-present", "false"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Unavailable));
  EXPECT_TRUE(hasEvent(c, ConnectionState::Unavailable, "false"));
  EXPECT_EQ(c.route({{1, 2}}), (Words{"refused unavailable"}));

  ASSERT_EQ(sim.command("device-present true").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(sim.command("device-present needs_update").rfind("ok", 0), 0u);
  ASSERT_TRUE(c.waitFor(ConnectionState::Unavailable));
  EXPECT_TRUE(hasEvent(c, ConnectionState::Unavailable, "needs_update"));
}

TEST_F(VideohubClientTest, OutputsLockedByAnotherHostAreRefusedUnlessForceUnlock) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ClientOptions panel_options = fastOptions(sim.port());
  panel_options.local_address = "127.0.0.2";
  ObservedClient panel(io, panel_options);
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(panel.waitFor(ConnectionState::Ready));

  auto accepted = std::make_shared<std::optional<bool>>();
  panel.client->requestLock(2, LockState::Owned, [accepted](bool ok) { *accepted = ok; });
  ASSERT_TRUE(runUntil(io, [&] { return accepted->has_value(); }));
  EXPECT_TRUE(**accepted);
  ASSERT_TRUE(
      runUntil(io, [&] { return c.client->state().lockOf(2) == LockState::LockedByOther; }));
  ASSERT_TRUE(runUntil(io, [&] { return panel.client->state().lockOf(2) == LockState::Owned; }));

  // A pair moves whole or not at all: with an output locked by someone else and no
  // force_unlock, nothing of the block is written.
  const uint64_t sent_before = c.client->stats().requests_sent;
  const auto refused = c.send({{1, 5}, {2, 5}});
  ASSERT_TRUE(runUntil(io, [&] { return refused->done(); }));
  EXPECT_EQ(describe(*refused), (Words{"refused locked"}));
  EXPECT_EQ(std::get<core::BlockRefused>(refused->outcomes[0]).detail,
            "output(s) 2 locked by another client");
  EXPECT_EQ(c.client->stats().requests_sent, sent_before);
  EXPECT_NE(sim.command("status").find("1:1,2:2,"), std::string::npos);

  ClientOptions forcing_options = fastOptions(sim.port());
  forcing_options.force_unlock = true;
  ObservedClient forcing(io, forcing_options);
  ASSERT_TRUE(forcing.waitFor(ConnectionState::Ready));
  EXPECT_EQ(forcing.route({{2, 6}, {3, 6}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(forcing.waitForRouting({{2, 6}, {3, 6}}));
  ASSERT_TRUE(runUntil(io, [&] { return panel.client->state().lockOf(2) == LockState::Unlocked; }));
  EXPECT_NE(sim.command("status").find("2:6,"), std::string::npos);
}

TEST_F(VideohubClientTest, ARouteTheRouterNaksIsRefused) {
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--locked-route", "nak"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  // The lock is taken while our io is not running, so our mirror still shows it unlocked and
  // the route goes out: the router's NAK is what refuses it.
  ASSERT_EQ(sim.command("lock 3 127.0.0.9").rfind("ok", 0), 0u);
  EXPECT_EQ(c.route({{3, 1}}), (Words{"sent", "refused nak"}));
  EXPECT_EQ(c.client->stats().naks, 1u);
  EXPECT_EQ(c.client->connectionState(), ConnectionState::Ready);  // a NAK is not a fault
}

TEST_F(VideohubClientTest, AnAckIsNotAConfirmationOnlyTheMirrorIs) {
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--locked-route", "ack"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(sim.command("lock 3 127.0.0.9").rfind("ok", 0), 0u);
  // The router accepts the block but applies only output 4: output 3 is locked there.
  EXPECT_EQ(c.route({{3, 1}, {4, 1}}), (Words{"sent", "acknowledged"}));
  EXPECT_TRUE(c.waitForRouting({{4, 1}}));
  EXPECT_EQ(c.client->state().sourceOf(3), 3u);
  EXPECT_NE(sim.command("status").find("3:3,4:1,"), std::string::npos);
}

TEST_F(VideohubClientTest, QueuedBlocksLeaveInOrderSoTheNewestRouteLandsLast) {
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--ack-delay-ms", "50"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const auto a = c.send({{1, 2}});          // on the wire
  const auto b = c.send({{2, 3}, {3, 3}});  // queued
  const auto d = c.send({{2, 4}});          // names output 2 again: the block after b's
  ASSERT_TRUE(runUntil(io, [&] { return a->done() && b->done() && d->done(); }));
  for (const auto& reports : {a, b, d}) {
    EXPECT_EQ(describe(*reports), (Words{"sent", "acknowledged"}));
  }
  EXPECT_TRUE(c.waitForRouting({{1, 2}, {2, 4}, {3, 3}}));
}

TEST_F(VideohubClientTest, StoppingReportsTheBlockOnTheWireLostAndTheQueuedOneRefused) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(c.route({{4, 4}}), (Words{"sent", "acknowledged"}));  // queue idle
  ASSERT_EQ(sim.command("withhold-acks on").rfind("ok", 0), 0u);
  const auto written = c.send({{1, 5}});
  const auto queued = c.send({{2, 6}});
  ASSERT_TRUE(runUntil(io, [&] { return !written->outcomes.empty(); }));
  c.client->stop();
  ASSERT_TRUE(runUntil(io, [&] { return written->done() && queued->done(); }));
  EXPECT_EQ(describe(*written), (Words{"sent", "lost"}));
  EXPECT_EQ(describe(*queued), (Words{"refused not_connected"}));
  // Nothing after stop(): a block asked for now is refused at once.
  EXPECT_EQ(c.route({{3, 3}}), (Words{"refused not_connected"}));
}

TEST_F(VideohubClientTest, ConnectFailuresAreRetriedWithBackoff) {
  // A port nobody listens on: every attempt is refused, and the client keeps trying.
  ObservedClient c(io, fastOptions(failover::testing::pickFreePort()));
  ASSERT_TRUE(runUntil(io, [&] { return c.client->stats().disconnects >= 3; }));
  EXPECT_TRUE(hasEvent(c, ConnectionState::Disconnected, "refused"));
  EXPECT_EQ(c.client->stats().connects, 0u);
}

}  // namespace
}  // namespace failover::videohub_client::testing
