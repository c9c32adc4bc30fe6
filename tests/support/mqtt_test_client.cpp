#include "support/mqtt_test_client.h"

#include <unistd.h>

#include <stdexcept>

#include <sys/wait.h>

namespace failover::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Published by a confirming subscriber until it comes back; never shown to readers.
constexpr const char* kMarkerTopic = "test/subscriber/marker";

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : 0ms;
}

// Runs mosquitto_pub `arguments` (after the endpoint's) and waits for it to exit.
bool runPublisher(const MqttEndpoint& endpoint, const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{kMosquittoPub};
  const auto broker = endpoint.arguments();
  argv.insert(argv.end(), broker.begin(), broker.end());
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  ChildProcess publisher(std::move(argv));
  const auto status = publisher.waitForExit(5000ms);
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

}  // namespace

bool mosquittoClientsAvailable() {
  return ::access(kMosquittoPub, X_OK) == 0 && ::access(kMosquittoSub, X_OK) == 0;
}

std::vector<std::string> MqttEndpoint::arguments() const {
  std::vector<std::string> arguments{"-h", "127.0.0.1", "-p", std::to_string(port)};
  if (!ca_file.empty()) {
    arguments.insert(arguments.end(), {"--cafile", ca_file.string()});
  }
  if (!cert_file.empty()) {
    arguments.insert(arguments.end(), {"--cert", cert_file.string()});
  }
  if (!key_file.empty()) {
    arguments.insert(arguments.end(), {"--key", key_file.string()});
  }
  return arguments;
}

bool publishMessage(const MqttEndpoint& endpoint, const std::string& topic,
                    const std::string& payload, bool retain) {
  return publishMessage(endpoint, topic, payload, MqttPublishOptions{retain});
}

bool publishMessage(const MqttEndpoint& endpoint, const std::string& topic,
                    const std::string& payload, const MqttPublishOptions& options) {
  std::vector<std::string> arguments{"-q", "1", "-t", topic, "-m", payload};
  if (options.retain) {
    arguments.push_back("-r");
  }
  if (!options.user_properties.empty()) {
    arguments.insert(arguments.end(), {"-V", "mqttv5"});
  }
  for (const auto& [name, value] : options.user_properties) {
    arguments.insert(arguments.end(), {"-D", "publish", "user-property", name, value});
  }
  return runPublisher(endpoint, arguments);
}

bool publishFile(const MqttEndpoint& endpoint, const std::string& topic,
                 const std::filesystem::path& file) {
  return runPublisher(endpoint, {"-q", "1", "-t", topic, "-f", file.string()});
}

bool LinePublishers::publish(const std::string& topic, const std::string& payload) {
  auto& publisher = publishers_[topic];
  if (!publisher) {
    std::vector<std::string> argv{kMosquittoPub};
    const auto broker = endpoint_.arguments();
    argv.insert(argv.end(), broker.begin(), broker.end());
    argv.insert(argv.end(), {"-q", "0", "-t", topic, "-l"});
    publisher = std::make_unique<ChildProcess>(std::move(argv));
  }
  return publisher->writeLine(payload);
}

std::optional<std::string> readOnePayload(const MqttEndpoint& endpoint, const std::string& topic) {
  MqttSubscription subscription;
  subscription.filters = {topic};
  subscription.count = 1;
  subscription.timeout_s = 5;
  MqttSubscriber subscriber(endpoint, subscription);
  auto payload = subscriber.nextPayload(6000ms);
  // After -C 1 it leaves by itself. Terminating it instead, while it closes a TLS session,
  // sometimes leaves it hanging until it is killed, seconds later.
  subscriber.process().waitForExit(3000ms);
  return payload;
}

std::vector<std::string> subscriberCommand(const MqttEndpoint& endpoint,
                                           const MqttSubscription& subscription) {
  std::vector<std::string> argv{kMosquittoSub};
  const auto broker = endpoint.arguments();
  argv.insert(argv.end(), broker.begin(), broker.end());
  argv.insert(argv.end(), {"-q", std::to_string(subscription.qos), "-F", "%r %t %p"});
  if (!subscription.persistent_client_id.empty()) {
    argv.insert(argv.end(), {"-i", subscription.persistent_client_id, "-c"});
  }
  if (subscription.count > 0) {
    argv.insert(argv.end(), {"-C", std::to_string(subscription.count)});
  }
  if (subscription.timeout_s > 0) {
    argv.insert(argv.end(), {"-W", std::to_string(subscription.timeout_s)});
  }
  for (const auto& filter : subscription.filters) {
    argv.insert(argv.end(), {"-t", filter});
  }
  if (subscription.confirm) {
    argv.insert(argv.end(), {"-t", kMarkerTopic});
  }
  return argv;
}

std::optional<MqttMessage> parseSubscriberLine(const std::string& line) {
  const auto first = line.find(' ');
  const auto second = first == std::string::npos ? first : line.find(' ', first + 1);
  if (second == std::string::npos) {
    return std::nullopt;
  }
  MqttMessage message;
  message.retained = line.substr(0, first) == "1";
  message.topic = line.substr(first + 1, second - first - 1);
  message.payload = line.substr(second + 1);
  return message;
}

MqttSubscriber::MqttSubscriber(const MqttEndpoint& endpoint, MqttSubscription subscription)
    : process_(subscriberCommand(endpoint, subscription)) {
  if (subscription.confirm) {
    confirmSubscription(endpoint);
  }
}

MqttSubscriber::MqttSubscriber(uint16_t port, std::vector<std::string> filters)
    : MqttSubscriber(MqttEndpoint{port}, MqttSubscription{std::move(filters)}) {}

void MqttSubscriber::confirmSubscription(const MqttEndpoint& endpoint) {
  // mosquitto_sub says nothing when its subscription is in place: publish markers until one
  // comes back (bounded).
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (!publishMessage(endpoint, kMarkerTopic, "ready")) {
      throw std::runtime_error(std::string("mosquitto_pub failed for ") + kMarkerTopic);
    }
    const auto deadline = Clock::now() + 250ms;
    while (!marker_seen_ && readOne(deadline)) {
    }
    if (marker_seen_) {
      return;
    }
  }
  throw std::runtime_error("mosquitto_sub did not come up");
}

bool MqttSubscriber::readOne(Clock::time_point deadline) {
  auto line = process_.readLine(remaining(deadline));
  if (!line) {
    return false;
  }
  auto message = parseSubscriberLine(*line);
  if (!message) {
    return true;  // not a message (the rest of a payload with a newline): read, skipped
  }
  if (message->topic == kMarkerTopic) {
    marker_seen_ = true;
    return true;
  }
  latest_[message->topic] = message->payload;
  history_.push_back(std::move(*message));
  return true;
}

std::optional<MqttMessage> MqttSubscriber::next(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (next_ >= history_.size()) {
    if (!readOne(deadline)) {
      return std::nullopt;
    }
  }
  return history_[next_++];
}

std::optional<std::string> MqttSubscriber::nextPayload(std::chrono::milliseconds timeout) {
  auto message = next(timeout);
  if (!message) {
    return std::nullopt;
  }
  return std::move(message->payload);
}

std::optional<MqttMessage> MqttSubscriber::waitFor(const std::string& topic, const Match& match,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto message = next(std::max(remaining(deadline), 1ms));
    if (!message) {
      return std::nullopt;
    }
    if (message->topic == topic && match(*message)) {
      return message;
    }
  }
  return std::nullopt;
}

std::optional<MqttMessage> MqttSubscriber::waitForPayload(const std::string& topic,
                                                          const std::string& payload,
                                                          std::chrono::milliseconds timeout) {
  return waitFor(
      topic, [&](const MqttMessage& message) { return message.payload == payload; }, timeout);
}

bool MqttSubscriber::waitForAll(std::set<std::pair<std::string, std::string>> wanted,
                                std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!wanted.empty() && Clock::now() < deadline) {
    const auto message = next(std::max(remaining(deadline), 1ms));
    if (!message) {
      return false;
    }
    wanted.erase({message->topic, message->payload});
  }
  return wanted.empty();
}

std::optional<std::string> MqttSubscriber::latest(const std::string& topic) const {
  const auto found = latest_.find(topic);
  if (found == latest_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::optional<std::string> MqttSubscriber::waitLatest(const std::string& topic,
                                                      const PayloadMatch& match,
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

std::optional<std::string> MqttSubscriber::waitLatestEquals(const std::string& topic,
                                                            const std::string& payload,
                                                            std::chrono::milliseconds timeout) {
  return waitLatest(
      topic, [&](const std::string& value) { return value == payload; }, timeout);
}

std::optional<std::string> MqttSubscriber::waitAfter(size_t from, const std::string& topic,
                                                     const PayloadMatch& match,
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

std::vector<std::string> MqttSubscriber::collect(size_t from, const std::string& topic,
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

}  // namespace failover::testing
