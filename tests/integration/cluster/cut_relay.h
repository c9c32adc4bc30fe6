#pragma once

// A TCP relay on 127.0.0.1 between one node and the broker, to cut that node off the way
// networks fail: the connection closed (the loss is reported at once), silence in both
// directions (a black hole: nothing is reported until keep-alives run out), or one direction
// only. One poll() thread forwards the bytes; it stops when the relay is destroyed.

#include <atomic>
#include <cstdint>
#include <thread>

namespace failover::cluster_e2e {

class CutRelay {
 public:
  enum class Mode {
    Pass,            // bytes flow both ways
    Close,           // every connection is closed, new ones are closed at once
    Silent,          // connections stay open, no byte passes either way
    DropFromClient,  // the node's bytes are lost; the broker's still reach it
    DropToClient,    // the broker's bytes are lost; the node's still reach it
  };

  // Listens on 127.0.0.1 (a free port) and relays to 127.0.0.1:`upstream_port`.
  explicit CutRelay(uint16_t upstream_port);
  ~CutRelay();
  CutRelay(const CutRelay&) = delete;
  CutRelay& operator=(const CutRelay&) = delete;

  uint16_t port() const { return port_; }
  // Takes effect within one poll period (20 ms).
  void set(Mode mode) { mode_ = mode; }
  // Mode::Close, and returns once the relay has closed every connection (at most 2 s).
  void close();
  // close(), then Mode::Pass: the node sees its connection lost and connects again.
  void closeThenPass();

 private:
  void run();

  uint16_t upstream_port_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<Mode> mode_{Mode::Pass};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> closed_rounds_{0};  // relay rounds run in Mode::Close
  std::thread thread_;
};

}  // namespace failover::cluster_e2e
