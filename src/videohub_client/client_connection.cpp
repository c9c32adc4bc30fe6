#include <random>

#include <spdlog/sinks/stdout_color_sinks.h>

#include "client_impl.h"
#include "failover/videohub/block_encoder.h"

namespace failover::videohub_client {

namespace vh = videohub;
using asio::ip::tcp;

std::shared_ptr<spdlog::logger> videohubLogger() {
  auto logger = spdlog::get("videohub");
  if (!logger) {
    logger = spdlog::stderr_color_mt("videohub");
  }
  return logger;
}

const char* toString(ConnectionState state) {
  switch (state) {
    case ConnectionState::Disconnected:
      return "disconnected";
    case ConnectionState::Connecting:
      return "connecting";
    case ConnectionState::Syncing:
      return "syncing";
    case ConnectionState::Ready:
      return "ready";
    case ConnectionState::Unavailable:
      return "unavailable";
  }
  return "unknown";
}

// ---- public face ---------------------------------------------------------------------------

VideohubClient::VideohubClient(asio::io_context& io, ClientOptions options,
                               ClientObservers observers)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(observers))) {}

VideohubClient::~VideohubClient() {
  impl_->shutdown(false);
}

void VideohubClient::start() {
  impl_->start();
}
void VideohubClient::stop() {
  impl_->shutdown(true);
}
void VideohubClient::sendRoutes(std::vector<core::Route> routes, BlockReport report) {
  impl_->sendRoutes(std::move(routes), std::move(report));
}
void VideohubClient::lockOutputs(std::vector<int> outputs, BlockReport report) {
  impl_->lockOutputs(std::move(outputs), std::move(report));
}
void VideohubClient::allowLabelWriting(bool allowed) {
  impl_->allowLabelWriting(allowed);
}
void VideohubClient::requestLock(uint32_t output, LockState request,
                                 std::function<void(bool)> callback) {
  impl_->requestLock(output, request, std::move(callback));
}
ConnectionState VideohubClient::connectionState() const {
  return impl_->connection_state_;
}
const RouterState& VideohubClient::state() const {
  return impl_->state_;
}
ClientStats VideohubClient::stats() const {
  return impl_->stats_;
}

// ---- connection ----------------------------------------------------------------------------

VideohubClient::Impl::Impl(asio::io_context& io, ClientOptions options, ClientObservers observers)
    : io_(io),
      options_(std::move(options)),
      observers_(std::move(observers)),
      log_(videohubLogger()),
      resolver_(io),
      socket_(io),
      connect_timer_(io),
      reconnect_timer_(io),
      ack_timer_(io),
      keepalive_timer_(io),
      silence_timer_(io),
      backoff_(core::BackoffPolicy{options_.backoff_initial, options_.backoff_cap, 0.2},
               core::seededUnitRandom(std::random_device{}())) {}

std::string VideohubClient::Impl::endpointText() const {
  return options_.host + ":" + std::to_string(options_.port);
}

void VideohubClient::Impl::start() {
  if (started_ || stopped_) {
    return;
  }
  started_ = true;
  connect();
}

void VideohubClient::Impl::shutdown(bool notify_blocks) {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  ++generation_;
  asio::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  connect_timer_.cancel();
  reconnect_timer_.cancel();
  ack_timer_.cancel();
  keepalive_timer_.cancel();
  silence_timer_.cancel();
  (void)queue_.failAll();
  if (notify_blocks) {
    failRequestCallbacks();
    failRouteBlocks("the router client stopped");
  } else {
    for (auto& [id, block] : blocks_) {
      block->unlock_timer.cancel();
    }
    blocks_.clear();
    request_block_.clear();
    request_callbacks_.clear();
  }
  connection_state_ = ConnectionState::Disconnected;
}

void VideohubClient::Impl::failRequestCallbacks() {
  for (auto& [id, callback] : request_callbacks_) {
    asio::post(io_, [cb = std::move(callback)] { cb(false); });
  }
  request_callbacks_.clear();
}

void VideohubClient::Impl::requestLock(uint32_t output, LockState request,
                                       std::function<void(bool)> callback) {
  if (!callback) {
    callback = [](bool) {
    };
  }
  if (!connected() || output == 0 || output > state_.outputCount() ||
      request == LockState::LockedByOther) {
    asio::post(io_, [cb = std::move(callback)] { cb(false); });
    return;
  }
  const uint64_t id =
      push(RequestKind::Lock,
           vh::Block(vh::LocksBlock{vh::PortKind::VideoOutput, {{output - 1, request}}}));
  request_callbacks_[id] = std::move(callback);
}

bool VideohubClient::Impl::connected() const {
  return connection_state_ == ConnectionState::Syncing ||
         connection_state_ == ConnectionState::Ready ||
         connection_state_ == ConnectionState::Unavailable;
}

void VideohubClient::Impl::setState(ConnectionState state, const std::string& reason) {
  if (state == connection_state_ && state != ConnectionState::Unavailable) {
    return;
  }
  if (state == ConnectionState::Unavailable && connection_state_ == state &&
      reason == last_unavailable_reason_) {
    return;
  }
  connection_state_ = state;
  switch (state) {
    case ConnectionState::Ready:
      log_->info("router {} ready: model=\"{}\" name=\"{}\" protocol={} inputs={} outputs={}",
                 endpointText(), state_.device().model_name, state_.device().friendly_name,
                 state_.device().protocol_version, state_.inputCount(), state_.outputCount());
      break;
    case ConnectionState::Unavailable:
      last_unavailable_reason_ = reason;
      log_->warn("router {} unavailable: {}", endpointText(), reason);
      break;
    case ConnectionState::Disconnected:
      log_->warn("router {} disconnected: {}", endpointText(), reason);
      break;
    case ConnectionState::Connecting:
      log_->debug("router {} connecting", endpointText());
      break;
    case ConnectionState::Syncing:
      log_->info("router {} connected, reading its state", endpointText());
      break;
  }
  if (state != ConnectionState::Unavailable) {
    last_unavailable_reason_.clear();
  }
  if (observers_.on_connection) {
    ConnectionEvent event;
    event.state = state;
    event.reason = reason;
    event.device = state_.device();
    observers_.on_connection(event);
  }
}

void VideohubClient::Impl::connect() {
  if (stopped_) {
    return;
  }
  const uint64_t generation = ++generation_;
  setState(ConnectionState::Connecting, "");
  auto self = shared_from_this();
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([this, self, generation](const asio::error_code& ec) {
    if (ec || generation != generation_ || connection_state_ != ConnectionState::Connecting) {
      return;
    }
    failConnection("connect timeout after " + std::to_string(options_.connect_timeout.count()) +
                   " ms");
  });
  asio::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoints_ = {tcp::endpoint(address, options_.port)};
    connectTo(0, generation);
    return;
  }
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [this, self, generation](const asio::error_code& error, tcp::resolver::results_type results) {
        if (generation != generation_ || stopped_) {
          return;
        }
        if (error || results.empty()) {
          failConnection("cannot resolve " + options_.host + ": " +
                         (error ? error.message() : std::string("no address")));
          return;
        }
        endpoints_.clear();
        for (const auto& entry : results) {
          endpoints_.push_back(entry.endpoint());
        }
        connectTo(0, generation);
      });
}

// Tries the resolved addresses in order ("localhost" may give ::1 before 127.0.0.1), all
// within the one connect timeout. Asio's range connect cannot be used: it reopens the socket
// for each address and would lose the local binding.
void VideohubClient::Impl::connectTo(size_t index, uint64_t generation) {
  const tcp::endpoint endpoint = endpoints_.at(index);
  const bool last = index + 1 >= endpoints_.size();
  asio::error_code ec;
  socket_ = tcp::socket(io_);
  socket_.open(endpoint.protocol(), ec);
  std::string failure = ec ? "cannot open a socket: " + ec.message() : "";
  if (!ec && !options_.local_address.empty()) {
    // The source address makes this node's router locks its own (locks go by address).
    const auto local = asio::ip::make_address(options_.local_address, ec);
    if (!ec) {
      socket_.bind(tcp::endpoint(local, 0), ec);
    }
    if (ec) {
      failure = "cannot bind to the local address " + options_.local_address + ": " + ec.message();
    }
  }
  if (ec) {
    if (!last) {
      connectTo(index + 1, generation);
      return;
    }
    failConnection(failure);
    return;
  }
  auto self = shared_from_this();
  socket_.async_connect(endpoint,
                        [this, self, generation, index, last](const asio::error_code& error) {
                          if (generation != generation_ || stopped_) {
                            return;
                          }
                          if (error) {
                            if (!last) {
                              connectTo(index + 1, generation);
                              return;
                            }
                            failConnection("cannot connect: " + error.message());
                            return;
                          }
                          onConnected();
                        });
}

void VideohubClient::Impl::onConnected() {
  connect_timer_.cancel();
  asio::error_code ignored;
  // Small request blocks must not wait for Nagle's algorithm.
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.set_option(asio::socket_base::keep_alive(true), ignored);
  ++stats_.connects;
  if (stats_.connects > 1) {
    ++stats_.reconnects;
  }
  parser_.reset();
  counted_parser_stats_ = parser_.stats();
  state_.clear();
  prelude_.reset();
  outgoing_.clear();
  write_in_progress_ = false;
  connected_at_ = std::chrono::steady_clock::now();
  setState(ConnectionState::Syncing, "");
  // Routers without END PRELUDE answer this only after their dump.
  sync_ping_id_ = push(RequestKind::Ping, vh::PingBlock{});
  armSilenceTimer();
  armKeepaliveTimer();
  readMore();
}

void VideohubClient::Impl::readMore() {
  auto self = shared_from_this();
  const uint64_t generation = generation_;
  socket_.async_read_some(asio::buffer(read_buffer_), [this, self, generation](
                                                          const asio::error_code& error,
                                                          size_t length) {
    if (generation != generation_ || stopped_) {
      return;
    }
    if (error) {
      failConnection(error == asio::error::eof ? std::string("closed by the router")
                                               : "read failed: " + error.message());
      return;
    }
    armSilenceTimer();
    // The router answers the first PING only after its whole dump,
    // which takes a while on a big router or a slow link: while the
    // dump streams in, that PING's deadline moves on.
    if (sync_ping_id_ && queue_.current() != nullptr && queue_.current()->id == *sync_ping_id_ &&
        std::chrono::steady_clock::now() - connected_at_ < options_.prelude_timeout) {
      armAckTimer(*sync_ping_id_);
    }
    onBytes(std::string_view(read_buffer_.data(), length));
    if (generation == generation_ && !stopped_) {
      readMore();
    }
  });
}

void VideohubClient::Impl::onBytes(std::string_view bytes) {
  std::vector<vh::Block> blocks;
  parser_.feed(bytes, blocks);
  const auto& now = parser_.stats();
  stats_.malformed_lines += now.malformed_lines - counted_parser_stats_.malformed_lines;
  stats_.unknown_blocks += now.unknown_blocks - counted_parser_stats_.unknown_blocks;
  counted_parser_stats_ = now;
  const uint64_t generation = generation_;
  for (const auto& block : blocks) {
    if (generation != generation_ || stopped_) {
      return;  // a block ended this connection
    }
    onBlock(block);
  }
}

void VideohubClient::Impl::onBlock(const vh::Block& block) {
  ++stats_.blocks_received;
  if (std::holds_alternative<vh::AckBlock>(block)) {
    onReply(Reply::Ack);
    return;
  }
  if (std::holds_alternative<vh::NakBlock>(block)) {
    onReply(Reply::Nak);
    return;
  }
  log_->debug("router {} sent {}", endpointText(), vh::headerOf(block));
  // A device block after the first one: the router is re-sending everything (new hardware,
  // maybe new counts). Requests already queued still leave, in order: the router answers
  // them against its new device.
  const bool redump = std::holds_alternative<vh::DeviceBlock>(block) && state_.hasDevice();
  const StateChange change = state_.apply(block);
  if (redump) {
    log_->info("router {} re-sent its device block: rebuilding the mirror", endpointText());
    prelude_.restartForRedump();
    sync_ping_id_ = push(RequestKind::Ping, vh::PingBlock{});
  }
  const PreludeStatus status = prelude_.onBlock(block, state_);
  if (!change.empty() && observers_.on_change) {
    observers_.on_change(change, state_);
  }
  if (!change.input_labels.empty() && !change.device) {
    onInputLabelsChanged(change.input_labels);
  }
  if (!change.locks.empty()) {
    onLocksChanged();
  }
  onPreludeStatus(status);
}

void VideohubClient::Impl::onPreludeStatus(PreludeStatus status) {
  switch (status) {
    case PreludeStatus::Complete:
      if (connection_state_ != ConnectionState::Ready) {
        backoff_.reset();
        setState(ConnectionState::Ready, "");
        // After the observers: routing they ask for on Ready goes first.
        writeInputLabels();
      }
      break;
    case PreludeStatus::DeviceUnavailable:
      setState(ConnectionState::Unavailable, prelude_.reason());
      break;
    case PreludeStatus::NotAVideohub:
      failConnection(prelude_.reason());
      break;
    case PreludeStatus::InProgress:
      if (connection_state_ == ConnectionState::Ready ||
          connection_state_ == ConnectionState::Unavailable) {
        setState(ConnectionState::Syncing, "");
      }
      break;
  }
}

void VideohubClient::Impl::onReply(Reply reply) {
  std::optional<Request> done = queue_.resolve(reply);
  if (!done) {
    log_->warn("router {} sent {} with no request outstanding", endpointText(),
               reply == Reply::Ack ? "ACK" : "NAK");
    return;
  }
  ack_timer_.cancel();
  if (reply == Reply::Nak) {
    ++stats_.naks;
    log_->warn("router {} answered NAK to: {}", endpointText(), done->bytes);
  }
  if (done->kind == RequestKind::Labels) {
    onLabelsReply(*done, reply);
  }
  if (done->kind == RequestKind::Ping && sync_ping_id_ == done->id) {
    sync_ping_id_.reset();
    if (reply == Reply::Ack) {
      onPreludeStatus(prelude_.onPingAcked(state_));
    }
  }
  if (const auto cb = request_callbacks_.find(done->id); cb != request_callbacks_.end()) {
    asio::post(io_, [callback = std::move(cb->second), accepted = reply == Reply::Ack] {
      callback(accepted);
    });
    request_callbacks_.erase(cb);
  }
  // A merged routing block answers every route block whose routes it carried.
  std::vector<uint64_t> ids{done->id};
  ids.insert(ids.end(), done->merged_ids.begin(), done->merged_ids.end());
  for (const uint64_t id : ids) {
    const auto it = request_block_.find(id);
    if (it != request_block_.end()) {
      const uint64_t block_id = it->second;
      request_block_.erase(it);
      onRouteBlockReply(block_id, id, reply);
    }
  }
  pump();
}

void VideohubClient::Impl::failConnection(const std::string& reason) {
  if (stopped_) {
    return;
  }
  ++generation_;
  asio::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  connect_timer_.cancel();
  ack_timer_.cancel();
  keepalive_timer_.cancel();
  silence_timer_.cancel();
  outgoing_.clear();
  write_in_progress_ = false;
  sync_ping_id_.reset();
  // Nothing is retried on the next connection: a stale route must not land late.
  (void)queue_.failAll();
  failRequestCallbacks();
  failRouteBlocks(reason);
  ++stats_.disconnects;
  setState(ConnectionState::Disconnected, reason);
  scheduleReconnect();
}

void VideohubClient::Impl::scheduleReconnect() {
  if (stopped_ || !options_.reconnect) {
    return;
  }
  const auto delay = backoff_.next();
  log_->debug("router {} reconnecting in {} ms", endpointText(), delay.count());
  auto self = shared_from_this();
  const uint64_t generation = generation_;
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([this, self, generation](const asio::error_code& ec) {
    if (ec || stopped_ || generation != generation_) {
      return;
    }
    connect();
  });
}

uint64_t VideohubClient::Impl::push(RequestKind kind, vh::Block block, uint64_t route_block) {
  const uint64_t id = queue_.push(kind, std::move(block));
  if (route_block != 0) {
    request_block_[id] = route_block;  // before pump(): writing it reports BlockSent
  }
  pump();
  return id;
}

void VideohubClient::Impl::pump() {
  if (!connected()) {
    return;
  }
  const Request* request = queue_.startNext();
  if (request == nullptr) {
    return;
  }
  log_->debug("router {} <- {}", endpointText(), vh::headerOf(request->block));
  ++stats_.requests_sent;
  outgoing_ += request->bytes;
  flushWrites();
  onRequestWritten(*request, core::MonoClock::now());
  armAckTimer(request->id);
}

void VideohubClient::Impl::armAckTimer(uint64_t id) {
  auto self = shared_from_this();
  const uint64_t generation = generation_;
  ack_timer_.expires_after(options_.ack_timeout);
  ack_timer_.async_wait([this, self, generation, id](const asio::error_code& ec) {
    if (ec || stopped_ || generation != generation_ || queue_.current() == nullptr ||
        queue_.current()->id != id) {
      return;
    }
    ++stats_.ack_timeouts;
    if (queue_.current()->kind == RequestKind::Labels) {
      onLabelsUnanswered();
    }
    failConnection("no ACK within " + std::to_string(options_.ack_timeout.count()) + " ms");
  });
}

void VideohubClient::Impl::flushWrites() {
  if (write_in_progress_ || outgoing_.empty()) {
    return;
  }
  write_in_progress_ = true;
  writing_ = std::move(outgoing_);
  outgoing_.clear();
  auto self = shared_from_this();
  const uint64_t generation = generation_;
  asio::async_write(socket_, asio::buffer(writing_),
                    [this, self, generation](const asio::error_code& error, size_t /*n*/) {
                      if (generation != generation_ || stopped_) {
                        return;
                      }
                      write_in_progress_ = false;
                      if (error) {
                        failConnection("write failed: " + error.message());
                        return;
                      }
                      flushWrites();
                    });
}

void VideohubClient::Impl::armSilenceTimer() {
  auto self = shared_from_this();
  const uint64_t generation = generation_;
  silence_timer_.expires_after(options_.silence_timeout);
  silence_timer_.async_wait([this, self, generation](const asio::error_code& ec) {
    if (ec || stopped_ || generation != generation_) {
      return;
    }
    failConnection("no bytes from the router for " +
                   std::to_string(options_.silence_timeout.count()) + " ms");
  });
}

void VideohubClient::Impl::armKeepaliveTimer() {
  auto self = shared_from_this();
  const uint64_t generation = generation_;
  keepalive_timer_.expires_after(options_.keepalive_interval);
  keepalive_timer_.async_wait([this, self, generation](const asio::error_code& ec) {
    if (ec || stopped_ || generation != generation_) {
      return;
    }
    if (!queue_.hasQueuedPing()) {
      push(RequestKind::Ping, vh::PingBlock{});
    }
    armKeepaliveTimer();
  });
}

}  // namespace failover::videohub_client
