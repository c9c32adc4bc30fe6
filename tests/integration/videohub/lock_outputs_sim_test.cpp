// lockOutputs() against the real videohub-sim over TCP: two clients on two loopback addresses
// (a lock belongs to an address), the second taking over the outputs the first holds.

#include <gtest/gtest.h>

#include "sim_harness.h"

namespace failover::videohub_client::testing {
namespace {

using Words = std::vector<std::string>;

ClientOptions from(const std::string& local_address, uint16_t port) {
  ClientOptions options = fastOptions(port);
  options.local_address = local_address;
  return options;
}

TEST(LockOutputsSimTest, TheSecondClientTakesTheOutputsTheFirstHolds) {
  SimProcess sim({"--inputs", "4", "--outputs", "4"});
  asio::io_context io;
  ObservedClient a(io, from("127.0.0.2", sim.port()));
  ObservedClient b(io, from("127.0.0.3", sim.port()));
  ASSERT_TRUE(a.waitFor(ConnectionState::Ready));
  ASSERT_TRUE(b.waitFor(ConnectionState::Ready));
  const auto shows = [&](const ObservedClient& c, LockState lock) {
    return c.client->state().lockOf(1) == lock && c.client->state().lockOf(2) == lock;
  };

  EXPECT_EQ(a.lock({1, 2}), (Words{"sent", "acknowledged"}));
  ASSERT_TRUE(runUntil(
      io, [&] { return shows(a, LockState::Owned) && shows(b, LockState::LockedByOther); }));

  EXPECT_EQ(b.lock({1, 2}), (Words{"sent", "acknowledged"}));
  ASSERT_TRUE(runUntil(
      io, [&] { return shows(b, LockState::Owned) && shows(a, LockState::LockedByOther); }));
  EXPECT_EQ(a.client->state().lockOf(3), LockState::Unlocked);
  EXPECT_EQ(b.client->state().lockOf(3), LockState::Unlocked);
  // B now routes its outputs; A, without force_unlock, is refused before writing anything.
  EXPECT_EQ(b.route({{1, 3}, {2, 4}}), (Words{"sent", "acknowledged"}));
  EXPECT_EQ(a.route({{1, 1}}), (Words{"refused locked"}));
  EXPECT_TRUE(a.waitForRouting({{1, 3}, {2, 4}}));
}

}  // namespace
}  // namespace failover::videohub_client::testing
