#include "control_connection.h"

#include <asio/read_until.hpp>
#include <asio/write.hpp>

namespace failover::sim {

ControlConnection::ControlConnection(asio::ip::tcp::socket socket, SimServer& server)
    : socket_(std::move(socket)), server_(server) {}

void ControlConnection::start() {
  auto weak = weak_from_this();
  channel_ = std::make_shared<ControlChannel>(server_, [weak](const std::string& line) {
    if (auto self = weak.lock()) {
      // Answers are short; a blocking write keeps "quit" answered before the exit.
      asio::error_code ignored;
      asio::write(self->socket_, asio::buffer(line + "\n"), ignored);
    }
  });
  readLine();
}

void ControlConnection::close() {
  asio::error_code ignored;
  socket_.close(ignored);
}

void ControlConnection::readLine() {
  asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, kMaxLine), '\n',
                         [self = shared_from_this()](asio::error_code error, size_t size) {
                           if (error) {
                             self->close();
                             return;
                           }
                           std::string line = self->buffer_.substr(0, size - 1);
                           self->buffer_.erase(0, size);
                           self->channel_->submit(std::move(line));
                           self->readLine();
                         });
}

}  // namespace failover::sim
