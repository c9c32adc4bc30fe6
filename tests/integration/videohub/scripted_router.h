#pragma once

// A scripted Videohub peer for the exchanges the simulator does not produce on its own (for
// example a push from another client between our request and its ACK). It runs on the test's
// io_context, accepts one client at a time on 127.0.0.1, sends `prelude`, then answers every
// request block with whatever `answer` returns for it. When the client leaves, its reconnect
// gets the same prelude and script.

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <asio.hpp>

namespace failover::videohub_client::testing {

class ScriptedRouter {
 public:
  using Answer = std::function<std::string(const std::string& request_block)>;

  ScriptedRouter(asio::io_context& io, std::string prelude, Answer answer);
  uint16_t port() const { return port_; }
  // Every request block received so far, each with its terminating blank line.
  const std::vector<std::string>& requests() const { return requests_; }
  int connections() const { return connections_; }

 private:
  void accept();
  void readMore();

  asio::ip::tcp::acceptor acceptor_;
  asio::ip::tcp::socket peer_;
  std::string prelude_;
  Answer answer_;
  uint16_t port_ = 0;
  int connections_ = 0;
  std::array<char, 4096> buffer_{};
  std::string pending_;
  std::vector<std::string> requests_;
  std::string out_;
};

}  // namespace failover::videohub_client::testing
