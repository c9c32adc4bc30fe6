#include "tcp_relay.h"

#include <array>
#include <deque>
#include <string>

#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <spdlog/spdlog.h>

#include "mqtt_framing.h"

namespace failover::render_sim {

using asio::ip::tcp;

namespace {

constexpr auto kRejoinRetry = std::chrono::milliseconds(250);
constexpr std::size_t kMaxHeldPackets = 1000;

// Closes a socket with a TCP reset: no orderly goodbye, as when a link is lost.
void resetSocket(tcp::socket& socket) {
  asio::error_code ignored;
  if (socket.is_open()) {
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
  }
}

// One socket's outgoing bytes, written one at a time in order. Abandoned when its
// connection is dropped, so a late completion never writes on a newer connection.
class WriteQueue : public std::enable_shared_from_this<WriteQueue> {
 public:
  WriteQueue(tcp::socket& socket, std::function<void()> on_error)
      : socket_(socket), on_error_(std::move(on_error)) {}

  void push(std::string bytes) {
    if (abandoned_) {
      return;
    }
    queue_.push_back(std::move(bytes));
    if (queue_.size() == 1) {
      writeNext();
    }
  }

  void abandon() {
    abandoned_ = true;
    queue_.clear();
  }

  // Closes the socket in an orderly way once everything queued is written.
  void closeWhenDrained() {
    close_when_drained_ = true;
    if (queue_.empty()) {
      closeGracefully();
    }
  }

 private:
  void writeNext() {
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self = shared_from_this()](asio::error_code error, std::size_t) {
                        if (self->abandoned_) {
                          return;
                        }
                        if (error) {
                          self->abandon();
                          self->on_error_();
                          return;
                        }
                        self->queue_.pop_front();
                        if (!self->queue_.empty()) {
                          self->writeNext();
                        } else if (self->close_when_drained_) {
                          self->closeGracefully();
                        }
                      });
  }

  void closeGracefully() {
    abandoned_ = true;
    asio::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket& socket_;
  std::function<void()> on_error_;
  std::deque<std::string> queue_;
  bool abandoned_ = false;
  bool close_when_drained_ = false;
};

}  // namespace

class TcpRelay::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket client, asio::io_context& io, std::vector<tcp::endpoint> endpoints,
          std::function<void()> on_rejoined)
      : io_(io),
        endpoints_(std::move(endpoints)),
        on_rejoined_(std::move(on_rejoined)),
        client_(std::move(client)),
        upstream_(io),
        retry_(io) {}

  void start() {
    std::weak_ptr<Session> weak = shared_from_this();
    client_writes_ = std::make_shared<WriteQueue>(client_, [weak] {
      if (auto self = weak.lock()) {
        self->close();
      }
    });
    mode_ = Mode::Joining;
    connectUpstream();
    readClient();
  }

  void cut() {
    if (closed_ || mode_ == Mode::Cut) {
      return;
    }
    mode_ = Mode::Cut;
    retry_.cancel();
    dropUpstream();
  }

  void restore() {
    if (closed_ || mode_ != Mode::Cut || connect_packet_.empty()) {
      return;
    }
    mode_ = Mode::Rejoining;
    connectUpstream();
  }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    retry_.cancel();
    resetSocket(client_);
    resetSocket(upstream_);
  }

 private:
  // Joining: first connection, relaying as soon as the broker is reached. Relaying: both
  // ways. Cut: no broker connection; the client is answered locally. Rejoining: the broker
  // is being reconnected; client packets are held until it accepted the replayed CONNECT.
  enum class Mode { Joining, Relaying, Cut, Rejoining };
  using Buffer = std::array<char, 16384>;

  void connectUpstream() {
    ++generation_;
    if (upstream_writes_) {
      upstream_writes_->abandon();
    }
    upstream_ = tcp::socket(io_);
    broker_in_.clear();
    std::weak_ptr<Session> weak = shared_from_this();
    upstream_writes_ = std::make_shared<WriteQueue>(upstream_, [weak] {
      if (auto self = weak.lock()) {
        self->onUpstreamFailed("broker write failed");
      }
    });
    asio::async_connect(upstream_, endpoints_,
                        [self = shared_from_this(), generation = generation_](
                            asio::error_code error, const tcp::endpoint&) {
                          if (self->closed_ || generation != self->generation_) {
                            return;
                          }
                          if (error) {
                            self->onUpstreamFailed("broker unreachable: " + error.message());
                            return;
                          }
                          asio::error_code ignored;
                          self->upstream_.set_option(tcp::no_delay(true), ignored);
                          if (self->mode_ == Mode::Rejoining) {
                            self->writeUpstream(self->connect_packet_);
                          } else {
                            self->mode_ = Mode::Relaying;
                            self->flushHeld();
                          }
                          self->readUpstream(generation);
                        });
  }

  void onUpstreamFailed(const std::string& why) {
    if (closed_) {
      return;
    }
    spdlog::debug("relay: {}", why);
    if (mode_ == Mode::Rejoining) {
      // Still cut off until the broker is back; try again shortly. What the client sent
      // meanwhile (keep-alive pings above all) is answered here, as while cut.
      mode_ = Mode::Cut;
      dropUpstream();
      auto held = std::move(held_);
      held_.clear();
      for (const auto& packet : held) {
        answerLocally(packet);
      }
      retry_.expires_after(kRejoinRetry);
      retry_.async_wait([self = shared_from_this()](asio::error_code error) {
        if (!error && !self->closed_ && self->mode_ == Mode::Cut) {
          self->restore();
        }
      });
      return;
    }
    if (mode_ != Mode::Cut) {
      // The broker went away by itself: the client must learn of it and reconnect.
      close();
    }
  }

  void dropUpstream() {
    ++generation_;
    if (upstream_writes_) {
      upstream_writes_->abandon();
    }
    resetSocket(upstream_);
  }

  void readClient() {
    client_.async_read_some(asio::buffer(from_client_),
                            [self = shared_from_this()](asio::error_code error, std::size_t size) {
                              if (self->closed_) {
                                return;
                              }
                              if (error) {
                                self->onClientEnded();
                                return;
                              }
                              self->client_in_.append(self->from_client_.data(), size);
                              if (!self->takeClientPackets()) {
                                self->close();
                                return;
                              }
                              self->readClient();
                            });
  }

  // The client hung up. What it sent last (its DISCONNECT, on a clean stop) still reaches
  // the broker, and the broker connection ends in an orderly way: no will.
  void onClientEnded() {
    if (mode_ != Mode::Relaying || !upstream_writes_) {
      close();
      return;
    }
    closed_ = true;
    retry_.cancel();
    asio::error_code ignored;
    client_.close(ignored);
    upstream_writes_->closeWhenDrained();
  }

  // Splits the client's bytes into packets and routes each by mode. False: malformed.
  bool takeClientPackets() {
    while (true) {
      std::size_t size = 0;
      const auto split = framing::nextPacket(client_in_, size);
      if (split == framing::Split::Malformed) {
        return false;
      }
      if (split == framing::Split::NeedMore) {
        return true;
      }
      std::string packet = client_in_.substr(0, size);
      client_in_.erase(0, size);
      if (connect_packet_.empty() && framing::packetType(packet) == framing::kConnect) {
        connect_packet_ = packet;
      }
      switch (mode_) {
        case Mode::Relaying:
          writeUpstream(std::move(packet));
          break;
        case Mode::Joining:
        case Mode::Rejoining:
          if (held_.size() >= kMaxHeldPackets) {
            return false;
          }
          held_.push_back(std::move(packet));
          break;
        case Mode::Cut:
          answerLocally(packet);
          break;
      }
    }
  }

  // While cut: keep the client content so it does not notice the broker is gone.
  void answerLocally(const std::string& packet) {
    switch (framing::packetType(packet)) {
      case framing::kPingreq:
        writeClient(framing::pingresp());
        break;
      case framing::kPublish:
        if (const auto id = framing::publishPacketId(packet)) {
          writeClient(framing::puback(*id));
        }
        break;
      case framing::kDisconnect:
        close();
        break;
      default:
        break;
    }
  }

  void flushHeld() {
    for (auto& packet : held_) {
      writeUpstream(std::move(packet));
    }
    held_.clear();
  }

  void readUpstream(uint64_t generation) {
    upstream_.async_read_some(
        asio::buffer(from_broker_),
        [self = shared_from_this(), generation](asio::error_code error, std::size_t size) {
          if (self->closed_ || generation != self->generation_) {
            return;
          }
          if (error) {
            self->onUpstreamFailed("broker connection ended: " + error.message());
            return;
          }
          if (self->mode_ == Mode::Rejoining) {
            self->broker_in_.append(self->from_broker_.data(), size);
            if (!self->takeRejoinConnack()) {
              return;
            }
          } else {
            self->writeClient(std::string(self->from_broker_.data(), size));
          }
          self->readUpstream(generation);
        });
  }

  // The broker's answer to the replayed CONNECT is ours, not the client's. False when the
  // upstream was given up.
  bool takeRejoinConnack() {
    std::size_t size = 0;
    const auto split = framing::nextPacket(broker_in_, size);
    if (split == framing::Split::NeedMore) {
      return true;
    }
    const auto code = split == framing::Split::Complete
                          ? framing::connackCode(std::string_view(broker_in_).substr(0, size))
                          : std::nullopt;
    if (!code || *code != 0) {
      onUpstreamFailed("broker refused the replayed CONNECT");
      return false;
    }
    std::string rest = broker_in_.substr(size);
    broker_in_.clear();
    mode_ = Mode::Relaying;
    flushHeld();
    if (!rest.empty()) {
      writeClient(std::move(rest));
    }
    if (on_rejoined_) {
      on_rejoined_();
    }
    return true;
  }

  void writeClient(std::string bytes) { client_writes_->push(std::move(bytes)); }
  void writeUpstream(std::string bytes) { upstream_writes_->push(std::move(bytes)); }

  asio::io_context& io_;
  std::vector<tcp::endpoint> endpoints_;
  std::function<void()> on_rejoined_;
  tcp::socket client_;
  tcp::socket upstream_;
  asio::steady_timer retry_;
  Buffer from_client_{};
  Buffer from_broker_{};
  std::string client_in_;
  std::string broker_in_;
  std::string connect_packet_;
  std::deque<std::string> held_;
  std::shared_ptr<WriteQueue> client_writes_;
  std::shared_ptr<WriteQueue> upstream_writes_;
  Mode mode_ = Mode::Joining;
  uint64_t generation_ = 0;
  bool closed_ = false;
};

TcpRelay::TcpRelay(asio::io_context& io, std::vector<tcp::endpoint> upstream,
                   std::function<void()> on_rejoined)
    : io_(io),
      upstream_(std::move(upstream)),
      on_rejoined_(std::move(on_rejoined)),
      acceptor_(io) {}

core::Result<uint16_t> TcpRelay::listen() {
  if (auto status = openAcceptor(0); !status.isOk()) {
    return status;
  }
  port_ = acceptor_.local_endpoint().port();
  accept();
  return port_;
}

core::Status TcpRelay::openAcceptor(uint16_t port) {
  asio::error_code error;
  const tcp::endpoint local(asio::ip::address_v4::loopback(), port);
  acceptor_.open(local.protocol(), error);
  if (!error) {
    acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  }
  if (!error) {
    acceptor_.bind(local, error);
  }
  if (!error) {
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    asio::error_code ignored;
    acceptor_.close(ignored);
    return core::Status::unavailable("relay: cannot listen on 127.0.0.1:" + std::to_string(port) +
                                     ": " + error.message());
  }
  return core::Status::ok();
}

void TcpRelay::accept() {
  acceptor_.async_accept([self = shared_from_this()](asio::error_code error, tcp::socket socket) {
    if (error || self->closed_) {
      return;
    }
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (self->cut_) {
      // A machine that is off the network cannot connect either.
      resetSocket(socket);
    } else {
      auto session = std::make_shared<Session>(std::move(socket), self->io_, self->upstream_,
                                               self->on_rejoined_);
      std::erase_if(self->sessions_, [](const auto& weak) { return weak.expired(); });
      self->sessions_.push_back(session);
      session->start();
    }
    self->accept();
  });
}

void TcpRelay::cut() {
  asio::post(io_, [self = shared_from_this()] {
    self->cut_ = true;
    for (const auto& weak : self->sessions_) {
      if (auto session = weak.lock()) {
        session->cut();
      }
    }
  });
}

void TcpRelay::restore() {
  asio::post(io_, [self = shared_from_this()] {
    self->cut_ = false;
    for (const auto& weak : self->sessions_) {
      if (auto session = weak.lock()) {
        session->restore();
      }
    }
  });
}

void TcpRelay::close() {
  asio::post(io_, [self = shared_from_this()] {
    self->closed_ = true;
    asio::error_code ignored;
    self->acceptor_.close(ignored);
    for (const auto& weak : self->sessions_) {
      if (auto session = weak.lock()) {
        session->close();
      }
    }
    self->sessions_.clear();
  });
}

}  // namespace failover::render_sim
