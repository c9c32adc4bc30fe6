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
  waiting_.push_back(Entry{next_seq_++, std::move(message)});
  if (waiting_.back().message.retain) {
    retained_waiting_[waiting_.back().message.topic] = std::prev(waiting_.end());
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
  const bool needs_ack = waiting_.front().message.qos > 0;
  if (needs_ack && in_flight_.size() >= window_) {
    return std::nullopt;
  }
  forgetRetained(waiting_.begin());
  Entry entry = std::move(waiting_.front());
  waiting_.pop_front();
  Dispatch dispatch;
  if (needs_ack) {
    dispatch.id = next_id_++;
    dispatch.message = entry.message;
    in_flight_.emplace(dispatch.id, std::move(entry));
  } else {
    dispatch.message = std::move(entry.message);
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
  Entry entry = std::move(found->second);
  in_flight_.erase(found);
  ++stats_.resent;
  requeue(std::move(entry));
}

void Outbox::connectionLost() {
  std::map<uint64_t, Entry> lost;
  lost.swap(in_flight_);
  for (auto& [id, entry] : lost) {
    ++stats_.resent;
    requeue(std::move(entry));
  }
}

void Outbox::requeue(Entry entry) {
  if (entry.message.retain) {
    if (const auto waiting = retained_waiting_.find(entry.message.topic);
        waiting != retained_waiting_.end()) {
      ++stats_.conflated;
      if (waiting->second->seq > entry.seq) {
        return;  // a newer value of this retained topic already waits: the old one is moot
      }
      waiting_.erase(waiting->second);
      retained_waiting_.erase(waiting);
    }
  }
  // Messages given back are old, so their place is near the front.
  const auto place = std::find_if(waiting_.begin(), waiting_.end(),
                                  [&](const Entry& other) { return other.seq > entry.seq; });
  const auto inserted = waiting_.insert(place, std::move(entry));
  if (inserted->message.retain) {
    retained_waiting_[inserted->message.topic] = inserted;
  }
}

void Outbox::forgetRetained(const Queue::iterator& position) {
  if (!position->message.retain) {
    return;
  }
  const auto entry = retained_waiting_.find(position->message.topic);
  if (entry != retained_waiting_.end() && entry->second == position) {
    retained_waiting_.erase(entry);
  }
}

bool Outbox::dropOldestNonRetained() {
  const auto oldest = std::find_if(waiting_.begin(), waiting_.end(),
                                   [](const Entry& entry) { return !entry.message.retain; });
  if (oldest == waiting_.end()) {
    return false;  // only retained topics wait: bounded by the number of topics
  }
  waiting_.erase(oldest);
  ++stats_.dropped;
  return true;
}

}  // namespace failover::mqtt
