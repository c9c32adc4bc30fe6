// routers.<id>.write_labels end to end in the daemon's router adapter (VideohubRouter) against
// the real videohub-sim: the machine labels of the router's pairs land on their inputs, and
// with write_labels off the router's labels are never touched.

#include <memory>

#include <gtest/gtest.h>

#include "failover/daemon/videohub_router.h"
#include "sim_harness.h"

namespace failover::videohub_client::testing {
namespace {

config::Config studio(bool write_labels) {
  config::Config config;
  config::RouterSettings router;
  router.id = "vh1";
  router.write_labels = write_labels;
  config.routers.push_back(router);
  config.machines = {{"green-main", "Green Main", 1, {}, {}},
                     {"green-backup", "Green\nBackup", 2, {}, {}},
                     {"blue-main", "", 4, {}, {}},
                     {"elsewhere", "Other Router", 6, {}, {}}};
  config::PairSettings green;
  green.id = "green";
  green.router = "vh1";
  green.main = "green-main";
  green.backup = "green-backup";
  green.outputs = {1};
  config::PairSettings blue = green;
  blue.id = "blue";
  blue.main = "blue-main";
  blue.outputs = {2};
  config::PairSettings other = green;
  other.id = "other";
  other.router = "vh2";
  other.main = "elsewhere";
  config.pairs = {green, blue, other};
  return config;
}

// Runs `router` against `sim` until it is ready, then routes output 3 and waits until
// `watcher` sees that: with --end-prelude off the label block (if any) left before the route
// and its echo reached the watcher first.
void runRouter(asio::io_context& io, const config::Config& config, SimProcess& sim,
               ObservedClient& watcher) {
  const auto& settings = config.routers.front();
  ClientOptions options = fastOptions(sim.port());
  options.input_labels = daemon::machineInputLabels(config, settings);
  daemon::RouterStatus status;
  daemon::RouterReports reports;
  reports.on_status = [&status](const daemon::RouterStatus& s) {
    status = s;
  };
  reports.on_observed = [](engine::RouterObserved) {
  };
  daemon::VideohubRouter router(io, settings, options, reports);
  router.start();
  ASSERT_TRUE(runUntil(io, [&] { return status.state == "ready"; }));
  bool routed = false;
  router.sendRoutes({{3, 8}}, [&routed](const core::BlockOutcome& outcome) {
    routed = routed || std::holds_alternative<core::BlockAcknowledged>(outcome);
  });
  ASSERT_TRUE(runUntil(io, [&] { return routed && watcher.client->state().sourceOf(3) == 8u; }));
  router.stop();
}

TEST(RouterLabelTest, WriteLabelsPutsTheMachineLabelsOnTheirInputs) {
  asio::io_context io;
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--end-prelude", "off"});
  ObservedClient watcher(io, fastOptions(sim.port()));
  ASSERT_TRUE(watcher.waitFor(ConnectionState::Ready));
  runRouter(io, studio(true), sim, watcher);
  const RouterState& state = watcher.client->state();
  EXPECT_EQ(state.inputLabel(1), "Green Main");
  EXPECT_EQ(state.inputLabel(2), "Green Backup");  // sanitised
  EXPECT_EQ(state.inputLabel(3), "Input 3");       // no machine
  EXPECT_EQ(state.inputLabel(4), "blue-main");     // no label: the id
  EXPECT_EQ(state.inputLabel(6), "Input 6");       // a machine of another router
}

TEST(RouterLabelTest, WithoutWriteLabelsTheRouterLabelsAreLeftAlone) {
  asio::io_context io;
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--end-prelude", "off"});
  ObservedClient watcher(io, fastOptions(sim.port()));
  ASSERT_TRUE(watcher.waitFor(ConnectionState::Ready));
  const size_t prelude_changes = watcher.changes.size();
  runRouter(io, studio(false), sim, watcher);
  for (size_t i = prelude_changes; i < watcher.changes.size(); ++i) {
    EXPECT_TRUE(watcher.changes[i].input_labels.empty());
  }
  EXPECT_EQ(watcher.client->state().inputLabel(1), "Input 1");
  EXPECT_EQ(watcher.client->state().inputLabel(2), "Input 2");
}

TEST(RouterLabelTest, TheRouterIgnoresLabelsWhenWriteLabelsIsOff) {
  // Even when the caller passes labels, a router with write_labels off drops them.
  asio::io_context io;
  SimProcess sim({"--inputs", "8", "--outputs", "8", "--end-prelude", "off"});
  ObservedClient watcher(io, fastOptions(sim.port()));
  ASSERT_TRUE(watcher.waitFor(ConnectionState::Ready));
  config::Config config = studio(false);
  ClientOptions options = fastOptions(sim.port());
  options.input_labels = {{1, "Green Main"}};
  daemon::RouterStatus status;
  daemon::RouterReports reports;
  reports.on_status = [&status](const daemon::RouterStatus& s) {
    status = s;
  };
  reports.on_observed = [](engine::RouterObserved) {
  };
  daemon::VideohubRouter router(io, config.routers.front(), options, reports);
  router.start();
  ASSERT_TRUE(runUntil(io, [&] { return status.state == "ready"; }));
  bool routed = false;
  router.sendRoutes({{3, 8}}, [&routed](const core::BlockOutcome& outcome) {
    routed = routed || std::holds_alternative<core::BlockAcknowledged>(outcome);
  });
  ASSERT_TRUE(runUntil(io, [&] { return routed && watcher.client->state().sourceOf(3) == 8u; }));
  EXPECT_EQ(watcher.client->state().inputLabel(1), "Input 1");
}

}  // namespace
}  // namespace failover::videohub_client::testing
