// The Videohub client against the real simulator over loopback TCP: state mirroring, salvos,
// changes from elsewhere, locks, and every fault the simulator can inject.

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

TEST_F(VideohubClientTest, SalvoIsAppliedAndConfirmedByTheRouter) {
  SimProcess sim({"--inputs", "16", "--outputs", "16"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const auto results = c.salvo({{1, 9}, {2, 10}, {3, 11}});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, RouteOutcome::Applied) << r.output << " " << r.reason;
  }
  EXPECT_EQ(c.client->state().sourceOf(2), 10u);
  const std::string status = sim.command("status");
  EXPECT_NE(status.find("1:9,2:10,3:11,"), std::string::npos) << status;
}

TEST_F(VideohubClientTest, RoutingToTheCurrentSourceIsConfirmedWithoutAnEcho) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const auto results = c.salvo({{4, 4}, {5, 1}});
  EXPECT_EQ(resultFor(results, 4).outcome, RouteOutcome::Applied);
  EXPECT_EQ(resultFor(results, 5).outcome, RouteOutcome::Applied);
}

TEST_F(VideohubClientTest, OutOfRangePortsAreRefusedBeforeSending) {
  SimProcess sim({"--inputs", "8", "--outputs", "8"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  const uint64_t sent_before = c.client->stats().requests_sent;
  const auto results = c.salvo({{9, 1}, {1, 9}, {0, 1}});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, RouteOutcome::Refused);
    EXPECT_EQ(r.reason, "out_of_range");
  }
  EXPECT_EQ(c.client->stats().requests_sent, sent_before);
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

  // Another client's salvo reaches us too.
  const auto results = other.salvo({{6, 2}});
  EXPECT_EQ(resultFor(results, 6).outcome, RouteOutcome::Applied);
  ASSERT_TRUE(runUntil(io, [&] { return c.client->state().sourceOf(6) == 2u; }));
}

TEST_F(VideohubClientTest, BurstLimitDoesNotLoseASalvoBecauseItIsOneBlock) {
  SimProcess sim({"--inputs", "32", "--outputs", "32", "--burst-limit", "2/200"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  std::vector<RouteRequest> routes;
  for (uint32_t o = 1; o <= 24; ++o) {
    routes.push_back({o, 33 - o});
  }
  const auto results = c.salvo(routes);
  ASSERT_EQ(results.size(), 24u);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, RouteOutcome::Applied) << r.output << " " << r.reason;
  }
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
  ASSERT_EQ(resultFor(c.salvo({{4, 4}}), 4).outcome, RouteOutcome::Applied);  // queue idle
  ASSERT_EQ(sim.command("withhold-acks on").rfind("ok", 0), 0u);

  // The first salvo goes on the wire (its echo still arrives); the second waits behind it
  // for an ACK that never comes.
  auto first = std::make_shared<std::vector<RouteResult>>();
  auto second = std::make_shared<std::vector<RouteResult>>();
  c.client->routeSalvo({{1, 5}}, [first](const auto& r) { *first = r; });
  c.client->routeSalvo({{2, 6}}, [second](const auto& r) { *second = r; });
  ASSERT_TRUE(runUntil(io, [&] { return !first->empty() && !second->empty(); }));
  EXPECT_EQ(resultFor(*second, 2).outcome, RouteOutcome::Unconfirmed);
  EXPECT_EQ(resultFor(*second, 2).reason, "ack_timeout");
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
  // A completed salvo means nothing is waiting for an ACK any more (END PRELUDE can make
  // the client ready before the ACK of its first PING).
  ASSERT_EQ(resultFor(c.salvo({{1, 2}}), 1).outcome, RouteOutcome::Applied);
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
  const auto results = c.salvo({{1, 2}});
  EXPECT_EQ(resultFor(results, 1).outcome, RouteOutcome::Applied);
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
  const auto results = c.salvo({{12, 16}});
  EXPECT_EQ(resultFor(results, 12).outcome, RouteOutcome::Applied);
}

TEST_F(VideohubClientTest, AnAbsentDeviceIsUnavailableAndRoutingIsRefused) {
  SimProcess sim({"--device-present", "false"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Unavailable));
  EXPECT_TRUE(hasEvent(c, ConnectionState::Unavailable, "false"));
  const auto results = c.salvo({{1, 2}});
  EXPECT_EQ(resultFor(results, 1).outcome, RouteOutcome::Refused);
  EXPECT_EQ(resultFor(results, 1).reason, "device_unavailable");

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

  const uint64_t sent_before = c.client->stats().requests_sent;
  const auto refused = c.salvo({{1, 5}, {2, 5}});
  EXPECT_EQ(resultFor(refused, 1).outcome, RouteOutcome::Applied);
  EXPECT_EQ(resultFor(refused, 2).outcome, RouteOutcome::Refused);
  EXPECT_EQ(resultFor(refused, 2).reason, "locked");
  EXPECT_EQ(c.client->stats().requests_sent, sent_before + 1);  // output 2 was never sent
  EXPECT_NE(sim.command("status").find("2:2,"), std::string::npos);

  ClientOptions forcing_options = fastOptions(sim.port());
  forcing_options.force_unlock = true;
  ObservedClient forcing(io, forcing_options);
  ASSERT_TRUE(forcing.waitFor(ConnectionState::Ready));
  const auto forced = forcing.salvo({{2, 6}, {3, 6}});
  EXPECT_EQ(resultFor(forced, 2).outcome, RouteOutcome::Applied) << resultFor(forced, 2).reason;
  EXPECT_EQ(resultFor(forced, 3).outcome, RouteOutcome::Applied);
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
  const auto results = c.salvo({{3, 1}});
  EXPECT_EQ(resultFor(results, 3).outcome, RouteOutcome::Refused);
  EXPECT_EQ(resultFor(results, 3).reason, "nak");
  EXPECT_EQ(c.client->stats().naks, 1u);
  EXPECT_EQ(c.client->connectionState(), ConnectionState::Ready);  // a NAK is not a fault
}

TEST_F(VideohubClientTest, ARouteAckedButNotAppliedIsRefusedAfterTheDumpCheck) {
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--locked-route", "ack"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  ASSERT_EQ(sim.command("lock 3 127.0.0.9").rfind("ok", 0), 0u);
  const auto results = c.salvo({{3, 1}, {4, 1}});
  EXPECT_EQ(resultFor(results, 3).outcome, RouteOutcome::Refused);
  EXPECT_EQ(resultFor(results, 3).reason, "not_applied");
  EXPECT_EQ(resultFor(results, 4).outcome, RouteOutcome::Applied);
}

TEST_F(VideohubClientTest, ANewerSalvoSupersedesAQueuedOne) {
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--ack-delay-ms", "50"});
  ObservedClient c(io, fastOptions(sim.port()));
  ASSERT_TRUE(c.waitFor(ConnectionState::Ready));
  auto a = std::make_shared<std::vector<RouteResult>>();
  auto b = std::make_shared<std::vector<RouteResult>>();
  auto d = std::make_shared<std::vector<RouteResult>>();
  c.client->routeSalvo({{1, 2}}, [a](const auto& r) { *a = r; });          // on the wire
  c.client->routeSalvo({{2, 3}, {3, 3}}, [b](const auto& r) { *b = r; });  // queued
  c.client->routeSalvo({{2, 4}}, [d](const auto& r) { *d = r; });          // replaces 2
  ASSERT_TRUE(runUntil(io, [&] { return !a->empty() && !b->empty() && !d->empty(); }));
  EXPECT_EQ(resultFor(*b, 2).outcome, RouteOutcome::Unconfirmed);
  EXPECT_EQ(resultFor(*b, 2).reason, "superseded");
  EXPECT_EQ(resultFor(*b, 3).outcome, RouteOutcome::Applied);
  EXPECT_EQ(resultFor(*d, 2).outcome, RouteOutcome::Applied);
  EXPECT_EQ(c.client->state().sourceOf(2), 4u);
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
