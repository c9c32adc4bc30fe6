#pragma once

// The state behind VideohubClient, shared by its handlers (shared_ptr, so a handler that
// runs after stop() finds a live object that ignores it). Connection handling is in
// client_connection.cpp, salvo tracking in client_salvo.cpp.

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

#include "failover/videohub/block_parser.h"
#include "failover/videohub_client/backoff.h"
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
  void shutdown(bool notify_salvos);
  void routeSalvo(std::vector<RouteRequest> routes, SalvoCallback callback);
  void requestLock(uint32_t output, LockState request, std::function<void(bool)> callback);

  ConnectionState connection_state_ = ConnectionState::Disconnected;
  RouterState state_;
  ClientStats stats_;

 private:
  // A salvo from routeSalvo() until its callback is called.
  struct Salvo {
    enum class Phase { Unlocking, AwaitAck, Confirming, DumpRequested, Dumping };
    explicit Salvo(asio::io_context& io) : timer(io) {}
    uint64_t id = 0;
    SalvoCallback callback;
    std::vector<RouteResult> results;
    std::vector<bool> pending;        // parallel to results
    std::vector<uint32_t> unlocking;  // 1-based outputs waiting for the router to show U
    Phase phase = Phase::AwaitAck;
    asio::steady_timer timer;
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
  void failConnection(const std::string& reason, const char* salvo_reason);
  void scheduleReconnect();
  void setState(ConnectionState state, const std::string& reason);
  bool connected() const;
  uint64_t push(RequestKind kind, videohub::Block block);
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

  // Salvos (client_salvo.cpp).
  void sendSalvoRoutes(Salvo& salvo);
  void onSalvoReply(uint64_t salvo_id, RequestKind kind, Reply reply);
  void onRoutingBlock(const videohub::RoutingBlock& block);
  void onLocksChanged();
  void checkUnlocked(Salvo& salvo, bool final);
  void confirmFromState(Salvo& salvo, bool final);
  void startConfirmTimer(Salvo& salvo);
  void onSuperseded(const std::vector<Superseded>& superseded);
  void failSalvos(const char* reason);
  void finishIfDone(uint64_t salvo_id);
  void settle(Salvo& salvo, size_t i, RouteOutcome outcome, const std::string& reason);

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
  Backoff backoff_;
  std::optional<uint64_t> sync_ping_id_;
  std::chrono::steady_clock::time_point connected_at_{};
  std::string last_unavailable_reason_;

  uint64_t next_salvo_id_ = 1;
  std::map<uint64_t, std::unique_ptr<Salvo>> salvos_;
  std::unordered_map<uint64_t, uint64_t> request_salvo_;  // queue request id → salvo id
  std::unordered_map<uint64_t, std::function<void(bool)>> request_callbacks_;
  void failRequestCallbacks();

  // Kept inputs whose different label was already logged on this connection.
  std::set<uint32_t> label_drift_reported_;
  std::string refused_label_bytes_;  // the last label block the router NAKed
  bool skip_labels_once_ = false;    // the last label block got no ACK
};

}  // namespace failover::videohub_client
