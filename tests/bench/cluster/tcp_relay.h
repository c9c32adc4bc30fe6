#pragma once

// A TCP relay on 127.0.0.1 in front of one port (the broker), so that one client can be cut
// from it while every other client stays connected: cut() closes the relayed connections and
// closes every new one at once until restore(), as a broken network path that the client's
// own TCP stack reports.
//
// Thread model: the relay runs its own io_context thread; cut() and restore() hand over to it
// and return when it has acted.

#include <cstdint>
#include <memory>
#include <set>
#include <thread>

#include <asio.hpp>

namespace failover::bench {

class TcpRelay {
 public:
  // Listens on a free 127.0.0.1 port and relays to 127.0.0.1:`target_port`.
  explicit TcpRelay(uint16_t target_port);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  uint16_t port() const { return port_; }
  void cut();
  void restore();

 private:
  class Session;

  void accept();
  // Runs `action` on the relay's thread and waits for it.
  void onRelayThread(const std::function<void()>& action);

  uint16_t target_port_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  bool cut_ = false;
  std::set<std::shared_ptr<Session>> sessions_;
  std::thread thread_;
};

}  // namespace failover::bench
