#include "failover/mqtt/outbox.h"

#include <algorithm>
#include <utility>

namespace failover::mqtt {

Outbox::Outbox(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

bool Outbox::push(OutgoingMessage message) {
  if (message.retain) {
    if (const auto older = retained_waiting_.find(message.topic);
        older != retained_waiting_.end()) {
      waiting_.erase(older->second);
      retained_waiting_.erase(older);
      ++stats_.conflated;
    }
  }
  waiting_.push_back(std::move(message));
  if (waiting_.back().retain) {
    retained_waiting_[waiting_.back().topic] = std::prev(waiting_.end());
  }
  if (waiting_.size() > capacity_) {
    return !dropOldestNonRetained();
  }
  return true;
}

void Outbox::setWindow(std::size_t window) {
  window_ = std::max<std::size_t>(window, 1);
}

std::optional<Dispatch> Outbox::next() {
  if (waiting_.empty()) {
    return std::nullopt;
  }
  const bool needs_ack = waiting_.front().qos > 0;
  if (needs_ack && in_flight_.size() >= window_) {
    return std::nullopt;
  }
  forgetRetained(waiting_.begin());
  Dispatch dispatch;
  dispatch.message = std::move(waiting_.front());
  waiting_.pop_front();
  if (needs_ack) {
    dispatch.id = next_id_++;
    in_flight_.emplace(dispatch.id, dispatch.message);
  }
  return dispatch;
}

void Outbox::acknowledge(uint64_t id) {
  in_flight_.erase(id);
}

void Outbox::giveBack(uint64_t id) {
  const auto found = in_flight_.find(id);
  if (found == in_flight_.end()) {
    return;
  }
  std::vector<OutgoingMessage> message;
  message.push_back(std::move(found->second));
  in_flight_.erase(found);
  requeueAtFront(std::move(message));
}

void Outbox::connectionLost() {
  std::vector<OutgoingMessage> messages;
  messages.reserve(in_flight_.size());
  for (auto& [id, message] : in_flight_) {
    messages.push_back(std::move(message));
  }
  in_flight_.clear();
  stats_.resent += messages.size();
  requeueAtFront(std::move(messages));
}

void Outbox::requeueAtFront(std::vector<OutgoingMessage> messages) {
  // Back to front, so that the first message ends up first again.
  for (auto message = messages.rbegin(); message != messages.rend(); ++message) {
    if (message->retain && retained_waiting_.count(message->topic) != 0) {
      // A newer value of the same retained topic is already waiting; the old one is moot.
      ++stats_.conflated;
      continue;
    }
    waiting_.push_front(std::move(*message));
    if (waiting_.front().retain) {
      retained_waiting_[waiting_.front().topic] = waiting_.begin();
    }
  }
}

void Outbox::forgetRetained(const Queue::iterator& position) {
  if (!position->retain) {
    return;
  }
  const auto entry = retained_waiting_.find(position->topic);
  if (entry != retained_waiting_.end() && entry->second == position) {
    retained_waiting_.erase(entry);
  }
}

bool Outbox::dropOldestNonRetained() {
  const auto oldest = std::find_if(waiting_.begin(), waiting_.end(),
                                   [](const OutgoingMessage& message) { return !message.retain; });
  if (oldest == waiting_.end()) {
    return false;  // only retained topics wait: bounded by the number of topics
  }
  waiting_.erase(oldest);
  ++stats_.dropped;
  return true;
}

}  // namespace failover::mqtt
