#pragma once

// RenderSim: the running simulator. One MQTT connection per machine (each with its own
// will, so the broker can announce that machine `offline`), reached through a TcpRelay so a
// `drop` can cut it abruptly; one more connection receives fault commands over MQTT. All
// state lives on the caller's io thread; the relays run on a thread of their own.

#include <functional>
#include <memory>
#include <string>

#include "failover/core/result.h"
#include "failover/render_sim/render_options.h"

namespace asio {
class io_context;
}  // namespace asio

namespace failover::render_sim {

class RenderSim {
 public:
  struct Callbacks {
    std::function<void(const std::string& line)> output;  // answers to stdin, and "ready"
    std::function<void()> on_quit;                        // a `quit` command arrived
  };

  // Nothing happens before start(). `io` must outlive the simulator.
  RenderSim(asio::io_context& io, RenderSimOptions options, Callbacks callbacks);
  ~RenderSim();
  RenderSim(const RenderSim&) = delete;
  RenderSim& operator=(const RenderSim&) = delete;

  // Resolves the broker, opens the relays and starts every connection (concurrently).
  // "ready" is output once every machine is connected and has published once.
  core::Status start();

  // Runs one command line as typed on stdin; the answer lines go to `output`. Call on the
  // io thread.
  void execute(const std::string& line);

  // Clean stop: publishes `offline` for every connected machine (a clean disconnect sends
  // no will), disconnects and closes the relays. Idempotent; blocks for at most a few
  // seconds. Call on the io thread.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace failover::render_sim
