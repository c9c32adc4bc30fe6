#include "failover/videohub_client/prelude_tracker.h"

namespace failover::videohub_client {

namespace vh = videohub;

void PreludeTracker::reset() {
  *this = PreludeTracker();
}

void PreludeTracker::restartForRedump() {
  reset();
  seen_first_block_ = true;
}

PreludeStatus PreludeTracker::onBlock(const vh::Block& block, const RouterState& state) {
  if (status_ == PreludeStatus::NotAVideohub) {
    return status_;  // final for this connection
  }
  if (!seen_first_block_) {
    seen_first_block_ = true;
    if (!std::holds_alternative<vh::PreambleBlock>(block)) {
      status_ = PreludeStatus::NotAVideohub;
      reason_ = "not a Videohub: the first block is \"" + vh::headerOf(block) +
                "\", not PROTOCOL PREAMBLE";
      return status_;
    }
  }
  if (const auto* unknown = std::get_if<vh::UnknownBlock>(&block)) {
    // Related products (MultiView) speak the same framing with their own device block.
    const std::string& header = unknown->header;
    constexpr std::string_view kSuffix = " DEVICE";
    if (!state.hasDevice() && header.size() > kSuffix.size() &&
        header.compare(header.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
      status_ = PreludeStatus::NotAVideohub;
      reason_ = "not a Videohub: the device is a \"" + header + "\"";
      return status_;
    }
  }
  if (std::holds_alternative<vh::DeviceBlock>(block)) {
    // A new device block starts the essentials again.
    seen_end_prelude_ = false;
  }
  if (std::holds_alternative<vh::EndPreludeBlock>(block)) {
    seen_end_prelude_ = true;
  }
  return evaluate(state);
}

PreludeStatus PreludeTracker::onPingAcked(const RouterState& state) {
  if (status_ == PreludeStatus::NotAVideohub) {
    return status_;
  }
  ping_acked_ = true;
  return evaluate(state);
}

PreludeStatus PreludeTracker::evaluate(const RouterState& state) {
  if (status_ == PreludeStatus::Complete && state.available()) {
    return status_;
  }
  if (state.hasDevice() && !state.available()) {
    status_ = PreludeStatus::DeviceUnavailable;
    reason_ = std::string("device not present (Device present: ") +
              vh::toString(state.device().presence) + ")";
    return status_;
  }
  if (!state.hasDevice()) {
    status_ = PreludeStatus::InProgress;
    return status_;
  }
  const bool essentials =
      state.hasInputLabels() && state.hasOutputLabels() && state.hasRouting() && state.hasLocks();
  if (seen_end_prelude_ || (essentials && ping_acked_)) {
    status_ = PreludeStatus::Complete;
    reason_.clear();
  } else {
    status_ = PreludeStatus::InProgress;
  }
  return status_;
}

}  // namespace failover::videohub_client
