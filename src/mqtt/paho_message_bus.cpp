#include "failover/mqtt/paho_message_bus.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <utility>

#include <arpa/inet.h>
#include <asio.hpp>
#include <mqtt/async_client.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "failover/core/backoff.h"
#include "failover/core/host_port.h"
#include "failover/mqtt/outbox.h"

namespace failover::mqtt {
namespace {

using ports::SubscriptionKind;

std::shared_ptr<spdlog::logger> busLogger() {
  auto logger = spdlog::get("mqtt");
  return logger ? logger : spdlog::default_logger();
}

bool usesTls(const std::string& uri) {
  const auto scheme = core::brokerSchemeOf(uri);
  return scheme && scheme->tls;
}

// The brokers the client may connect to: `servers`, or the one `server_uri`.
std::vector<std::string> brokerUris(const BusSettings& settings) {
  return settings.servers.empty() ? std::vector<std::string>{settings.server_uri}
                                  : settings.servers;
}

std::string describeBrokers(const BusSettings& settings) {
  std::string text;
  for (const auto& uri : brokerUris(settings)) {
    text += (text.empty() ? "" : ", ") + uri;
  }
  return text;
}

}  // namespace

class PahoMessageBus::Impl : public std::enable_shared_from_this<Impl>,
                             private ::mqtt::iaction_listener {
 public:
  Impl(asio::io_context& io, BusSettings settings, ports::BusHandlers handlers)
      : io_(io),
        settings_(std::move(settings)),
        handlers_(std::move(handlers)),
        reconnect_timer_(io),
        backoff_(core::BackoffPolicy{core::Millis(settings_.reconnect_min_ms),
                                     core::Millis(settings_.reconnect_max_ms),
                                     settings_.reconnect_jitter},
                 core::seededUnitRandom(std::random_device{}())),
        outbox_(static_cast<std::size_t>(std::max(settings_.max_buffered_messages, 1))),
        // Nothing is buffered inside Paho: the outbox holds what waits, while connected and
        // while the broker is away, and hands Paho only what may go on the wire now.
        client_(settings_.server_uri, settings_.client_id,
                ::mqtt::create_options_builder()
                    .mqtt_version(settings_.mqtt5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1)
                    .send_while_disconnected(false)
                    // Paho checks this bound while connected too; the outbox keeps the real
                    // one (at most a window of QoS 1 messages is ever handed over).
                    .max_buffered_messages(kPahoQueueBound)
                    .finalize()) {}

  bool start(std::string& error) {
    try {
      connect_options_ = buildConnectOptions();
    } catch (const ::mqtt::exception& e) {
      error = e.what();
      return false;
    }
    // Handlers are set once, before the first connect; each only hops onto the io thread.
    std::weak_ptr<Impl> weak = weak_from_this();
    client_.set_connected_handler(
        [weak](const std::string&) { postTo(weak, [](Impl& self) { self.onConnected(); }); });
    client_.set_connection_lost_handler([weak](const std::string& cause) {
      postTo(weak, [cause](Impl& self) { self.onLost(cause.empty() ? "connection lost" : cause); });
    });
    // An MQTT 5 broker that closes the connection itself (session taken over, shutting down)
    // sends DISCONNECT; Paho then reports no connection loss, only this.
    client_.set_disconnected_handler([weak](const ::mqtt::properties&, ::mqtt::ReasonCode reason) {
      postTo(weak, [reason](Impl& self) {
        self.onLost("the broker closed the connection (reason code " +
                    std::to_string(static_cast<int>(reason)) + ")");
      });
    });
    client_.set_message_callback([weak](::mqtt::const_message_ptr message) {
      ports::BusMessage copy;
      copy.received_at = core::MonoClock::now();
      copy.topic = message->get_topic();
      copy.payload = message->get_payload_str();
      copy.retained = message->is_retained();
      const auto& properties = message->get_properties();
      if (properties.contains(::mqtt::property::RESPONSE_TOPIC)) {
        copy.response_topic =
            ::mqtt::get<std::string>(properties, ::mqtt::property::RESPONSE_TOPIC);
      }
      if (properties.contains(::mqtt::property::CORRELATION_DATA)) {
        copy.correlation_data =
            ::mqtt::get<std::string>(properties, ::mqtt::property::CORRELATION_DATA);
      }
      const std::size_t user_properties = properties.count(::mqtt::property::USER_PROPERTY);
      for (std::size_t i = 0; i < user_properties && copy.requested_by.empty(); ++i) {
        const auto [name, value] =
            ::mqtt::get<::mqtt::string_pair>(properties, ::mqtt::property::USER_PROPERTY, i);
        if (name == "requested_by") {
          copy.requested_by = value;
        }
      }
      if (auto self = weak.lock()) {
        self->receive(std::move(copy));
      }
    });
    started_ = true;
    connect();
    return true;
  }

  void stop(int timeout_ms) {
    if (!started_ || stopped_) {
      return;
    }
    stopped_ = true;
    reconnect_timer_.cancel();
    if (outbox_.waiting() > 0) {
      busLogger()->info("MQTT stopping with {} message(s) not yet published", outbox_.waiting());
    }
    const auto timeout = std::chrono::milliseconds(timeout_ms);
    try {
      if (client_.is_connected()) {
        // A clean disconnect sends no will: say offline ourselves, retained.
        client_
            .publish(
                ::mqtt::make_message(settings_.state_topic, settings_.offline_payload, 1, true))
            ->wait_for(timeout);
      }
      client_.disconnect(timeout_ms)->wait_for(timeout);
    } catch (const ::mqtt::exception& e) {
      // Expected when the broker was never reached or is gone: nothing left to close.
      busLogger()->debug("MQTT disconnect: {}", e.what());
    }
    connected_ = false;
  }

  void publish(const std::string& topic, std::string payload,
               const ports::PublishOptions& options) {
    if (stopped_) {
      return;
    }
    OutgoingMessage message{topic, std::move(payload), options.qos, options.retain,
                            options.correlation_data};
    if (!outbox_.push(std::move(message))) {
      ++stats_.publish_dropped;
      if (!drop_logged_) {
        busLogger()->warn("MQTT outbox full ({} waiting): oldest events dropped",
                          outbox_.waiting());
        drop_logged_ = true;
      }
    }
    pump();
  }

  void subscribe(const std::string& filter, SubscriptionKind kind) {
    const auto known = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                                    [&](const auto& entry) { return entry.first == filter; });
    if (known != subscriptions_.end()) {
      return;
    }
    subscriptions_.emplace_back(filter, kind);
    if (connected_) {
      subscribeOne(filter, kind);
    }
  }

  bool connected() const { return connected_; }
  const BusStats& stats() const {
    stats_.waiting = outbox_.waiting();
    stats_.in_flight = outbox_.inFlight();
    stats_.conflated = outbox_.stats().conflated;
    stats_.resent = outbox_.stats().resent;
    return stats_;
  }

 private:
  template <typename Function>
  static void postTo(const std::weak_ptr<Impl>& weak, Function function) {
    if (auto self = weak.lock()) {
      asio::post(self->io_, [weak, function = std::move(function)]() mutable {
        if (auto alive = weak.lock(); alive && !alive->stopped_) {
          function(*alive);
        }
      });
    }
  }

  // Hands Paho what the broker's window allows now. Called after every publish, every
  // acknowledgement and every connect, always on the io thread.
  void pump() {
    while (connected_ && window_known_ && !stopped_) {
      auto dispatch = outbox_.next();
      if (!dispatch) {
        return;
      }
      auto message =
          ::mqtt::make_message(dispatch->message.topic, std::move(dispatch->message.payload),
                               dispatch->message.qos, dispatch->message.retain);
      if (settings_.mqtt5 && !dispatch->message.correlation_data.empty()) {
        ::mqtt::properties properties;
        properties.add({::mqtt::property::CORRELATION_DATA, dispatch->message.correlation_data});
        message->set_properties(properties);
      }
      try {
        if (dispatch->id == 0) {
          client_.publish(message);
        } else {
          // The id rides in the token's user context back to the acknowledgement.
          client_.publish(message, reinterpret_cast<void*>(static_cast<uintptr_t>(dispatch->id)),
                          publish_listener_);
        }
        ++stats_.published;
      } catch (const ::mqtt::exception& e) {
        ++stats_.publish_failures;
        const int code = e.get_return_code();
        if (code == MQTTASYNC_DISCONNECTED || code == MQTTASYNC_MAX_BUFFERED_MESSAGES) {
          // Paho takes nothing more now: the connection is going away, or its own queue is
          // full. A QoS 1 message waits for the next chance; a QoS 0 one is gone, as QoS 0
          // allows.
          outbox_.giveBack(dispatch->id);
          busLogger()->debug("MQTT publish to {} deferred: {}", dispatch->message.topic, e.what());
          return;
        }
        // Paho refuses this message itself (e.g. a topic it cannot encode): trying it again
        // would block everything behind it.
        outbox_.acknowledge(dispatch->id);
        ++stats_.publish_refused;
        busLogger()->error("MQTT publish to {} refused: {}", dispatch->message.topic, e.what());
      }
    }
  }

  void onPublishAcknowledged(uint64_t id) {
    outbox_.acknowledge(id);
    pump();
  }

  // Paho gave up on a message: because the connection is going away (sent again after the
  // next connect), or because it was refused (dropped and counted). `code` is Paho's return
  // code; `reason` the broker's MQTT 5 reason code when it answered.
  void onPublishFailed(uint64_t id, int code, int reason) {
    if (code == MQTTASYNC_OPERATION_INCOMPLETE || code == MQTTASYNC_DISCONNECTED) {
      // The connection is going away under the message (Paho reports every message in flight
      // so, before it reports the loss). It is sent again after the next connect; handing
      // anything to Paho before then would only race the dying connection.
      outbox_.giveBack(id);
      window_known_ = false;
      return;
    }
    // The broker refused the message (not authorised, too large, ...) or Paho gave up on it
    // for another reason: sending it again would fail again, and hold the window meanwhile.
    outbox_.acknowledge(id);
    ++stats_.publish_refused;
    const auto now = std::chrono::steady_clock::now();
    if (now - refusal_logged_at_ >= std::chrono::seconds(10)) {
      refusal_logged_at_ = now;
      busLogger()->warn("MQTT publish refused (code {}, reason code 0x{:02x}); {} so far", code,
                        reason, stats_.publish_refused);
    }
    pump();
  }

  // The broker's receive maximum (MQTT 5 CONNACK) is the window of unacknowledged QoS 1
  // messages; without one, MQTT 5 says 65,535, and 3.1.1 knows no limit beyond Paho's.
  void onConnectAccepted(int receive_maximum) {
    outbox_.setWindow(static_cast<std::size_t>(std::min(receive_maximum, kWindowBound)));
    window_known_ = true;
    busLogger()->debug("MQTT broker window: {} unacknowledged messages", receive_maximum);
    pump();
  }

  // Completions of QoS 1 publishes, on Paho's thread: only hop onto the io thread.
  class PublishListener final : public ::mqtt::iaction_listener {
   public:
    explicit PublishListener(Impl& owner) : owner_(owner) {}

   private:
    static uint64_t idOf(const ::mqtt::token& token) {
      return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(token.get_user_context()));
    }
    void on_success(const ::mqtt::token& token) override {
      postTo(owner_.weak_from_this(),
             [id = idOf(token)](Impl& self) { self.onPublishAcknowledged(id); });
    }
    void on_failure(const ::mqtt::token& token) override {
      const int code = token.get_return_code();
      const int reason = static_cast<int>(token.get_reason_code());
      postTo(owner_.weak_from_this(), [id = idOf(token), code, reason](Impl& self) {
        self.onPublishFailed(id, code, reason);
      });
    }
    Impl& owner_;
  };

  ::mqtt::connect_options buildConnectOptions() {
    ::mqtt::connect_options_builder builder;
    builder.keep_alive_interval(std::chrono::seconds(settings_.keepalive_s))
        .connect_timeout(std::chrono::seconds(5))
        .automatic_reconnect(false)
        .will(::mqtt::message(settings_.state_topic, settings_.offline_payload, 1, true));
    if (settings_.mqtt5) {
      // Needed on the connect options as well as the create options; clean_session() would
      // be rejected on an MQTT 5 client, clean_start() is its equivalent.
      // Session expiry keeps its default of 0, a fresh session each time: setting it through
      // connect properties crashes Paho 1.2 when the options are copied.
      builder.mqtt_version(MQTTVERSION_5).clean_start(true);
    } else {
      builder.mqtt_version(MQTTVERSION_3_1_1).clean_session(true);
    }
    if (!settings_.username.empty()) {
      builder.user_name(settings_.username);
    }
    if (!settings_.password.empty()) {
      builder.password(settings_.password);
    }
    const auto uris = brokerUris(settings_);
    if (settings_.servers.size() > 0) {
      // Paho tries them in order on every connect attempt, the first answer wins.
      builder.servers(std::make_shared<::mqtt::string_collection>(uris));
    }
    if (std::any_of(uris.begin(), uris.end(), usesTls)) {
      ::mqtt::ssl_options_builder ssl;
      if (!settings_.ca_file.empty()) {
        ssl.trust_store(settings_.ca_file);
      }
      if (!settings_.cert_file.empty()) {
        ssl.key_store(settings_.cert_file);
      }
      if (!settings_.key_file.empty()) {
        ssl.private_key(settings_.key_file);
      }
      ssl.enable_server_cert_auth(settings_.verify_server).verify(settings_.verify_server);
      builder.ssl(ssl.finalize());
    }
    return builder.finalize();
  }

  // One attempt; a failure comes back through on_failure and schedules the next one.
  void connect() {
    if (stopped_) {
      return;
    }
    try {
      client_.connect(connect_options_, nullptr, *this);
    } catch (const ::mqtt::exception& e) {
      busLogger()->warn("MQTT connect to {}: {}", describeBrokers(settings_), e.what());
      scheduleReconnect();
    }
  }

  void scheduleReconnect() {
    if (stopped_) {
      return;
    }
    reconnect_timer_.expires_after(backoff_.next());
    reconnect_timer_.async_wait([weak = weak_from_this()](const std::error_code& error) {
      auto self = weak.lock();
      if (!error && self) {
        self->connect();
      }
    });
  }

  // iaction_listener, called on the Paho thread for the connect attempts.
  void on_failure(const ::mqtt::token& token) override {
    const int code = token.get_return_code();
    postTo(weak_from_this(), [code](Impl& self) {
      if (!self.connect_failure_logged_) {
        busLogger()->warn("MQTT connect to {} failed (code {}); retrying",
                          describeBrokers(self.settings_), code);
        self.connect_failure_logged_ = true;
      }
      self.scheduleReconnect();
    });
  }
  void on_success(const ::mqtt::token& token) override {
    int receive_maximum = kDefaultReceiveMaximum;
    std::string server_uri;
    try {
      const auto response = token.get_connect_response();
      server_uri = response.get_server_uri();
      const auto properties = response.get_properties();
      if (properties.contains(::mqtt::property::RECEIVE_MAXIMUM)) {
        receive_maximum = ::mqtt::get<uint16_t>(properties, ::mqtt::property::RECEIVE_MAXIMUM);
      }
    } catch (const ::mqtt::exception& e) {
      busLogger()->debug("MQTT connect response unreadable: {}", e.what());
    }
    postTo(weak_from_this(), [receive_maximum, server_uri](Impl& self) {
      if (self.settings_.servers.size() > 1 && !server_uri.empty()) {
        busLogger()->info("MQTT broker in use: {}", server_uri);
      }
      self.onConnectAccepted(receive_maximum);
    });
  }

  void onConnected() {
    connected_ = true;
    setNoDelayOnBrokerSockets();
    connect_failure_logged_ = false;
    backoff_.reset();
    ++stats_.connects;
    busLogger()->info("MQTT connected to {} as {}", describeBrokers(settings_),
                      settings_.client_id);
    for (const auto& [filter, kind] : subscriptions_) {
      subscribeOne(filter, kind);
    }
    publish(settings_.state_topic, settings_.online_payload, {1, true, {}});
    if (handlers_.on_connected) {
      handlers_.on_connected();
    }
    pump();
  }

  void onLost(const std::string& cause) {
    if (!connected_) {
      return;
    }
    connected_ = false;
    window_known_ = false;  // the next broker may grant another window
    outbox_.connectionLost();
    ++stats_.connection_losses;
    busLogger()->warn("MQTT connection to {} lost: {}", describeBrokers(settings_), cause);
    if (handlers_.on_lost) {
      handlers_.on_lost(cause);
    }
    scheduleReconnect();
  }

  // On Paho's receive thread: messages that arrive while the io thread has not yet taken the
  // previous ones join them, and one post delivers them all. Under load this saves a post per
  // message, and tells the node which messages arrived together (BusMessage::more_follow).
  void receive(ports::BusMessage message) {
    bool first = false;
    {
      std::lock_guard lock(inbox_mutex_);
      first = inbox_.empty();
      inbox_.push_back(std::move(message));
    }
    if (first) {
      postTo(weak_from_this(), [](Impl& self) { self.deliverInbox(); });
    }
  }

  void deliverInbox() {
    {
      std::lock_guard lock(inbox_mutex_);
      delivering_.swap(inbox_);
    }
    for (std::size_t i = 0; i < delivering_.size(); ++i) {
      ports::BusMessage& message = delivering_[i];
      message.more_follow = i + 1 < delivering_.size();
      ++stats_.received;
      if (handlers_.on_message && !stopped_) {
        handlers_.on_message(message);
      }
    }
    delivering_.clear();  // keeps its capacity for the next run
  }

  // Paho C 1.3 does not set TCP_NODELAY and offers no hook to do it. Small publishes then
  // wait for the broker's delayed ACK (about 40 ms on Linux) behind a PUBACK. The socket is
  // found among this process's descriptors by its peer port and the option set on it; the
  // kernel allows that from any thread.
  void setNoDelayOnBrokerSockets() {
    const auto ports = brokerPorts();
    if (ports.empty()) {
      return;
    }
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
      int fd = -1;
      const std::string name = entry.path().filename().string();
      if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) {
        continue;
      }
      sockaddr_storage peer{};
      socklen_t length = sizeof(peer);
      if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) {
        continue;
      }
      uint16_t peer_port = 0;
      if (peer.ss_family == AF_INET) {
        peer_port = ntohs(reinterpret_cast<const sockaddr_in*>(&peer)->sin_port);
      } else if (peer.ss_family == AF_INET6) {
        peer_port = ntohs(reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_port);
      }
      if (std::find(ports.begin(), ports.end(), peer_port) != ports.end()) {
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
      }
    }
  }

  // The brokers' TCP ports from the server URIs ("tcp://host:1883"), or the scheme's default.
  std::vector<uint16_t> brokerPorts() const {
    std::vector<uint16_t> ports;
    for (const auto& uri : brokerUris(settings_)) {
      const auto parsed = core::parseBrokerUri(uri);
      if (parsed.ok()) {
        ports.push_back(parsed.broker.port);
      }
    }
    return ports;
  }

  // One filter per call: Paho 1.2 crashes on the list overload with options.
  void subscribeOne(const std::string& filter, SubscriptionKind kind) {
    try {
      if (settings_.mqtt5 && kind == SubscriptionKind::Command) {
        const ::mqtt::subscribe_options options(true, false,
                                                ::mqtt::subscribe_options::DONT_SEND_RETAINED);
        client_.subscribe(filter, 1, options);
      } else {
        client_.subscribe(filter, 1);
      }
    } catch (const ::mqtt::exception& e) {
      busLogger()->warn("MQTT subscribe {}: {}", filter, e.what());
    }
  }

  asio::io_context& io_;
  BusSettings settings_;
  ports::BusHandlers handlers_;
  static constexpr int kDefaultReceiveMaximum = 65535;
  // Unacknowledged messages handed to Paho at most, whatever the broker allows: enough to keep
  // a loopback or LAN link busy, and Paho's own queue bounded.
  static constexpr int kWindowBound = 1024;
  static constexpr int kPahoQueueBound = 100000;

  asio::steady_timer reconnect_timer_;
  core::Backoff backoff_;
  Outbox outbox_;
  PublishListener publish_listener_{*this};  // outlives client_, whose tokens point to it
  ::mqtt::async_client client_;
  ::mqtt::connect_options connect_options_;
  std::vector<std::pair<std::string, SubscriptionKind>> subscriptions_;
  std::mutex inbox_mutex_;
  std::vector<ports::BusMessage> inbox_;       // filled on Paho's thread, under the mutex
  std::vector<ports::BusMessage> delivering_;  // io thread only
  mutable BusStats stats_;
  bool drop_logged_ = false;
  std::chrono::steady_clock::time_point refusal_logged_at_{};
  bool started_ = false;
  bool stopped_ = false;
  bool connected_ = false;
  // Nothing is handed to Paho before the broker's window is known (the CONNACK, reported
  // by the connect's on_success, which may come before or after the connected handler).
  bool window_known_ = false;
  bool connect_failure_logged_ = false;
};

PahoMessageBus::PahoMessageBus(asio::io_context& io, BusSettings settings,
                               ports::BusHandlers handlers)
    : impl_(std::make_shared<Impl>(io, std::move(settings), std::move(handlers))) {}

PahoMessageBus::~PahoMessageBus() {
  impl_->stop(500);
}

bool PahoMessageBus::start(std::string& error) {
  return impl_->start(error);
}
void PahoMessageBus::stop(int timeout_ms) {
  impl_->stop(timeout_ms);
}
void PahoMessageBus::publish(const std::string& topic, std::string payload,
                             const ports::PublishOptions& options) {
  impl_->publish(topic, std::move(payload), options);
}
void PahoMessageBus::subscribe(const std::string& filter, ports::SubscriptionKind kind) {
  impl_->subscribe(filter, kind);
}
bool PahoMessageBus::connected() const {
  return impl_->connected();
}
ports::BusCounters PahoMessageBus::counters() const {
  const BusStats& stats = impl_->stats();
  return {stats.connects, stats.published, stats.publish_refused, stats.publish_dropped,
          stats.waiting + stats.in_flight};
}
const BusStats& PahoMessageBus::stats() const {
  return impl_->stats();
}

}  // namespace failover::mqtt
