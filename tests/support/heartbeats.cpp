#include "support/heartbeats.h"

#include <algorithm>
#include <stdexcept>

namespace failover::testing {

Heartbeats::Heartbeats(std::vector<std::string> machines, Send send, Options options)
    : send_(std::move(send)), period_(options.period) {
  for (const char* check : kChecks) {
    for (const auto& machine : machines) {
      Source source;
      source.machine = machine;
      source.check = check;
      source.topic = "render/" + machine + "/" + check;
      source.payload = options.payload;
      sources_.push_back(std::move(source));
    }
  }
}

Heartbeats::~Heartbeats() {
  stop();
}

void Heartbeats::start() {
  stop();
  running_ = true;
  thread_ = std::thread([this] { beat(); });
}

void Heartbeats::stop() {
  running_ = false;
  if (thread_.joinable()) {
    thread_.join();
  }
}

Heartbeats::Source& Heartbeats::source(const std::string& machine, const std::string& check) {
  const auto found = std::find_if(sources_.begin(), sources_.end(), [&](const Source& source) {
    return source.machine == machine && source.check == check;
  });
  if (found == sources_.end()) {
    throw std::out_of_range("no heartbeat " + machine + "/" + check);
  }
  return *found;
}

void Heartbeats::set(const std::string& machine, const std::string& check,
                     const std::string& payload) {
  std::lock_guard lock(mutex_);
  auto& found = source(machine, check);
  found.payload = payload;
  found.silent = false;
}

void Heartbeats::silence(const std::string& machine, const std::string& check) {
  std::lock_guard lock(mutex_);
  source(machine, check).silent = true;
}

Heartbeats::Clock::time_point Heartbeats::silence(const std::vector<Check>& checks) {
  std::lock_guard lock(mutex_);
  Clock::time_point last{};
  for (const auto& [machine, check] : checks) {
    auto& found = source(machine, check);
    found.silent = true;
    last = std::max(last, found.last_sent);
  }
  return last;
}

void Heartbeats::resume(const std::vector<Check>& checks) {
  std::lock_guard lock(mutex_);
  for (const auto& [machine, check] : checks) {
    source(machine, check).silent = false;
  }
}

void Heartbeats::beat() {
  auto next = Clock::now();
  while (running_) {
    {
      std::lock_guard lock(mutex_);
      for (auto& source : sources_) {
        if (!source.silent) {
          send_(source.topic, source.payload);
          source.last_sent = Clock::now();
        }
      }
    }
    // One round a period, as the agents publish; a round that took longer than a period is
    // followed at once by the next, not by a burst of the missed ones.
    next = std::max(next + period_, Clock::now());
    std::this_thread::sleep_until(next);
  }
}

}  // namespace failover::testing
