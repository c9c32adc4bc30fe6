#include "failover/videohub_client/router_state.h"

#include <gtest/gtest.h>

#include "wire.h"

namespace failover::videohub_client {
namespace {

using testing::kPrelude2x3;
using testing::parseWire;

RouterState stateFrom(std::string_view text) {
  RouterState state;
  for (const auto& block : parseWire(text)) {
    (void)state.apply(block);
  }
  return state;
}

StateChange applyText(RouterState& state, std::string_view text) {
  StateChange all;
  for (const auto& block : parseWire(text)) {
    StateChange change = state.apply(block);
    all.device = all.device || change.device;
    all.routes.insert(all.routes.end(), change.routes.begin(), change.routes.end());
    all.locks.insert(all.locks.end(), change.locks.begin(), change.locks.end());
    all.input_labels.insert(all.input_labels.end(), change.input_labels.begin(),
                            change.input_labels.end());
    all.output_labels.insert(all.output_labels.end(), change.output_labels.begin(),
                             change.output_labels.end());
    all.take_mode = all.take_mode || change.take_mode;
    all.out_of_range += change.out_of_range;
  }
  return all;
}

TEST(RouterStateTest, MirrorsThePreludeWithOneBasedNumbers) {
  const RouterState state = stateFrom(kPrelude2x3);
  ASSERT_TRUE(state.available());
  EXPECT_EQ(state.device().protocol_version, "2.8");
  EXPECT_EQ(state.device().model_name, "Blackmagic Videohub 10x10 12G");
  EXPECT_EQ(state.device().friendly_name, "Studio Router");
  EXPECT_EQ(state.inputCount(), 3u);
  EXPECT_EQ(state.outputCount(), 2u);
  EXPECT_EQ(state.inputLabel(1), "Render A Main");
  EXPECT_EQ(state.inputLabel(3), "Camera  3");  // labels keep their spaces
  EXPECT_EQ(state.outputLabel(1), "Vision Mixer In 1");
  EXPECT_EQ(state.sourceOf(1), 1u);
  EXPECT_EQ(state.sourceOf(2), 3u);
  EXPECT_EQ(state.lockOf(1), LockState::Unlocked);
  EXPECT_EQ(state.lockOf(2), LockState::LockedByOther);
  EXPECT_EQ(state.lockedOutputs(), std::vector<uint32_t>{2});
  EXPECT_TRUE(state.hasInputLabels() && state.hasOutputLabels() && state.hasRouting() &&
              state.hasLocks());
}

TEST(RouterStateTest, UpdatesReportOnlyWhatChanged) {
  RouterState state = stateFrom(kPrelude2x3);
  StateChange change = applyText(state, "VIDEO OUTPUT ROUTING:\n0 1\n1 2\n\n");
  EXPECT_EQ(change.routes, std::vector<uint32_t>{1});  // output 2 already had input 3
  EXPECT_EQ(state.sourceOf(1), 2u);

  change = applyText(state, "VIDEO OUTPUT LOCKS:\n1 U\n0 O\n\n");
  EXPECT_EQ(change.locks, (std::vector<uint32_t>{2, 1}));
  EXPECT_EQ(state.lockOf(1), LockState::Owned);

  change = applyText(state, "INPUT LABELS:\n1 Render A Backup (spare)\n\n");
  EXPECT_EQ(change.input_labels, std::vector<uint32_t>{2});
  EXPECT_EQ(state.inputLabel(2), "Render A Backup (spare)");

  change = applyText(state, "CONFIGURATION:\nTake Mode: true\n\n");
  EXPECT_TRUE(change.take_mode);
  EXPECT_EQ(state.takeMode(), true);

  change = applyText(state, "ACK\n\nNETWORK:\nInterface Count: 1\n\n");
  EXPECT_TRUE(change.empty());
}

TEST(RouterStateTest, IgnoresIndexesBeyondTheDeviceCounts) {
  RouterState state = stateFrom(kPrelude2x3);
  const StateChange change =
      applyText(state,
                "VIDEO OUTPUT ROUTING:\n2 0\n0 3\n1 1\n\nVIDEO OUTPUT LOCKS:\n5 L\n\n"
                "OUTPUT LABELS:\n9 Nowhere\n\n");
  EXPECT_EQ(change.out_of_range, 4u);  // output 3, input 4, lock on 6, label on 10
  EXPECT_EQ(change.routes, std::vector<uint32_t>{2});
  EXPECT_EQ(state.sourceOf(1), 1u);
  EXPECT_EQ(state.sourceOf(3), std::nullopt);
  EXPECT_EQ(state.lockOf(6), LockState::Unlocked);
  EXPECT_EQ(state.sourceOf(0), std::nullopt);
}

TEST(RouterStateTest, ADeviceBlockMidSessionRebuildsWithNewCounts) {
  RouterState state = stateFrom(kPrelude2x3);
  StateChange change =
      applyText(state,
                "VIDEOHUB DEVICE:\nDevice present: true\nModel name: Bigger\nVideo inputs: 4\n"
                "Video outputs: 4\n\n");
  EXPECT_TRUE(change.device);
  EXPECT_EQ(state.outputCount(), 4u);
  EXPECT_EQ(state.device().protocol_version, "2.8");  // the preamble is not repeated
  EXPECT_EQ(state.sourceOf(1), std::nullopt);         // old routing is gone
  EXPECT_EQ(state.inputLabel(1), "");
  EXPECT_FALSE(state.hasRouting());
  EXPECT_TRUE(state.lockedOutputs().empty());
  change = applyText(state, "VIDEO OUTPUT ROUTING:\n3 3\n\n");
  EXPECT_EQ(change.routes, std::vector<uint32_t>{4});
  EXPECT_EQ(state.sourceOf(4), 4u);
  EXPECT_TRUE(state.hasRouting());
}

TEST(RouterStateTest, AnAbsentDeviceIsUnavailableAndHasNoPorts) {
  for (const char* presence : {"false", "needs_update"}) {
    RouterState state = stateFrom(std::string("PROTOCOL PREAMBLE:\nVersion: 2.3\n\n") +
                                  "VIDEOHUB DEVICE:\nDevice present: " + presence +
                                  "\nVideo inputs: 16\nVideo outputs: 16\n\n");
    EXPECT_TRUE(state.hasDevice());
    EXPECT_FALSE(state.available()) << presence;
    const StateChange change = applyText(state, "VIDEO OUTPUT ROUTING:\n0 1\n\n");
    EXPECT_EQ(change.out_of_range, 1u);
    EXPECT_EQ(state.sourceOf(1), std::nullopt);
  }
  const RouterState missing = stateFrom("VIDEOHUB DEVICE:\nModel name: No presence line\n\n");
  EXPECT_FALSE(missing.available());
}

TEST(RouterStateTest, MissingCountsReadAsZeroAndCrlfIsAccepted) {
  const RouterState state = stateFrom(
      "PROTOCOL PREAMBLE:\r\nVersion: 2.7\r\n\r\nVIDEOHUB DEVICE:\r\nDevice present: true\r\n"
      "Video inputs: 2\r\nVideo outputs: 2\r\n\r\nVIDEO OUTPUT ROUTING:\r\n1 1\r\n\r\n");
  EXPECT_TRUE(state.available());
  EXPECT_EQ(state.device().monitoring_outputs, 0u);
  EXPECT_EQ(state.device().serial_ports, 0u);
  EXPECT_EQ(state.sourceOf(2), 2u);
}

TEST(RouterStateTest, BlocksBeforeTheDeviceBlockDoNotCount) {
  RouterState state;
  const StateChange change = applyText(state, "VIDEO OUTPUT ROUTING:\n0 0\n\n");
  EXPECT_EQ(change.out_of_range, 1u);
  EXPECT_FALSE(state.hasRouting());
}

}  // namespace
}  // namespace failover::videohub_client
