#include "failover/videohub_client/send_queue.h"

#include <algorithm>

#include "failover/videohub/block_encoder.h"

namespace failover::videohub_client {

namespace vh = videohub;

namespace {

std::vector<uint32_t> outputsOf(const vh::Block& block) {
  std::vector<uint32_t> outputs;
  if (const auto* routing = std::get_if<vh::RoutingBlock>(&block)) {
    for (const auto& route : routing->routes) {
      outputs.push_back(route.destination);
    }
  }
  return outputs;
}

}  // namespace

uint64_t SendQueue::push(RequestKind kind, vh::Block block, std::vector<Superseded>* superseded) {
  if (kind == RequestKind::Route) {
    const std::vector<uint32_t> targets = outputsOf(block);
    const auto family = std::get<vh::RoutingBlock>(block).destination;
    for (auto it = queue_.begin(); it != queue_.end();) {
      auto* older = std::get_if<vh::RoutingBlock>(&it->block);
      if (it->kind != RequestKind::Route || older == nullptr || older->destination != family) {
        ++it;
        continue;
      }
      Superseded taken{it->id, {}, false};
      auto& routes = older->routes;
      routes.erase(std::remove_if(routes.begin(), routes.end(),
                                  [&](const vh::Route& route) {
                                    const bool stale =
                                        std::find(targets.begin(), targets.end(),
                                                  route.destination) != targets.end();
                                    if (stale) {
                                      taken.outputs.push_back(route.destination);
                                    }
                                    return stale;
                                  }),
                   routes.end());
      if (taken.outputs.empty()) {
        ++it;
        continue;
      }
      taken.whole_request = routes.empty();
      if (superseded != nullptr) {
        superseded->push_back(taken);
      }
      if (taken.whole_request) {
        it = queue_.erase(it);
      } else {
        it->bytes = vh::encodeBlock(it->block);
        ++it;
      }
    }
  }
  if (kind == RequestKind::Labels) {
    // Only the newest label block is worth sending: it was planned from a newer mirror.
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                                [](const Request& r) { return r.kind == RequestKind::Labels; }),
                 queue_.end());
  }
  Request request;
  request.id = next_id_++;
  request.kind = kind;
  request.bytes = vh::encodeBlock(block);
  request.block = std::move(block);
  const uint64_t id = request.id;
  // Everything else goes ahead of label blocks that have not left yet.
  auto position = queue_.end();
  if (kind != RequestKind::Labels) {
    position = std::find_if(queue_.begin(), queue_.end(),
                            [](const Request& r) { return r.kind == RequestKind::Labels; });
  }
  queue_.insert(position, std::move(request));
  return id;
}

const Request* SendQueue::startNext() {
  if (in_flight_ || queue_.empty()) {
    return nullptr;
  }
  in_flight_ = std::move(queue_.front());
  queue_.pop_front();
  auto* merged = std::get_if<vh::RoutingBlock>(&in_flight_->block);
  if (in_flight_->kind != RequestKind::Route || merged == nullptr) {
    return &*in_flight_;
  }
  // Their outputs are disjoint: a newer request already took shared outputs from older ones.
  while (!queue_.empty() && queue_.front().kind == RequestKind::Route) {
    const auto* next = std::get_if<vh::RoutingBlock>(&queue_.front().block);
    if (next == nullptr || next->destination != merged->destination) {
      break;
    }
    merged->routes.insert(merged->routes.end(), next->routes.begin(), next->routes.end());
    in_flight_->merged_ids.push_back(queue_.front().id);
    queue_.pop_front();
  }
  if (!in_flight_->merged_ids.empty()) {
    in_flight_->bytes = vh::encodeBlock(in_flight_->block);
  }
  return &*in_flight_;
}

bool SendQueue::hasQueuedPing() const {
  if (in_flight_ && in_flight_->kind == RequestKind::Ping) {
    return true;
  }
  return std::any_of(queue_.begin(), queue_.end(),
                     [](const Request& r) { return r.kind == RequestKind::Ping; });
}

std::optional<Request> SendQueue::resolve(Reply /*reply*/) {
  if (!in_flight_) {
    return std::nullopt;
  }
  std::optional<Request> done = std::move(in_flight_);
  in_flight_.reset();
  return done;
}

std::vector<Request> SendQueue::failAll() {
  std::vector<Request> failed;
  if (in_flight_) {
    failed.push_back(std::move(*in_flight_));
    in_flight_.reset();
  }
  for (auto& request : queue_) {
    failed.push_back(std::move(request));
  }
  queue_.clear();
  return failed;
}

}  // namespace failover::videohub_client
