#include "client_session.h"

#include <asio/write.hpp>

#include "sim_logger.h"

namespace failover::sim {

ClientSession::ClientSession(asio::ip::tcp::socket socket, std::string ip,
                             const FaultSettings& faults, SessionEvents& events)
    : socket_(std::move(socket)),
      ip_(std::move(ip)),
      faults_(faults),
      events_(events),
      hold_timer_(socket_.get_executor()) {}

void ClientSession::start(std::string_view prelude) {
  send(prelude);
  readMore();
}

void ClientSession::readMore() {
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](asio::error_code error, size_t size) {
                            if (self->closed_) {
                              return;
                            }
                            if (error) {
                              self->close();
                              return;
                            }
                            self->onBytes(std::string_view(self->read_buffer_.data(), size));
                            if (!self->closed_) {
                              self->readMore();
                            }
                          });
}

void ClientSession::onBytes(std::string_view bytes) {
  // Fed one line at a time so that each completed block can be told whether the parser had
  // to skip any of its lines (such a block is malformed and gets NAK).
  while (!bytes.empty() && !closed_) {
    const auto newline = bytes.find('\n');
    const std::string_view piece =
        newline == std::string_view::npos ? bytes : bytes.substr(0, newline + 1);
    bytes.remove_prefix(piece.size());
    request_bytes_ += piece.size();
    blocks_.clear();
    parser_.feed(piece, blocks_);
    if (!blocks_.empty()) {
      const auto& stats = parser_.stats();
      const uint64_t skipped = stats.malformed_lines + stats.oversized_lines + stats.dropped_lines;
      const bool malformed = skipped != skipped_lines_seen_;
      skipped_lines_seen_ = skipped;
      request_bytes_ = 0;
      for (const auto& block : blocks_) {
        events_.onRequest(*this, block, malformed);
        if (closed_) {
          return;
        }
      }
    } else if (!parser_.midBlock()) {
      request_bytes_ = 0;  // blank lines between blocks
    }
    if (request_bytes_ > kMaxRequestBytes) {
      simLogger()->warn("client dropped client={} reason=\"request block over {} bytes\"", ip_,
                        kMaxRequestBytes);
      close();
      return;
    }
  }
}

void ClientSession::send(std::string_view bytes) {
  if (closed_ || faults_.silent || bytes.empty()) {
    return;
  }
  if (unsent() + bytes.size() > kMaxUnsentBytes) {
    simLogger()->warn("client dropped client={} reason=\"over {} bytes unread\"", ip_,
                      kMaxUnsentBytes);
    close();
    return;
  }
  if (faults_.coalesce_ms > 0 && unsent() == 0 && !writing_ && !held()) {
    holdOutput(std::chrono::milliseconds(faults_.coalesce_ms));
  }
  if (pending_offset_ > 0 && pending_offset_ >= pending_.size() / 2) {
    pending_.erase(0, pending_offset_);
    pending_offset_ = 0;
  }
  pending_.append(bytes);
  pump();
}

void ClientSession::holdOutput(std::chrono::milliseconds delay) {
  if (closed_) {
    return;
  }
  const auto until = Clock::now() + delay;
  if (until <= held_until_) {
    return;
  }
  held_until_ = until;
  hold_timer_.expires_at(until);
  hold_timer_.async_wait([self = shared_from_this()](asio::error_code error) {
    if (error != asio::error::operation_aborted) {
      self->pump();
    }
  });
}

void ClientSession::dropPending() {
  pending_.clear();
  pending_offset_ = 0;
}

void ClientSession::pump() {
  if (closed_ || writing_ || unsent() == 0 || held()) {
    return;
  }
  size_t size = unsent();
  if (faults_.split_writes > 0 && size > faults_.split_writes) {
    size = faults_.split_writes;
  }
  in_flight_.assign(pending_, pending_offset_, size);
  pending_offset_ += size;
  if (pending_offset_ == pending_.size()) {
    pending_.clear();
    pending_offset_ = 0;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(in_flight_),
                    [self = shared_from_this()](asio::error_code error, size_t) {
                      self->writing_ = false;
                      if (self->closed_) {
                        return;
                      }
                      if (error) {
                        self->close();
                        return;
                      }
                      if (self->faults_.split_writes > 0 && self->unsent() > 0) {
                        self->holdOutput(kSplitGap);
                      }
                      self->pump();
                    });
}

bool ClientSession::admitRequest(const BurstLimit& limit) {
  const auto now = Clock::now();
  if (burst_count_ == 0 ||
      now - burst_window_start_ >= std::chrono::milliseconds(limit.window_ms)) {
    burst_window_start_ = now;
    burst_count_ = 0;
  }
  ++burst_count_;
  return burst_count_ <= limit.count;
}

void ClientSession::close() {
  if (closed_) {
    return;
  }
  auto keep_alive = shared_from_this();
  closed_ = true;
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  hold_timer_.cancel();
  dropPending();
  events_.onClosed(*this);
}

}  // namespace failover::sim
