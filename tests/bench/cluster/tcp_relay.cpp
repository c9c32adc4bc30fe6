#include "tcp_relay.h"

#include <array>
#include <future>

namespace failover::bench {

using asio::ip::tcp;

// One relayed connection: bytes copied both ways until either side closes or the relay cuts.
class TcpRelay::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket client, std::set<std::shared_ptr<Session>>& sessions)
      : client_(std::move(client)), upstream_(client_.get_executor()), sessions_(sessions) {}

  void start(uint16_t target_port) {
    auto self = shared_from_this();
    upstream_.async_connect({asio::ip::address_v4::loopback(), target_port},
                            [self](const std::error_code& error) {
                              if (error) {
                                self->close();
                                return;
                              }
                              self->pump(self->client_, self->upstream_, self->to_upstream_);
                              self->pump(self->upstream_, self->client_, self->to_client_);
                            });
  }

  void close() {
    std::error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
    sessions_.erase(shared_from_this());
  }

 private:
  using Buffer = std::array<char, 16384>;

  void pump(tcp::socket& from, tcp::socket& to, Buffer& buffer) {
    auto self = shared_from_this();
    from.async_read_some(asio::buffer(buffer), [self, &from, &to, &buffer](
                                                   const std::error_code& error, size_t size) {
      if (error) {
        self->close();
        return;
      }
      asio::async_write(to, asio::buffer(buffer.data(), size),
                        [self, &from, &to, &buffer](const std::error_code& write_error, size_t) {
                          if (write_error) {
                            self->close();
                            return;
                          }
                          self->pump(from, to, buffer);
                        });
    });
  }

  tcp::socket client_;
  tcp::socket upstream_;
  Buffer to_upstream_{};
  Buffer to_client_{};
  std::set<std::shared_ptr<Session>>& sessions_;
};

TcpRelay::TcpRelay(uint16_t target_port)
    : target_port_(target_port),
      acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

TcpRelay::~TcpRelay() {
  onRelayThread([this] {
    std::error_code ignored;
    acceptor_.close(ignored);
    while (!sessions_.empty()) {
      (*sessions_.begin())->close();
    }
  });
  io_.stop();
  thread_.join();
}

void TcpRelay::accept() {
  acceptor_.async_accept([this](const std::error_code& error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) {
      return;  // the relay is closing
    }
    if (!error) {
      if (cut_) {
        std::error_code ignored;
        socket.close(ignored);
      } else {
        auto session = std::make_shared<Session>(std::move(socket), sessions_);
        sessions_.insert(session);
        session->start(target_port_);
      }
    }
    accept();
  });
}

void TcpRelay::onRelayThread(const std::function<void()>& action) {
  std::promise<void> done;
  asio::post(io_, [&] {
    action();
    done.set_value();
  });
  done.get_future().wait();
}

void TcpRelay::cut() {
  onRelayThread([this] {
    cut_ = true;
    while (!sessions_.empty()) {
      (*sessions_.begin())->close();
    }
  });
}

void TcpRelay::restore() {
  onRelayThread([this] { cut_ = false; });
}

}  // namespace failover::bench
