#pragma once

// One connection to the simulator's TCP control port: command lines in, one answer line out
// per command, in order. Lines longer than kMaxLine close the connection.

#include <memory>
#include <string>

#include <asio/ip/tcp.hpp>

#include "failover/sim/control_channel.h"
#include "failover/sim/sim_server.h"

namespace failover::sim {

class ControlConnection : public std::enable_shared_from_this<ControlConnection> {
 public:
  static constexpr size_t kMaxLine = 64 * 1024;

  ControlConnection(asio::ip::tcp::socket socket, SimServer& server);

  // Starts reading; pending reads keep the connection alive until its socket closes.
  void start();
  void close();

 private:
  void readLine();

  asio::ip::tcp::socket socket_;
  SimServer& server_;
  std::string buffer_;
  std::shared_ptr<ControlChannel> channel_;
};

}  // namespace failover::sim
