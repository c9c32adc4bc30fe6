#pragma once

// A TCP relay between one simulated machine's MQTT client and the broker. It is how
// render-sim cuts a machine off the network.
//
// cut() resets the broker side of the relayed connection, without an MQTT DISCONNECT, so
// the broker treats the machine as lost and publishes its will (`offline`), as when a
// render machine's cable is pulled. The client side stays up, and the relay answers the
// client's keep-alive pings (and acknowledges QoS 1 publishes) itself, so the client does
// not start its own reconnect cycle. restore() opens a new broker connection, replays the
// client's original CONNECT (its will included), swallows the broker's CONNACK and resumes
// relaying; `on_rejoined` then fires so the machine can announce `online` again. This keeps
// recovery within milliseconds: a Paho client's own reconnect takes seconds here.
//
// Runs on its own io_context (not the one the MQTT clients post into), so a thread that
// waits for an MQTT acknowledgement never stalls the bytes that carry it.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "failover/core/result.h"

namespace failover::render_sim {

class TcpRelay : public std::enable_shared_from_this<TcpRelay> {
 public:
  // `on_rejoined` runs on the relay's io thread after a restore() got the broker back.
  TcpRelay(asio::io_context& io, std::vector<asio::ip::tcp::endpoint> upstream,
           std::function<void()> on_rejoined);

  // Listens on 127.0.0.1 (a free port) and starts accepting. Call once, before run().
  core::Result<uint16_t> listen();

  // Thread-safe; each takes effect on the relay's io thread.
  void cut();
  void restore();
  void close();

 private:
  class Session;
  core::Status openAcceptor(uint16_t port);
  void accept();

  asio::io_context& io_;
  std::vector<asio::ip::tcp::endpoint> upstream_;
  std::function<void()> on_rejoined_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<std::weak_ptr<Session>> sessions_;
  uint16_t port_ = 0;
  bool cut_ = false;
  bool closed_ = false;
};

}  // namespace failover::render_sim
