#pragma once

// The network side of videohub-sim: a TCP listener that serves the Videohub protocol from a
// RouterModel, injects the faults of FaultSettings, and executes control commands.
//
// Threading: everything runs on the one thread that runs the io_context given to the
// constructor. Other threads (a stdin reader) hand lines over with asio::post.
//
// Per client: one write queue, so replies and broadcasts leave in the order they were made
// (ACK before the echo); TCP_NODELAY; bounded unsent output (a client that does not read is
// dropped) and bounded input (a client that sends an endless block is dropped).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "failover/core/result.h"
#include "failover/sim/sim_options.h"

namespace failover::sim {

class SimServer {
 public:
  // One control answer line, without its newline.
  using ReplyFn = std::function<void(const std::string& line)>;

  SimServer(asio::io_context& io, const SimOptions& options);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // Binds the protocol listener (SO_REUSEADDR) and, with ControlMode::Tcp, the control
  // listener, and starts accepting. Errors name the address that could not be bound.
  core::Status start();

  // Where the listeners are bound (the real port when port 0 was asked for).
  asio::ip::tcp::endpoint listenEndpoint() const;
  std::optional<asio::ip::tcp::endpoint> controlEndpoint() const;

  // Executes one control line. `reply` is called exactly once, possibly later (wait-clients);
  // commands from one source should be serialised with ControlChannel (control_channel.h).
  void executeControl(std::string_view line, ReplyFn reply);

  // Closes every connection and listener and stops the io_context. Idempotent.
  void stop();
  bool stopped() const;

  size_t clientCount() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace failover::sim
