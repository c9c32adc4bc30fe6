#pragma once

// One protocol client of the simulator: reads request blocks, writes through a single queue,
// and applies the output faults (hold, split, coalesce, silence) on the way out.

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "failover/sim/sim_options.h"
#include "failover/videohub/block_parser.h"

namespace failover::sim {

class ClientSession;

// What a session reports to the server; called on the I/O thread.
class SessionEvents {
 public:
  virtual ~SessionEvents() = default;
  // A complete request block; `malformed` when the parser skipped lines of it.
  virtual void onRequest(ClientSession& session, const videohub::Block& block, bool malformed) = 0;
  // The connection is gone (peer closed, error, or close()).
  virtual void onClosed(ClientSession& session) = 0;
};

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  // A client that reads nothing while this much is queued for it is dropped; a 288x288
  // prelude is well under 100 KB.
  static constexpr size_t kMaxUnsentBytes = 16 * 1024 * 1024;
  // A request block larger than this (a runaway or hostile stream) drops the client.
  static constexpr size_t kMaxRequestBytes = 1024 * 1024;
  // Gap between the pieces of a split write, so a reader sees them separately.
  static constexpr std::chrono::milliseconds kSplitGap{1};

  ClientSession(asio::ip::tcp::socket socket, std::string ip, const FaultSettings& faults,
                SessionEvents& events);

  // Queues `prelude` and starts reading.
  void start(std::string_view prelude);

  // Queues bytes behind everything queued before. Dropped while the simulator is silent.
  void send(std::string_view bytes);

  // Nothing leaves until `delay` has passed (extends, never shortens, a running hold).
  void holdOutput(std::chrono::milliseconds delay);

  // Forgets queued bytes that have not been handed to the socket (going silent).
  void dropPending();

  // Closes the socket and reports onClosed once.
  void close();

  // Counts one request against the burst limit; false when it is over the limit.
  bool admitRequest(const BurstLimit& limit);

  const std::string& ip() const { return ip_; }
  bool closed() const { return closed_; }

 private:
  using Clock = std::chrono::steady_clock;

  void readMore();
  void onBytes(std::string_view bytes);
  void pump();
  bool held() const { return Clock::now() < held_until_; }
  size_t unsent() const { return pending_.size() - pending_offset_; }

  asio::ip::tcp::socket socket_;
  std::string ip_;
  const FaultSettings& faults_;
  SessionEvents& events_;
  asio::steady_timer hold_timer_;

  std::array<char, 16 * 1024> read_buffer_{};
  videohub::BlockParser parser_;
  std::vector<videohub::Block> blocks_;
  uint64_t skipped_lines_seen_ = 0;  // parser's skipped-line count at the last block end
  size_t request_bytes_ = 0;         // bytes of the block being received

  std::string pending_;
  size_t pending_offset_ = 0;
  std::string in_flight_;
  bool writing_ = false;
  Clock::time_point held_until_{};

  Clock::time_point burst_window_start_{};
  uint32_t burst_count_ = 0;

  bool closed_ = false;
};

}  // namespace failover::sim
