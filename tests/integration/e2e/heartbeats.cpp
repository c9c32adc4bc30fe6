#include "heartbeats.h"

#include <chrono>

#include "support/mqtt_test_client.h"

namespace failover::e2e {
namespace {

constexpr std::chrono::milliseconds kBeatInterval{100};
constexpr const char* kChecks[] = {"engine", "videoio", "network"};

}  // namespace

Heartbeats::Heartbeats(uint16_t port, std::vector<std::string> machines) : port_(port) {
  for (const auto& machine : machines) {
    for (const char* check : kChecks) {
      Source source;
      source.topic = "render/" + machine + "/" + check;
      source.payload = kOk;
      sources_[machine + "/" + check] = std::move(source);
    }
  }
}

Heartbeats::~Heartbeats() {
  stop();
}

void Heartbeats::start() {
  stop();
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, source] : sources_) {
      source.publisher = std::make_unique<testing::ChildProcess>(
          std::vector<std::string>{testing::kMosquittoPub, "-h", "127.0.0.1", "-p",
                                   std::to_string(port_), "-q", "0", "-t", source.topic, "-l"});
    }
  }
  running_ = true;
  thread_ = std::thread([this] { beat(); });
}

void Heartbeats::stop() {
  running_ = false;
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  for (auto& [key, source] : sources_) {
    source.publisher.reset();
  }
}

void Heartbeats::set(const std::string& machine, const std::string& check,
                     const std::string& payload) {
  std::lock_guard lock(mutex_);
  auto& source = sources_.at(machine + "/" + check);
  source.payload = payload;
  source.silent = false;
}

void Heartbeats::silence(const std::string& machine, const std::string& check) {
  std::lock_guard lock(mutex_);
  sources_.at(machine + "/" + check).silent = true;
}

void Heartbeats::beat() {
  auto next = std::chrono::steady_clock::now();
  while (running_) {
    {
      std::lock_guard lock(mutex_);
      for (auto& [key, source] : sources_) {
        if (!source.silent && source.publisher) {
          source.publisher->writeLine(source.payload);
        }
      }
    }
    next += kBeatInterval;
    std::this_thread::sleep_until(next);  // the agents' own publishing period
  }
}

}  // namespace failover::e2e
