// Route and lock blocks: what the wire needs around one sendRoutes() or lockOutputs() call
// (range and lock checks, the forced unlock that must come first, the block itself) and the
// reports of what became of it. Whether a route was applied is not judged here: an ACK only
// means "accepted", and the router's own updates, applied to the mirror, are what the caller
// confirms from.

#include <algorithm>

#include "client_impl.h"
#include "failover/videohub/route_request.h"

namespace failover::videohub_client {

namespace vh = videohub;

namespace {

std::string outputList(const std::vector<uint32_t>& outputs) {
  std::string text;
  for (const uint32_t output : outputs) {
    text += (text.empty() ? "" : ", ") + std::to_string(output);
  }
  return text;
}

}  // namespace

void VideohubClient::Impl::sendRoutes(std::vector<core::Route> routes, BlockReport report) {
  auto shared_report = std::make_shared<BlockReport>(std::move(report));
  if (auto refusal = refusalBeforeSending(routes)) {
    ++stats_.refused_blocks;
    log_->warn("router {} not sent a routing block of {} route(s): {} ({})", endpointText(),
               routes.size(), core::toString(refusal->reason), refusal->detail);
    post(shared_report, std::move(*refusal));
    return;
  }
  auto owned = std::make_unique<RouteBlock>(io_);
  owned->report = std::move(shared_report);
  owned->routes = std::move(routes);
  std::vector<uint32_t> outputs;
  for (const auto& route : owned->routes) {
    outputs.push_back(static_cast<uint32_t>(route.output));
  }
  // Outputs locked by another client get here only with force_unlock on
  // (refusalBeforeSending checked).
  startBlock(std::move(owned), outputs);
}

void VideohubClient::Impl::lockOutputs(std::vector<int> outputs, BlockReport report) {
  auto shared_report = std::make_shared<BlockReport>(std::move(report));
  std::vector<uint32_t> taking;
  if (auto refusal = refusalBeforeLocking(outputs, taking)) {
    ++stats_.refused_blocks;
    log_->warn("router {} not sent a lock block for {} output(s): {} ({})", endpointText(),
               outputs.size(), core::toString(refusal->reason), refusal->detail);
    post(shared_report, std::move(*refusal));
    return;
  }
  auto owned = std::make_unique<RouteBlock>(io_);
  owned->report = std::move(shared_report);
  owned->taking = taking;
  // Taking the locks is taking over: whoever holds them is forced off, whatever force_unlock.
  startBlock(std::move(owned), taking);
}

void VideohubClient::Impl::startBlock(std::unique_ptr<RouteBlock> owned,
                                      const std::vector<uint32_t>& outputs) {
  RouteBlock& block = *owned;
  block.id = next_block_id_++;
  for (const uint32_t output : outputs) {
    if (state_.lockOf(output) == LockState::LockedByOther) {
      block.unlocking.push_back(output);
    }
  }
  const uint64_t id = block.id;
  blocks_.emplace(id, std::move(owned));
  if (block.unlocking.empty()) {
    queueMainRequest(block);
    return;
  }
  // Routing (or locking) an output someone else holds may be refused or silently ignored
  // (protocol section 5): free it first, and go on only once the router shows it unlocked.
  vh::LocksBlock force{vh::PortKind::VideoOutput, {}};
  for (const uint32_t output : block.unlocking) {
    force.locks.push_back(vh::Lock{output - 1, LockState::ForceUnlock});
  }
  log_->warn("router {} output(s) {} locked by another client: forcing them unlocked",
             endpointText(), outputList(block.unlocking));
  auto self = shared_from_this();
  block.unlock_timer.expires_after(options_.ack_timeout + options_.unlock_timeout);
  block.unlock_timer.async_wait([this, self, id](const asio::error_code& ec) {
    const auto it = blocks_.find(id);
    if (ec || stopped_ || it == blocks_.end() || it->second->routing) {
      return;
    }
    checkUnlocked(*it->second, true);
  });
  (void)push(RequestKind::Lock, vh::Block(std::move(force)), id);
}

std::optional<core::BlockRefused> VideohubClient::Impl::refusalWhenNotReady() const {
  using core::BlockRefusal;
  if (stopped_) {
    return core::BlockRefused{BlockRefusal::NotConnected, "the router client is stopped"};
  }
  if (connection_state_ == ConnectionState::Unavailable) {
    return core::BlockRefused{BlockRefusal::Unavailable, last_unavailable_reason_};
  }
  if (connection_state_ != ConnectionState::Ready) {
    return core::BlockRefused{BlockRefusal::NotConnected,
                              std::string("the router is ") + toString(connection_state_)};
  }
  return std::nullopt;
}

std::optional<core::BlockRefused> VideohubClient::Impl::refusalBeforeLocking(
    const std::vector<int>& outputs, std::vector<uint32_t>& taking) const {
  if (auto refusal = refusalWhenNotReady()) {
    return refusal;
  }
  if (outputs.empty()) {
    return core::BlockRefused{core::BlockRefusal::OutOfRange, "no outputs"};
  }
  const auto count = static_cast<int>(state_.outputCount());
  for (const int output : outputs) {
    if (output < 1 || output > count) {
      return core::BlockRefused{core::BlockRefusal::OutOfRange,
                                "output " + std::to_string(output) + " is beyond the router's " +
                                    std::to_string(count) + " outputs"};
    }
    const auto port = static_cast<uint32_t>(output);
    if (std::find(taking.begin(), taking.end(), port) == taking.end()) {
      taking.push_back(port);
    }
  }
  return std::nullopt;
}

std::optional<core::BlockRefused> VideohubClient::Impl::refusalBeforeSending(
    std::vector<core::Route>& routes) const {
  using core::BlockRefusal;
  if (auto refusal = refusalWhenNotReady()) {
    return refusal;
  }
  // One block never names an output twice: the last input asked for an output wins.
  std::vector<core::Route> distinct;
  for (const auto& route : routes) {
    const auto same = std::find_if(distinct.begin(), distinct.end(),
                                   [&](const core::Route& r) { return r.output == route.output; });
    if (same != distinct.end()) {
      same->input = route.input;
    } else {
      distinct.push_back(route);
    }
  }
  routes = std::move(distinct);
  if (routes.empty()) {
    return core::BlockRefused{BlockRefusal::OutOfRange, "no routes"};
  }
  const auto outputs = static_cast<int>(state_.outputCount());
  const auto inputs = static_cast<int>(state_.inputCount());
  for (const auto& route : routes) {
    if (route.output < 1 || route.output > outputs || route.input < 1 || route.input > inputs) {
      return core::BlockRefused{BlockRefusal::OutOfRange,
                                "output " + std::to_string(route.output) + " <- input " +
                                    std::to_string(route.input) + " is beyond the router's " +
                                    std::to_string(outputs) + " outputs and " +
                                    std::to_string(inputs) + " inputs"};
    }
  }
  if (!options_.force_unlock) {
    std::vector<uint32_t> locked;
    for (const auto& route : routes) {
      const auto output = static_cast<uint32_t>(route.output);
      if (state_.lockOf(output) == LockState::LockedByOther) {
        locked.push_back(output);
      }
    }
    if (!locked.empty()) {
      return core::BlockRefused{BlockRefusal::Locked,
                                "output(s) " + outputList(locked) + " locked by another client"};
    }
  }
  return std::nullopt;
}

void VideohubClient::Impl::queueMainRequest(RouteBlock& block) {
  block.routing = true;
  block.unlock_timer.cancel();
  const uint64_t id = block.id;
  uint64_t request = 0;
  if (block.taking.empty()) {
    request = push(RequestKind::Route, vh::Block(vh::routingRequest(block.routes)), id);
  } else {
    vh::LocksBlock take{vh::PortKind::VideoOutput, {}};
    for (const uint32_t output : block.taking) {
      take.locks.push_back(vh::Lock{output - 1, LockState::Owned});
    }
    request = push(RequestKind::Lock, vh::Block(std::move(take)), id);
  }
  // Looked up again: nothing may rely on `block` outliving a write.
  if (const auto it = blocks_.find(id); it != blocks_.end()) {
    it->second->main_request = request;
  }
}

void VideohubClient::Impl::onRequestWritten(const Request& request, core::MonoTime at) {
  std::vector<uint64_t> ids{request.id};
  ids.insert(ids.end(), request.merged_ids.begin(), request.merged_ids.end());
  for (const uint64_t id : ids) {
    const auto link = request_block_.find(id);
    if (link == request_block_.end()) {
      continue;
    }
    const auto it = blocks_.find(link->second);
    if (it != blocks_.end() && !it->second->sent) {
      it->second->sent = true;
      post(it->second->report, core::BlockSent{at});
    }
  }
}

void VideohubClient::Impl::onRouteBlockReply(uint64_t block_id, uint64_t request_id, Reply reply) {
  const auto it = blocks_.find(block_id);
  if (it == blocks_.end()) {
    return;
  }
  RouteBlock& block = *it->second;
  // The main request may already be queued when the forced unlock's reply comes (the U can
  // show before the ACK): the request id, not the kind, tells them apart.
  if (request_id != block.main_request) {
    if (reply == Reply::Nak) {
      finish(block_id, core::BlockRefused{core::BlockRefusal::Locked,
                                          "the router answered NAK to the forced unlock of "
                                          "output(s) " +
                                              outputList(block.unlocking)});
    } else {
      checkUnlocked(block, false);
    }
    return;
  }
  finish(block_id, reply == Reply::Ack ? core::BlockOutcome(core::BlockAcknowledged{})
                                       : core::BlockOutcome(core::BlockRefused{
                                             core::BlockRefusal::Nak, "the router answered NAK"}));
}

void VideohubClient::Impl::onLocksChanged() {
  std::vector<uint64_t> ids;
  for (const auto& [id, block] : blocks_) {
    if (!block->routing) {
      ids.push_back(id);
    }
  }
  for (const uint64_t id : ids) {
    const auto it = blocks_.find(id);
    if (it != blocks_.end()) {
      checkUnlocked(*it->second, false);
    }
  }
}

void VideohubClient::Impl::checkUnlocked(RouteBlock& block, bool final) {
  if (block.routing) {
    return;  // the main request is already queued (the U showed before the ACK of the unlock)
  }
  auto& unlocking = block.unlocking;
  unlocking.erase(std::remove_if(unlocking.begin(), unlocking.end(),
                                 [&](uint32_t output) {
                                   return state_.lockOf(output) != LockState::LockedByOther;
                                 }),
                  unlocking.end());
  if (unlocking.empty()) {
    queueMainRequest(block);
  } else if (final) {
    // A pair moves whole or not at all: nothing of the block is routed.
    finish(block.id, core::BlockRefused{core::BlockRefusal::Locked,
                                        "output(s) " + outputList(unlocking) +
                                            " still locked by another client after a forced "
                                            "unlock"});
  }
}

void VideohubClient::Impl::failRouteBlocks(const std::string& reason) {
  for (auto& [id, block] : blocks_) {
    block->unlock_timer.cancel();
    if (block->sent) {
      post(block->report, core::BlockConnectionLost{reason});
    } else {
      ++stats_.refused_blocks;
      post(block->report, core::BlockRefused{core::BlockRefusal::NotConnected, reason});
    }
  }
  blocks_.clear();
  request_block_.clear();
}

void VideohubClient::Impl::finish(uint64_t block_id, core::BlockOutcome outcome) {
  const auto it = blocks_.find(block_id);
  if (it == blocks_.end()) {
    return;
  }
  it->second->unlock_timer.cancel();
  if (const auto* refused = std::get_if<core::BlockRefused>(&outcome)) {
    ++stats_.refused_blocks;
    log_->warn("router {} refused a {} block: {} ({})", endpointText(),
               it->second->taking.empty() ? "routing" : "lock", core::toString(refused->reason),
               refused->detail);
  }
  post(it->second->report, std::move(outcome));
  blocks_.erase(it);
}

void VideohubClient::Impl::post(const std::shared_ptr<BlockReport>& report,
                                core::BlockOutcome outcome) {
  // Never inside our own bookkeeping: a report may send the next block. Posts run in order,
  // so a block's reports keep theirs.
  asio::post(io_, [report, outcome = std::move(outcome)] {
    if (*report) {
      (*report)(outcome);
    }
  });
}

}  // namespace failover::videohub_client
