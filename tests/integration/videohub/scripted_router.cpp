#include "scripted_router.h"

#include <memory>

namespace failover::videohub_client::testing {

ScriptedRouter::ScriptedRouter(asio::io_context& io, std::string prelude, Answer answer)
    : acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      peer_(io),
      prelude_(std::move(prelude)),
      answer_(std::move(answer)) {
  port_ = acceptor_.local_endpoint().port();
  accept();
}

void ScriptedRouter::accept() {
  acceptor_.async_accept(peer_, [this](const asio::error_code& ec) {
    if (ec) {
      return;
    }
    ++connections_;
    pending_.clear();
    asio::error_code ignored;
    asio::write(peer_, asio::buffer(prelude_), ignored);
    readMore();
  });
}

void ScriptedRouter::readMore() {
  peer_.async_read_some(asio::buffer(buffer_), [this](const asio::error_code& ec, size_t n) {
    if (ec) {
      if (ec != asio::error::operation_aborted) {
        // The client left: serve its reconnect with the same script.
        asio::error_code ignored;
        peer_.close(ignored);
        accept();
      }
      return;
    }
    pending_.append(buffer_.data(), n);
    for (auto end = pending_.find("\n\n"); end != std::string::npos; end = pending_.find("\n\n")) {
      const std::string block = pending_.substr(0, end + 2);
      pending_.erase(0, end + 2);
      requests_.push_back(block);
      // Written in one go: the client must split replies and pushes itself.
      const std::string reply = answer_(block);
      asio::error_code ignored;
      asio::write(peer_, asio::buffer(reply), ignored);
    }
    readMore();
  });
}

}  // namespace failover::videohub_client::testing
