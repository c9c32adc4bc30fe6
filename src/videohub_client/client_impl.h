#pragma once

// The state behind VideohubClient, shared by its handlers (shared_ptr, so a handler that
// runs after stop() finds a live object that ignores it). Connection handling is in
// client_connection.cpp, route and lock blocks and their reports in client_routes.cpp.

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <asio.hpp>
#include <spdlog/spdlog.h>

#include "failover/core/backoff.h"
#include "failover/videohub/block_parser.h"
#include "failover/videohub_client/prelude_tracker.h"
#include "failover/videohub_client/router_state.h"
#include "failover/videohub_client/send_queue.h"
#include "failover/videohub_client/videohub_client.h"

namespace failover::videohub_client {

// The shared "videohub" logger (created on first use, logging to stderr).
std::shared_ptr<spdlog::logger> videohubLogger();

class VideohubClient::Impl : public std::enable_shared_from_this<VideohubClient::Impl> {
 public:
  Impl(asio::io_context& io, ClientOptions options, ClientObservers observers);

  void start();
  void shutdown(bool notify_blocks);
  void sendRoutes(std::vector<core::Route> routes, BlockReport report);
  void lockOutputs(std::vector<int> outputs, BlockReport report);
  void allowLabelWriting(bool allowed);
  void requestLock(uint32_t output, LockState request, std::function<void(bool)> callback);

  ConnectionState connection_state_ = ConnectionState::Disconnected;
  RouterState state_;
  ClientStats stats_;

 private:
  // A sendRoutes() or lockOutputs() block from its queueing until its final report. Both
  // may need a forced unlock first; the block they are for is then the "main" request.
  struct RouteBlock {
    explicit RouteBlock(asio::io_context& io) : unlock_timer(io) {}
    uint64_t id = 0;
    std::shared_ptr<BlockReport> report;  // shared by the posted reports
    std::vector<core::Route> routes;      // distinct outputs, range-checked
    std::vector<uint32_t> taking;         // lockOutputs(): 1-based outputs to lock (no routes)
    std::vector<uint32_t> unlocking;      // 1-based outputs waiting for the router to show U
    bool routing = false;                 // the main request is queued (or on the wire)
    uint64_t main_request = 0;            // its send-queue id, once queued
    bool sent = false;                    // BlockSent reported
    asio::steady_timer unlock_timer;
  };

  // Connection (client_connection.cpp).
  void connect();
  void connectTo(size_t index, uint64_t generation);
  void onConnected();
  void readMore();
  void onBytes(std::string_view bytes);
  void onBlock(const videohub::Block& block);
  void onReply(Reply reply);
  void onPreludeStatus(PreludeStatus status);
  void failConnection(const std::string& reason);
  void scheduleReconnect();
  void setState(ConnectionState state, const std::string& reason);
  bool connected() const;
  // Queues a request (linked to route block `route_block` when not 0) and writes it if the
  // wire is free.
  uint64_t push(RequestKind kind, videohub::Block block, uint64_t route_block = 0);
  void pump();
  void armAckTimer(uint64_t request_id);
  void flushWrites();
  void armSilenceTimer();
  void armKeepaliveTimer();
  std::string endpointText() const;

  // Input labels (client_labels.cpp).
  void writeInputLabels();
  void onInputLabelsChanged(const std::vector<uint32_t>& inputs);
  void onLabelsReply(const Request& done, Reply reply);
  void onLabelsUnanswered();

  // Route and lock blocks (client_routes.cpp).
  std::optional<core::BlockRefused> refusalWhenNotReady() const;
  std::optional<core::BlockRefused> refusalBeforeSending(std::vector<core::Route>& routes) const;
  std::optional<core::BlockRefused> refusalBeforeLocking(const std::vector<int>& outputs,
                                                         std::vector<uint32_t>& taking) const;
  void startBlock(std::unique_ptr<RouteBlock> owned, const std::vector<uint32_t>& outputs);
  void queueMainRequest(RouteBlock& block);
  void onRequestWritten(const Request& request, core::MonoTime at);
  void onRouteBlockReply(uint64_t block_id, uint64_t request_id, Reply reply);
  void onLocksChanged();
  void checkUnlocked(RouteBlock& block, bool final);
  void failRouteBlocks(const std::string& reason);
  void finish(uint64_t block_id, core::BlockOutcome outcome);
  void post(const std::shared_ptr<BlockReport>& report, core::BlockOutcome outcome);

  asio::io_context& io_;
  ClientOptions options_;
  ClientObservers observers_;
  std::shared_ptr<spdlog::logger> log_;

  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  std::vector<asio::ip::tcp::endpoint> endpoints_;  // where to connect, in order
  asio::steady_timer connect_timer_;
  asio::steady_timer reconnect_timer_;
  asio::steady_timer ack_timer_;
  asio::steady_timer keepalive_timer_;
  asio::steady_timer silence_timer_;

  bool started_ = false;
  bool stopped_ = false;
  uint64_t generation_ = 0;  // bumped per connection attempt; stale handlers compare it
  std::array<char, 64 * 1024> read_buffer_{};
  std::string outgoing_;
  std::string writing_;
  bool write_in_progress_ = false;

  videohub::BlockParser parser_;
  videohub::ParserStats counted_parser_stats_;
  PreludeTracker prelude_;
  SendQueue queue_;
  core::Backoff backoff_;
  std::optional<uint64_t> sync_ping_id_;
  std::chrono::steady_clock::time_point connected_at_{};
  std::string last_unavailable_reason_;

  uint64_t next_block_id_ = 1;
  std::map<uint64_t, std::unique_ptr<RouteBlock>> blocks_;
  std::unordered_map<uint64_t, uint64_t> request_block_;  // queue request id → route block id
  std::unordered_map<uint64_t, std::function<void(bool)>> request_callbacks_;
  void failRequestCallbacks();

  // Kept inputs whose different label was already logged on this connection.
  std::set<uint32_t> label_drift_reported_;
  std::string refused_label_bytes_;    // the last label block the router NAKed
  bool skip_labels_once_ = false;      // the last label block got no ACK
  bool label_writing_allowed_ = true;  // see VideohubClient::allowLabelWriting
};

}  // namespace failover::videohub_client
