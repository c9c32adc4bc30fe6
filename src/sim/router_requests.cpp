// RouterModel: the protocol's rules for request blocks from clients (routing, labels, locks,
// dump requests, PING, and what gets NAK).

#include <map>
#include <type_traits>
#include <utility>

#include "failover/sim/router_model.h"

namespace failover::sim {

using videohub::Block;
using videohub::DevicePresence;
using videohub::LockState;
using videohub::PortKind;

RequestOutcome RouterModel::answer(LineCount count, Change change) const {
  RequestOutcome outcome;
  // A block in which nothing could be applied is refused; one good line makes it an ACK.
  if (count.applied == 0 && count.refused > 0 && settings_.refusal_reply == RefusalReply::Nak) {
    outcome.ack = false;
    return outcome;
  }
  outcome.change = std::move(change);
  return outcome;
}

RequestOutcome RouterModel::applyLabels(const videohub::LabelsBlock& block) {
  auto& labels = block.port == PortKind::VideoInput ? input_labels_ : output_labels_;
  std::map<uint32_t, std::string> changed;
  LineCount count;
  for (const auto& label : block.labels) {
    if (label.index >= labels.size()) {
      ++count.refused;
      continue;
    }
    ++count.applied;
    if (labels[label.index] != label.text) {
      labels[label.index] = label.text;
      changed[label.index] = label.text;
    }
  }
  Change change;
  auto& target = block.port == PortKind::VideoInput ? change.input_labels : change.output_labels;
  for (auto& [index, text] : changed) {
    target.push_back({index, std::move(text)});
  }
  return answer(count, std::move(change));
}

RequestOutcome RouterModel::applyRouting(const videohub::RoutingBlock& block,
                                         std::string_view client_ip) {
  std::map<uint32_t, uint32_t> before;
  LineCount count;
  for (const auto& route : block.routes) {
    const bool in_range = route.destination < settings_.outputs && route.source < settings_.inputs;
    if (!in_range || lockSeenBy(route.destination, client_ip) == LockState::LockedByOther) {
      ++count.refused;
      continue;
    }
    ++count.applied;
    before.try_emplace(route.destination, routes_[route.destination]);
    routes_[route.destination] = route.source;
  }
  Change change;
  for (const auto& [output, old_input] : before) {
    // Routing an output to its current source changes nothing and is not echoed.
    if (routes_[output] != old_input) {
      change.routes.push_back({output, routes_[output]});
    }
  }
  return answer(count, std::move(change));
}

RequestOutcome RouterModel::applyLocks(const videohub::LocksBlock& block,
                                       std::string_view client_ip) {
  std::map<uint32_t, std::string> before;
  LineCount count;
  for (const auto& lock : block.locks) {
    if (lock.index >= settings_.outputs) {
      ++count.refused;
      continue;
    }
    auto& owner = lock_owner_[lock.index];
    const std::string previous = owner;
    const bool foreign = !owner.empty() && owner != client_ip;
    switch (lock.state) {
      case LockState::Owned:  // take
        if (foreign) {
          ++count.refused;
          continue;
        }
        owner = std::string(client_ip);
        break;
      case LockState::Unlocked:  // release my own
        if (foreign) {
          ++count.refused;
          continue;
        }
        owner.clear();
        break;
      case LockState::ForceUnlock:  // release anyone's
        owner.clear();
        break;
      case LockState::LockedByOther:  // a server-only code
        ++count.refused;
        continue;
    }
    ++count.applied;
    before.try_emplace(lock.index, previous);
  }
  Change change;
  for (const auto& [output, previous] : before) {
    if (lock_owner_[output] != previous) {
      change.locks.push_back(output);
    }
  }
  return answer(count, std::move(change));
}

RequestOutcome RouterModel::dumpAnswer(const Block& block) const {
  RequestOutcome outcome;
  appendBlock(block, outcome.dump);
  return outcome;
}

RequestOutcome RouterModel::handleRequest(const Block& request, bool malformed,
                                          std::string_view client_ip) {
  RequestOutcome refused;
  refused.ack = false;
  if (malformed) {
    return refused;
  }
  const bool present = settings_.presence == DevicePresence::Present;
  return std::visit(
      [&](const auto& block) -> RequestOutcome {
        using T = std::decay_t<decltype(block)>;
        if constexpr (std::is_same_v<T, videohub::PingBlock>) {
          return answer({1, 0}, {});
        } else if constexpr (std::is_same_v<T, videohub::PreambleBlock>) {
          if (!block.version.empty()) {
            return refused;
          }
          return dumpAnswer(videohub::PreambleBlock{settings_.protocol_version});
        } else if constexpr (std::is_same_v<T, videohub::DeviceBlock>) {
          // Only "VIDEOHUB DEVICE:" with an empty body (a dump request) makes sense here.
          if (block != videohub::DeviceBlock{}) {
            return refused;
          }
          return dumpAnswer(deviceBlock());
        } else if constexpr (std::is_same_v<T, videohub::LabelsBlock>) {
          if (!present ||
              (block.port != PortKind::VideoInput && block.port != PortKind::VideoOutput)) {
            return refused;
          }
          if (block.labels.empty()) {
            return dumpAnswer(labelsBlock(block.port));
          }
          return applyLabels(block);
        } else if constexpr (std::is_same_v<T, videohub::RoutingBlock>) {
          if (!present || block.destination != PortKind::VideoOutput) {
            return refused;
          }
          if (block.routes.empty()) {
            return dumpAnswer(routingBlock());
          }
          return applyRouting(block, client_ip);
        } else if constexpr (std::is_same_v<T, videohub::LocksBlock>) {
          if (!present || block.port != PortKind::VideoOutput) {
            return refused;
          }
          if (block.locks.empty()) {
            return dumpAnswer(locksBlock(client_ip));
          }
          return applyLocks(block, client_ip);
        } else if constexpr (std::is_same_v<T, videohub::ConfigurationBlock>) {
          if (!present) {
            return refused;
          }
          if (!block.take_mode) {
            return dumpAnswer(videohub::ConfigurationBlock{false});
          }
          // Take mode concerns the front panel only; accepted and left as it is.
          return answer({1, 0}, {});
        } else if constexpr (std::is_same_v<T, videohub::TakeModeBlock>) {
          if (!present) {
            return refused;
          }
          if (block.outputs.empty()) {
            videohub::TakeModeBlock all;
            for (uint32_t o = 0; o < settings_.outputs; ++o) {
              all.outputs.push_back({o, false});
            }
            return dumpAnswer(all);
          }
          return answer({1, 0}, {});
        } else {
          // Unknown headers, and blocks only a server sends (ACK, NAK, END PRELUDE).
          return refused;
        }
      },
      request);
}

}  // namespace failover::sim
