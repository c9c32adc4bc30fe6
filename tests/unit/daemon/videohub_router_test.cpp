// Which input labels a router keeps with write_labels (machineInputLabels), and what a
// router that is not connecting answers to a routing block (no socket is opened).

#include "failover/daemon/videohub_router.h"

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

namespace failover::daemon {
namespace {

config::Config twoRouters() {
  config::Config config;
  config::RouterSettings vh1;
  vh1.id = "vh1";
  vh1.write_labels = true;
  config::RouterSettings vh2 = vh1;
  vh2.id = "vh2";
  config.routers = {vh1, vh2};
  config.machines = {{"green-main", "Green Main", 1, {}, {}},
                     {"green-backup", "  Green\r\nBackup  ", 2, {}, {}},
                     {"blue-main", "", 3, {}, {}},
                     {"spare", "Spare", 9, {}, {}},
                     {"red-main", "Red Main", 1, {}, {}}};
  config::PairSettings green;
  green.id = "green";
  green.router = "vh1";
  green.main = "green-main";
  green.backup = "green-backup";
  config::PairSettings blue = green;
  blue.id = "blue";
  blue.main = "blue-main";
  config::PairSettings red = green;
  red.id = "red";
  red.router = "vh2";
  red.main = "red-main";
  config.pairs = {green, blue, red};
  return config;
}

TEST(MachineInputLabelsTest, LabelsOfTheMachinesOfTheRoutersPairs) {
  const config::Config config = twoRouters();
  const videohub_client::InputLabels expected = {
      {1, "Green Main"}, {2, "Green  Backup"}, {3, "blue-main"}};
  EXPECT_EQ(machineInputLabels(config, config.routers[0]), expected);
  // The shared backup belongs to a pair on vh2 as well.
  const videohub_client::InputLabels on_vh2 = {{1, "Red Main"}, {2, "Green  Backup"}};
  EXPECT_EQ(machineInputLabels(config, config.routers[1]), on_vh2);
}

TEST(MachineInputLabelsTest, NothingWithoutWriteLabels) {
  config::Config config = twoRouters();
  config.routers[0].write_labels = false;
  EXPECT_TRUE(machineInputLabels(config, config.routers[0]).empty());
}

TEST(MachineInputLabelsTest, TheFirstMachineOnAnInputWins) {
  config::Config config = twoRouters();
  config.pairs[2].router = "vh1";  // red-main shares input 1 with green-main on vh1
  EXPECT_EQ(machineInputLabels(config, config.routers[0]).at(1), "Green Main");
}

TEST(MachineInputLabelsTest, AMachineWithSeveralSignalsNamesEachInput) {
  config::Config config = twoRouters();
  config.machines[0].input = 0;
  config.machines[0].inputs = {{"fill", 11}, {"key", 12}};
  const auto labels = machineInputLabels(config, config.routers[0]);
  EXPECT_EQ(labels.at(11), "Green Main fill");
  EXPECT_EQ(labels.at(12), "Green Main key");
  EXPECT_EQ(labels.count(1), 0u);
}

std::vector<core::BlockOutcome> sendTo(VideohubRouter& router) {
  std::vector<core::BlockOutcome> reports;
  router.sendRoutes({{1, 2}},
                    [&reports](const core::BlockOutcome& outcome) { reports.push_back(outcome); });
  return reports;
}

TEST(VideohubRouterTest, ADisabledRouterRefusesABlockAsDisabledAtOnce) {
  asio::io_context io;
  config::RouterSettings settings;
  settings.id = "vh1";
  settings.enabled = false;
  VideohubRouter router(io, settings, {}, {});
  router.start();  // stays away: disabled
  const auto reports = sendTo(router);
  ASSERT_EQ(reports.size(), 1u);  // reported inside sendRoutes, nothing written
  EXPECT_EQ(reports[0], core::BlockOutcome(core::BlockRefused{core::BlockRefusal::Disabled,
                                                              "router vh1 is disabled"}));
}

TEST(VideohubRouterTest, AnEnabledRouterNotStartedRefusesAsNotConnected) {
  asio::io_context io;
  config::RouterSettings settings;
  settings.id = "vh1";
  VideohubRouter router(io, settings, {}, {});
  const auto reports = sendTo(router);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(std::get<core::BlockRefused>(reports[0]).reason, core::BlockRefusal::NotConnected);
}

}  // namespace
}  // namespace failover::daemon
