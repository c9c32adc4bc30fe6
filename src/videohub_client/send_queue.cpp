#include "failover/videohub_client/send_queue.h"

#include <algorithm>

#include "failover/videohub/block_encoder.h"

namespace failover::videohub_client {

namespace vh = videohub;

uint64_t SendQueue::push(RequestKind kind, vh::Block block) {
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
  while (!queue_.empty() && queue_.front().kind == RequestKind::Route) {
    const auto* next = std::get_if<vh::RoutingBlock>(&queue_.front().block);
    if (next == nullptr || next->destination != merged->destination ||
        std::any_of(next->routes.begin(), next->routes.end(), [&](const vh::Route& route) {
          return std::any_of(
              merged->routes.begin(), merged->routes.end(),
              [&](const vh::Route& taken) { return taken.destination == route.destination; });
        })) {
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
