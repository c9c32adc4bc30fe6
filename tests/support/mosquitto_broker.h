#pragma once

// A real Mosquitto broker for tests, on a free 127.0.0.1 port, with its own config in a
// temporary directory. It can be stopped and started again on the same port to test
// reconnects. The destructor stops it, so no test leaves a broker behind. With BrokerTls
// its main listener speaks MQTT over TLS (ssl://) instead of plain TCP.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "support/child_process.h"
#include "support/temp_dir.h"

namespace failover::testing {

// The broker's listener as a TLS listener. Paths are PEM files.
struct BrokerTls {
  std::filesystem::path ca_file;     // authority that client certificates must chain to
  std::filesystem::path cert_file;   // the broker's certificate
  std::filesystem::path key_file;    // and its private key
  bool require_certificate = false;  // mutual TLS: refuse clients without a valid certificate
};

class MosquittoBroker {
 public:
  // `extra_config` is appended to the generated mosquitto.conf (e.g. a websockets listener).
  explicit MosquittoBroker(std::string extra_config = "");
  // The same, with the main listener speaking TLS.
  explicit MosquittoBroker(BrokerTls tls, std::string extra_config = "");
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Starts the broker and waits until it accepts connections (at most 5 s). Returns false
  // when mosquitto is missing or does not come up.
  bool start();
  // Stops it with SIGTERM (SIGKILL after 3 s) and reaps it.
  void stop();
  bool running() const { return process_ != nullptr; }
  // The broker's process id while it runs (for freezing it with SIGSTOP), else -1.
  pid_t pid() const { return process_ ? process_->pid() : -1; }

  uint16_t port() const { return port_; }
  // "tcp://127.0.0.1:<port>", or "ssl://..." with TLS.
  std::string uri() const;

 private:
  std::optional<TempDir> directory_;  // its config; empty when it could not be made
  std::string extra_config_;
  std::optional<BrokerTls> tls_;
  uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// True once a TCP connection to 127.0.0.1:port succeeds.
bool loopbackPortAccepts(uint16_t port);

}  // namespace failover::testing
