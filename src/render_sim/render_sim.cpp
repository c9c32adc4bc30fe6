#include "failover/render_sim/render_sim.h"

#include <unistd.h>

#include <chrono>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "failover/mqtt/paho_message_bus.h"
#include "failover/render_sim/fault_command.h"
#include "tcp_relay.h"

namespace failover::render_sim {
namespace {

using Clock = std::chrono::steady_clock;

// Loopback reconnects are cheap; a recovered machine should be back within a few hundred
// milliseconds, not the node's multi-second back-off.
constexpr int kReconnectMinMs = 50;
constexpr int kReconnectMaxMs = 250;
constexpr int kStopTimeoutMs = 1000;
constexpr const char* kControlStateTopic = "render-sim/state";

}  // namespace

class RenderSim::Impl {
 public:
  Impl(asio::io_context& io, RenderSimOptions options, Callbacks callbacks)
      : io_(io),
        options_(std::move(options)),
        callbacks_(std::move(callbacks)),
        timer_(io),
        relay_work_(asio::make_work_guard(relay_io_)) {
    for (const auto& id : options_.machines) {
      states_.push_back(MachineState::healthy(id, options_.mode));
      links_.emplace_back();
    }
  }

  ~Impl() {
    stop();
    relay_work_.reset();
    relay_io_.stop();
    if (relay_thread_.joinable()) {
      relay_thread_.join();
    }
  }

  core::Status start() {
    started_at_ = Clock::now();
    asio::ip::tcp::resolver resolver(relay_io_);
    asio::error_code error;
    const auto results = resolver.resolve(options_.broker_host, options_.broker_port, error);
    if (error || results.empty()) {
      return core::Status::unavailable("cannot resolve broker host '" + options_.broker_host +
                                       "': " + error.message());
    }
    std::vector<asio::ip::tcp::endpoint> upstream;
    for (const auto& entry : results) {
      upstream.push_back(entry.endpoint());
    }
    for (std::size_t i = 0; i < states_.size(); ++i) {
      // Called on the relay thread once a restored link reached the broker again.
      auto on_rejoined = [this, i] {
        asio::post(io_, [this, i] { onRejoined(i); });
      };
      auto relay = std::make_shared<TcpRelay>(relay_io_, upstream, on_rejoined);
      auto port = relay->listen();
      if (!port) {
        return port.status();
      }
      links_[i].relay = relay;
      links_[i].relay_port = *port;
    }
    relay_thread_ = std::thread([this] { relay_io_.run(); });

    // Every client starts connecting now, side by side: Paho C 1.3.12 makes each further
    // client of a process wait about two seconds when they connect one after another.
    for (std::size_t i = 0; i < states_.size(); ++i) {
      if (auto status = startMachineBus(i); !status.isOk()) {
        return status;
      }
    }
    if (auto status = startControlBus(); !status.isOk()) {
      return status;
    }
    scheduleTick(Clock::now());
    return core::Status::ok();
  }

  void execute(const std::string& line) {
    for (const auto& answer : run(line, "")) {
      callbacks_.output(answer);
    }
  }

  void stop() {
    if (stopped_) {
      return;
    }
    stopped_ = true;
    timer_.cancel();
    for (auto& link : links_) {
      if (link.bus) {
        link.bus->stop(kStopTimeoutMs);
      }
    }
    if (control_) {
      control_->stop(kStopTimeoutMs);
    }
    for (auto& link : links_) {
      if (link.relay) {
        link.relay->close();
      }
    }
  }

 private:
  struct Link {
    std::shared_ptr<TcpRelay> relay;
    uint16_t relay_port = 0;
    std::unique_ptr<mqtt::PahoMessageBus> bus;
    bool connected = false;
    bool published = false;  // since the last connect
  };

  mqtt::BusSettings baseSettings() const {
    mqtt::BusSettings settings;
    settings.keepalive_s = 5;
    settings.reconnect_min_ms = kReconnectMinMs;
    settings.reconnect_max_ms = kReconnectMaxMs;
    // Health is periodic: after an outage the next round is what counts, not a backlog.
    settings.max_buffered_messages = 16;
    return settings;
  }

  core::Status startMachineBus(std::size_t index) {
    const std::string& id = states_[index].id;
    auto settings = baseSettings();
    settings.server_uri = "tcp://127.0.0.1:" + std::to_string(links_[index].relay_port);
    settings.client_id = "render-sim-" + id;
    settings.state_topic = expandTopic(options_.topics.status, id);
    ports::BusHandlers handlers;
    handlers.on_connected = [this, index] {
      onMachineConnected(index);
    };
    handlers.on_lost = [this, index](const std::string& cause) {
      links_[index].connected = false;
      links_[index].published = false;
      spdlog::info("{}: MQTT connection lost ({})", states_[index].id, cause);
    };
    links_[index].bus =
        std::make_unique<mqtt::PahoMessageBus>(io_, std::move(settings), std::move(handlers));
    std::string error;
    if (!links_[index].bus->start(error)) {
      return core::Status::unavailable("MQTT client for " + id + ": " + error);
    }
    return core::Status::ok();
  }

  core::Status startControlBus() {
    auto settings = baseSettings();
    settings.server_uri = options_.broker_uri;
    settings.client_id = "render-sim-control-" + std::to_string(::getpid());
    settings.state_topic = kControlStateTopic;
    ports::BusHandlers handlers;
    handlers.on_connected = [this] {
      control_connected_ = true;
      checkReady();
    };
    handlers.on_lost = [this](const std::string&) {
      control_connected_ = false;
    };
    handlers.on_message = [this](const ports::BusMessage& message) {
      onControlMessage(message);
    };
    control_ =
        std::make_unique<mqtt::PahoMessageBus>(io_, std::move(settings), std::move(handlers));
    control_->subscribe(expandTopic(options_.topics.control, "+"),
                        ports::SubscriptionKind::Command);
    std::string error;
    if (!control_->start(error)) {
      return core::Status::unavailable("MQTT control client: " + error);
    }
    return core::Status::ok();
  }

  void onMachineConnected(std::size_t index) {
    if (stopped_) {
      return;
    }
    links_[index].connected = true;
    spdlog::info("{}: connected", states_[index].id);
    publishMachine(index);
    checkReady();
  }

  // The broker fired this machine's will when its link was cut; now it is back.
  void onRejoined(std::size_t index) {
    if (stopped_ || states_[index].dropped) {
      return;
    }
    spdlog::info("{}: back on the broker", states_[index].id);
    links_[index].bus->publish(expandTopic(options_.topics.status, states_[index].id), "online",
                               {1, true, {}});
    publishMachine(index);
  }

  void checkReady() {
    if (ready_ || !control_connected_) {
      return;
    }
    for (const auto& link : links_) {
      if (!link.published) {
        return;
      }
    }
    ready_ = true;
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_at_);
    spdlog::info("{} machines connected and publishing after {} ms", links_.size(),
                 elapsed.count());
    callbacks_.output("ready");
  }

  void scheduleTick(Clock::time_point due) {
    timer_.expires_at(due);
    timer_.async_wait([this, due](asio::error_code error) {
      if (error || stopped_) {
        return;
      }
      for (std::size_t i = 0; i < links_.size(); ++i) {
        publishMachine(i);
      }
      // Drift-free, but never a burst of catch-up rounds after a stall.
      auto next = due + std::chrono::milliseconds(options_.rate_ms);
      if (next < Clock::now()) {
        next = Clock::now() + std::chrono::milliseconds(options_.rate_ms);
      }
      scheduleTick(next);
    });
  }

  void publishMachine(std::size_t index) {
    auto& state = states_[index];
    auto& link = links_[index];
    if (state.dropped || !link.connected || !link.bus) {
      return;
    }
    ++state.seq;
    const auto now = core::WallClock::now();
    const ports::PublishOptions periodic{0, false, {}};
    for (const Check check : kAllChecks) {
      if (state.publishes(check)) {
        link.bus->publish(topicFor(check, state.id), buildPayload(state, check, now), periodic);
      }
    }
    link.published = true;
  }

  std::string topicFor(Check check, const std::string& id) const {
    switch (check) {
      case Check::Engine:
        return expandTopic(options_.topics.engine, id);
      case Check::VideoIo:
        return expandTopic(options_.topics.videoio, id);
      case Check::Network:
        return expandTopic(options_.topics.network, id);
      case Check::Diagnostics:
        return expandTopic(options_.topics.diagnostics, id);
    }
    return {};
  }

  std::vector<std::string> run(const std::string& line, const std::string& topic_machine) {
    auto command = parseFaultCommand(line, topic_machine);
    if (!command) {
      return {"error " + command.status().message()};
    }
    if (!topic_machine.empty() && topic_machine != "all" && !command->machine.empty() &&
        command->machine != topic_machine) {
      return {"error the command names '" + command->machine + "' but was sent to '" +
              topic_machine + "'"};
    }
    auto outcome = applyFaultCommand(*command, states_, [this](const std::string& id) {
      for (std::size_t i = 0; i < states_.size(); ++i) {
        if (states_[i].id == id) {
          return links_[i].connected;
        }
      }
      return false;
    });
    for (const auto& id : outcome.cut) {
      const auto index = indexOf(id);
      spdlog::info("{}: network dropped", id);
      links_[index].relay->cut();
    }
    for (const auto& id : outcome.reconnect) {
      spdlog::info("{}: network restored", id);
      links_[indexOf(id)].relay->restore();
    }
    // Health is published on change as well as periodically.
    if (command->verb != Verb::Status && command->verb != Verb::Help) {
      for (std::size_t i = 0; i < links_.size(); ++i) {
        if (command->machine == "all" || states_[i].id == command->machine) {
          publishMachine(i);
        }
      }
    }
    if (outcome.quit && callbacks_.on_quit) {
      asio::post(io_, callbacks_.on_quit);
    }
    return outcome.answer;
  }

  std::size_t indexOf(const std::string& id) const {
    for (std::size_t i = 0; i < states_.size(); ++i) {
      if (states_[i].id == id) {
        return i;
      }
    }
    return 0;
  }

  void onControlMessage(const ports::BusMessage& message) {
    if (message.retained) {
      return;  // a command left on the broker is stale by definition
    }
    const auto machine = matchTopic(options_.topics.control, message.topic);
    if (!machine) {
      return;
    }
    const auto answer = run(message.payload, *machine);
    spdlog::info("MQTT command on {}: '{}' -> {}", message.topic, message.payload, answer.back());
    std::string reply;
    for (const auto& line : answer) {
      reply += reply.empty() ? line : "\n" + line;
    }
    control_->publish(message.topic + "/reply", reply, {1, false, {}});
  }

  asio::io_context& io_;
  RenderSimOptions options_;
  Callbacks callbacks_;
  asio::steady_timer timer_;
  asio::io_context relay_io_;
  asio::executor_work_guard<asio::io_context::executor_type> relay_work_;
  std::thread relay_thread_;
  std::vector<MachineState> states_;
  std::vector<Link> links_;
  std::unique_ptr<mqtt::PahoMessageBus> control_;
  Clock::time_point started_at_;
  bool control_connected_ = false;
  bool ready_ = false;
  bool stopped_ = false;
};

RenderSim::RenderSim(asio::io_context& io, RenderSimOptions options, Callbacks callbacks)
    : impl_(std::make_unique<Impl>(io, std::move(options), std::move(callbacks))) {}

RenderSim::~RenderSim() = default;

core::Status RenderSim::start() {
  return impl_->start();
}
void RenderSim::execute(const std::string& line) {
  impl_->execute(line);
}
void RenderSim::stop() {
  impl_->stop();
}

}  // namespace failover::render_sim
