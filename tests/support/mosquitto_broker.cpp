#include "support/mosquitto_broker.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "support/free_port.h"

namespace failover::testing {

bool loopbackPortAccepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool accepted = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return accepted;
}

MosquittoBroker::MosquittoBroker(std::string extra_config)
    : directory_(TempDir::tryCreate("failover-broker")), extra_config_(std::move(extra_config)) {}

MosquittoBroker::MosquittoBroker(BrokerTls tls, std::string extra_config)
    : MosquittoBroker(std::move(extra_config)) {
  tls_ = std::move(tls);
}

std::string MosquittoBroker::uri() const {
  return (tls_ ? "ssl://127.0.0.1:" : "tcp://127.0.0.1:") + std::to_string(port_);
}

MosquittoBroker::~MosquittoBroker() {
  stop();
}

bool MosquittoBroker::start() {
  if (process_) {
    return true;
  }
  if (!directory_ || std::string(MOSQUITTO_EXECUTABLE).find("NOTFOUND") != std::string::npos) {
    return false;
  }
  // A restart keeps the port, so clients reconnect to the same address; a first start
  // tries another free port if the chosen one was taken in the meantime.
  const bool restart = port_ != 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!restart) {
      port_ = pickFreePort();
    }
    const auto config_path = directory_->path() / "mosquitto.conf";
    {
      std::ofstream config(config_path);
      // As root, mosquitto would drop to its own user and lose access to this directory.
      if (::geteuid() == 0) {
        config << "user root\n";
      }
      config << "listener " << port_ << " 127.0.0.1\n";
      if (tls_) {
        // Listener options: they must follow their `listener` line.
        config << "cafile " << tls_->ca_file.string() << "\n"
               << "certfile " << tls_->cert_file.string() << "\n"
               << "keyfile " << tls_->key_file.string() << "\n"
               << "require_certificate " << (tls_->require_certificate ? "true" : "false") << "\n";
      }
      config << "allow_anonymous true\n"
             << "persistence false\n"
             << "set_tcp_nodelay true\n"
             << "log_dest stderr\n"
             << "log_type error\nlog_type warning\n"
             << "max_packet_size 4194304\n"
             << extra_config_;
    }
    auto process = std::make_unique<ChildProcess>(
        std::vector<std::string>{MOSQUITTO_EXECUTABLE, "-c", config_path.string()});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline && process->running()) {
      if (loopbackPortAccepts(port_)) {
        process_ = std::move(process);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return false;
}

void MosquittoBroker::stop() {
  if (process_) {
    process_->stop(SIGTERM, std::chrono::milliseconds(3000));
    process_.reset();
  }
}

}  // namespace failover::testing
