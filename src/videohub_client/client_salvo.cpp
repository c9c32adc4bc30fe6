// Route salvos: one routing block for every output, then per-output confirmation from the
// router's own updates (an ACK only means "accepted").

#include <algorithm>

#include "client_impl.h"

namespace failover::videohub_client {

namespace vh = videohub;

void VideohubClient::Impl::routeSalvo(std::vector<RouteRequest> routes, SalvoCallback callback) {
  auto owned = std::make_unique<Salvo>(io_);
  Salvo& salvo = *owned;
  salvo.id = next_salvo_id_++;
  salvo.callback = std::move(callback);
  for (const auto& route : routes) {
    auto existing = std::find_if(salvo.results.begin(), salvo.results.end(),
                                 [&](const RouteResult& r) { return r.output == route.output; });
    if (existing != salvo.results.end()) {
      existing->input = route.input;  // the last pair for an output wins
    } else {
      salvo.results.push_back(
          RouteResult{route.output, route.input, RouteOutcome::Unconfirmed, ""});
    }
  }
  salvo.pending.assign(salvo.results.size(), true);
  const uint64_t id = salvo.id;
  salvos_.emplace(id, std::move(owned));

  if (connection_state_ != ConnectionState::Ready || stopped_) {
    // Without hardware behind the server the answer is a definite no; otherwise we cannot
    // know what the router would do.
    const bool absent = connection_state_ == ConnectionState::Unavailable;
    for (size_t i = 0; i < salvo.results.size(); ++i) {
      settle(salvo, i, absent ? RouteOutcome::Refused : RouteOutcome::Unconfirmed,
             absent ? "device_unavailable" : "not_ready");
    }
    finishIfDone(id);
    return;
  }
  for (size_t i = 0; i < salvo.results.size(); ++i) {
    const RouteResult& r = salvo.results[i];
    if (r.output == 0 || r.output > state_.outputCount() || r.input == 0 ||
        r.input > state_.inputCount()) {
      settle(salvo, i, RouteOutcome::Refused, "out_of_range");
      continue;
    }
    if (state_.lockOf(r.output) == LockState::LockedByOther) {
      if (options_.force_unlock) {
        salvo.unlocking.push_back(r.output);
      } else {
        settle(salvo, i, RouteOutcome::Refused, "locked");
      }
    }
  }
  if (!salvo.unlocking.empty()) {
    vh::LocksBlock force{vh::PortKind::VideoOutput, {}};
    for (const uint32_t output : salvo.unlocking) {
      force.locks.push_back(vh::Lock{output - 1, LockState::ForceUnlock});
      log_->warn("router {} output {} is locked by another client: forcing it unlocked",
                 endpointText(), output);
    }
    salvo.phase = Salvo::Phase::Unlocking;
    auto self = shared_from_this();
    salvo.timer.expires_after(options_.ack_timeout + options_.unlock_timeout);
    salvo.timer.async_wait([this, self, id](const asio::error_code& ec) {
      const auto it = salvos_.find(id);
      if (ec || it == salvos_.end() || it->second->phase != Salvo::Phase::Unlocking) {
        return;
      }
      checkUnlocked(*it->second, true);
      finishIfDone(id);
    });
    request_salvo_[push(RequestKind::Lock, vh::Block(std::move(force)))] = id;
  } else {
    sendSalvoRoutes(salvo);
  }
  finishIfDone(id);
}

void VideohubClient::Impl::sendSalvoRoutes(Salvo& salvo) {
  vh::RoutingBlock block{vh::PortKind::VideoOutput, {}};
  for (size_t i = 0; i < salvo.results.size(); ++i) {
    if (salvo.pending[i]) {
      block.routes.push_back(vh::Route{salvo.results[i].output - 1, salvo.results[i].input - 1});
    }
  }
  if (block.routes.empty()) {
    return;
  }
  salvo.phase = Salvo::Phase::AwaitAck;
  const uint64_t salvo_id = salvo.id;
  request_salvo_[push(RequestKind::Route, vh::Block(std::move(block)))] = salvo_id;
}

void VideohubClient::Impl::onSalvoReply(uint64_t salvo_id, RequestKind kind, Reply reply) {
  const auto it = salvos_.find(salvo_id);
  if (it == salvos_.end()) {
    return;
  }
  Salvo& salvo = *it->second;
  switch (kind) {
    case RequestKind::Lock:
      if (reply == Reply::Nak) {
        for (size_t i = 0; i < salvo.results.size(); ++i) {
          if (std::find(salvo.unlocking.begin(), salvo.unlocking.end(), salvo.results[i].output) !=
              salvo.unlocking.end()) {
            settle(salvo, i, RouteOutcome::Refused, "force_unlock_nak");
          }
        }
        salvo.unlocking.clear();
        salvo.timer.cancel();
        sendSalvoRoutes(salvo);
      } else {
        checkUnlocked(salvo, false);
      }
      break;
    case RequestKind::Route:
      if (reply == Reply::Nak) {
        for (size_t i = 0; i < salvo.results.size(); ++i) {
          settle(salvo, i, RouteOutcome::Refused, "nak");
        }
      } else {
        salvo.phase = Salvo::Phase::Confirming;
        confirmFromState(salvo, false);
        startConfirmTimer(salvo);
      }
      break;
    case RequestKind::DumpRequest:
      if (reply == Reply::Nak) {
        confirmFromState(salvo, true);
      } else {
        // The complete block follows the ACK; give it a moment to arrive.
        salvo.phase = Salvo::Phase::Dumping;
        startConfirmTimer(salvo);
      }
      break;
    default:
      break;
  }
  finishIfDone(salvo_id);
}

void VideohubClient::Impl::startConfirmTimer(Salvo& salvo) {
  if (std::none_of(salvo.pending.begin(), salvo.pending.end(), [](bool p) { return p; })) {
    return;
  }
  auto self = shared_from_this();
  const uint64_t id = salvo.id;
  salvo.timer.expires_after(options_.confirm_delay);
  salvo.timer.async_wait([this, self, id](const asio::error_code& ec) {
    const auto it = salvos_.find(id);
    if (ec || it == salvos_.end()) {
      return;
    }
    Salvo& s = *it->second;
    if (s.phase == Salvo::Phase::Confirming) {
      // No echo for some outputs (routing to the current source may give none): ask for
      // the whole routing block and compare.
      s.phase = Salvo::Phase::DumpRequested;
      request_salvo_[push(RequestKind::DumpRequest,
                          vh::Block(vh::RoutingBlock{vh::PortKind::VideoOutput, {}}))] = id;
    } else if (s.phase == Salvo::Phase::Dumping) {
      confirmFromState(s, true);
      finishIfDone(id);
    }
  });
}

void VideohubClient::Impl::confirmFromState(Salvo& salvo, bool final) {
  for (size_t i = 0; i < salvo.results.size(); ++i) {
    if (!salvo.pending[i]) {
      continue;
    }
    const auto source = state_.sourceOf(salvo.results[i].output);
    if (source == salvo.results[i].input) {
      settle(salvo, i, RouteOutcome::Applied, "");
    } else if (final) {
      settle(salvo, i, RouteOutcome::Refused, "not_applied");
    }
  }
}

void VideohubClient::Impl::onRoutingBlock(const vh::RoutingBlock& block) {
  std::vector<uint64_t> ids;
  for (const auto& [id, salvo] : salvos_) {
    ids.push_back(id);
  }
  for (const uint64_t id : ids) {
    const auto it = salvos_.find(id);
    if (it == salvos_.end()) {
      continue;
    }
    Salvo& salvo = *it->second;
    if (salvo.phase == Salvo::Phase::Unlocking) {
      continue;
    }
    // The router's update is the truth: an output showing the requested input is applied,
    // even before the ACK.
    bool covers_all = true;
    for (size_t i = 0; i < salvo.results.size(); ++i) {
      if (!salvo.pending[i]) {
        continue;
      }
      const uint32_t wire_output = salvo.results[i].output - 1;
      if (std::none_of(block.routes.begin(), block.routes.end(),
                       [&](const vh::Route& r) { return r.destination == wire_output; })) {
        covers_all = false;
      }
    }
    confirmFromState(salvo, salvo.phase == Salvo::Phase::Dumping && covers_all);
    finishIfDone(id);
  }
}

void VideohubClient::Impl::onLocksChanged() {
  std::vector<uint64_t> ids;
  for (const auto& [id, salvo] : salvos_) {
    if (salvo->phase == Salvo::Phase::Unlocking) {
      ids.push_back(id);
    }
  }
  for (const uint64_t id : ids) {
    const auto it = salvos_.find(id);
    if (it != salvos_.end()) {
      checkUnlocked(*it->second, false);
      finishIfDone(id);
    }
  }
}

void VideohubClient::Impl::checkUnlocked(Salvo& salvo, bool final) {
  auto& unlocking = salvo.unlocking;
  unlocking.erase(std::remove_if(unlocking.begin(), unlocking.end(),
                                 [&](uint32_t output) {
                                   return state_.lockOf(output) != LockState::LockedByOther;
                                 }),
                  unlocking.end());
  if (final) {
    for (size_t i = 0; i < salvo.results.size(); ++i) {
      if (std::find(unlocking.begin(), unlocking.end(), salvo.results[i].output) !=
          unlocking.end()) {
        settle(salvo, i, RouteOutcome::Refused, "unlock_timeout");
      }
    }
    unlocking.clear();
  }
  if (unlocking.empty()) {
    salvo.timer.cancel();
    sendSalvoRoutes(salvo);
  }
}

void VideohubClient::Impl::onSuperseded(const std::vector<Superseded>& superseded) {
  for (const auto& taken : superseded) {
    const auto link = request_salvo_.find(taken.request_id);
    if (link == request_salvo_.end()) {
      continue;
    }
    const uint64_t salvo_id = link->second;
    if (taken.whole_request) {
      request_salvo_.erase(link);
    }
    const auto it = salvos_.find(salvo_id);
    if (it == salvos_.end()) {
      continue;
    }
    Salvo& salvo = *it->second;
    for (size_t i = 0; i < salvo.results.size(); ++i) {
      if (std::find(taken.outputs.begin(), taken.outputs.end(), salvo.results[i].output - 1) !=
          taken.outputs.end()) {
        settle(salvo, i, RouteOutcome::Unconfirmed, "superseded");
      }
    }
    finishIfDone(salvo_id);
  }
}

void VideohubClient::Impl::failSalvos(const char* reason) {
  std::vector<uint64_t> ids;
  for (auto& [id, salvo] : salvos_) {
    for (size_t i = 0; i < salvo->results.size(); ++i) {
      settle(*salvo, i, RouteOutcome::Unconfirmed, reason);
    }
    ids.push_back(id);
  }
  for (const uint64_t id : ids) {
    finishIfDone(id);
  }
}

void VideohubClient::Impl::settle(Salvo& salvo, size_t i, RouteOutcome outcome,
                                  const std::string& reason) {
  if (!salvo.pending[i]) {
    return;
  }
  salvo.pending[i] = false;
  RouteResult& result = salvo.results[i];
  result.outcome = outcome;
  result.reason = reason;
  if (outcome == RouteOutcome::Refused) {
    ++stats_.refused_outputs;
    log_->warn("router {} refused output {} <- input {}: {}", endpointText(), result.output,
               result.input, reason);
  } else if (outcome == RouteOutcome::Unconfirmed) {
    log_->warn("router {} did not confirm output {} <- input {}: {}", endpointText(), result.output,
               result.input, reason);
  }
}

void VideohubClient::Impl::finishIfDone(uint64_t salvo_id) {
  const auto it = salvos_.find(salvo_id);
  if (it == salvos_.end()) {
    return;
  }
  Salvo& salvo = *it->second;
  if (std::any_of(salvo.pending.begin(), salvo.pending.end(), [](bool p) { return p; })) {
    return;
  }
  salvo.timer.cancel();
  // Called later, on the io thread, so a callback never runs inside our own bookkeeping
  // (it may start another salvo).
  asio::post(io_, [callback = std::move(salvo.callback), results = std::move(salvo.results)] {
    if (callback) {
      callback(results);
    }
  });
  salvos_.erase(it);
}

}  // namespace failover::videohub_client
