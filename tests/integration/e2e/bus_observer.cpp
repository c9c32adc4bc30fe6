#include "bus_observer.h"

#include <stdexcept>

#include "bus_tools.h"

namespace failover::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kMarkerTopic = "e2e/observer/marker";

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : 0ms;
}

}  // namespace

BusObserver::BusObserver(uint16_t port, std::vector<std::string> filters) : port_(port) {
  std::vector<std::string> argv{kMosquittoSub, "-h", "127.0.0.1", "-p",   std::to_string(port),
                                "-q",          "1",  "-F",        "%t %p"};
  filters.push_back(kMarkerTopic);
  for (const auto& filter : filters) {
    argv.push_back("-t");
    argv.push_back(filter);
  }
  process_ = std::make_unique<testing::ChildProcess>(argv);
  // mosquitto_sub says nothing when its subscription is in place: publish markers until one
  // comes back (bounded).
  for (int attempt = 0; attempt < 20; ++attempt) {
    publishOnce(port_, kMarkerTopic, "ready", false);
    const auto found = waitAfter(
        0, kMarkerTopic, [](const std::string&) { return true; }, 250ms);
    if (found) {
      return;
    }
  }
  throw std::runtime_error("mosquitto_sub did not come up");
}

bool BusObserver::readOne(Clock::time_point deadline) {
  auto line = process_->readLine(remaining(deadline));
  if (!line) {
    return false;
  }
  BusLine parsed;
  const auto space = line->find(' ');
  parsed.topic = line->substr(0, space);
  if (space != std::string::npos) {
    parsed.payload = line->substr(space + 1);
  }
  latest_[parsed.topic] = parsed.payload;
  history_.push_back(std::move(parsed));
  return true;
}

std::optional<std::string> BusObserver::latest(const std::string& topic) const {
  const auto found = latest_.find(topic);
  if (found == latest_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::optional<std::string> BusObserver::waitLatest(const std::string& topic, const Match& match,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto value = latest(topic); value && match(*value)) {
      return value;
    }
    if (Clock::now() >= deadline || !readOne(deadline)) {
      return std::nullopt;
    }
  }
}

std::optional<std::string> BusObserver::waitLatestEquals(const std::string& topic,
                                                         const std::string& payload,
                                                         std::chrono::milliseconds timeout) {
  return waitLatest(
      topic, [&](const std::string& value) { return value == payload; }, timeout);
}

std::optional<std::string> BusObserver::waitAfter(size_t from, const std::string& topic,
                                                  const Match& match,
                                                  std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  size_t next = from;
  while (true) {
    for (; next < history_.size(); ++next) {
      if (history_[next].topic == topic && match(history_[next].payload)) {
        return history_[next].payload;
      }
    }
    if (Clock::now() >= deadline || !readOne(deadline)) {
      return std::nullopt;
    }
  }
}

std::vector<std::string> BusObserver::collect(size_t from, const std::string& topic,
                                              std::chrono::milliseconds window) {
  const auto deadline = Clock::now() + window;
  while (Clock::now() < deadline) {
    readOne(deadline);
  }
  std::vector<std::string> found;
  for (size_t i = from; i < history_.size(); ++i) {
    if (history_[i].topic == topic) {
      found.push_back(history_[i].payload);
    }
  }
  return found;
}

}  // namespace failover::e2e
