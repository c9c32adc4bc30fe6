#pragma once

// The engine's private state and the declarations of its parts. One class, its member
// functions spread over files by concern: health.cpp (checks, staleness, rules),
// routing.cpp (router truth, outcomes, reconcile), decisions.cpp (automatic and manual
// switching), commands.cpp (operator commands), views.cpp (snapshots and warnings).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "failover/config/config_diff.h"
#include "failover/engine/failover_engine.h"

namespace failover::engine {

inline constexpr std::size_t kCheckCount = 5;  // config::Check values
inline constexpr int32_t kNone = -1;
inline constexpr int kMaxPort = 4096;  // beyond any Videohub; validation allows 288
// How long a backlog of messages read after a stall may take to be read (see backlog_read_by_).
inline constexpr core::Duration kBacklogSettle = std::chrono::milliseconds(20);

inline std::size_t checkIndex(config::Check check) {
  return static_cast<std::size_t>(check);
}

// Which machine of a pair.
enum class Side : int8_t { Main = 0, Backup = 1 };
inline Side otherSide(Side side) {
  return side == Side::Main ? Side::Backup : Side::Main;
}
inline std::size_t sideIndex(Side side) {
  return static_cast<std::size_t>(side);
}

// A machine's standing with respect to one pair's triggers.
enum class Verdict { Good, Unknown, Failing };

struct CheckSlot {
  CheckStatus status = CheckStatus::Unknown;
  std::string detail;
  core::MonoTime last_seen{};
  core::MonoTime failing_since{};  // when it entered Fail or Stale
  // A reported failure waiting for health.confirm_fail_ms: when it was first reported.
  std::optional<core::MonoTime> fail_reported_since;
  bool silent = false;   // diagnostics: unknown because they went (or stayed) silent
  bool fresh = false;    // in its silence list
  int32_t prev = kNone;  // silence list links (slot indices)
  int32_t next = kNone;
};

// Checks in the order they were last heard, least recent first, so the next one to fall
// silent is at the head: O(1) per message and per deadline.
struct SilenceList {
  int32_t head = kNone;
  int32_t tail = kNone;
};

struct RuleState {
  bool holding = false;
  bool active = false;
  core::MonoTime since{};  // when the condition began to hold
};

struct MachineRt {
  const config::MachineSettings* settings = nullptr;
  std::optional<std::string> engine_mode;
  bool live = false;
  std::vector<std::string> critical_parameters;
  std::vector<RuleState> rules;  // by config rule index
  bool critical = false;
  core::MonoTime critical_since{};
  std::vector<std::size_t> pairs;  // pairs this machine is Main or Backup of
};

struct RouterRt {
  const config::RouterSettings* settings = nullptr;
  bool enabled = true;
  bool connected = false;
  bool routing_known = false;      // a routing has been seen since start
  std::vector<int> source;         // by output-1; 0 = unknown
  std::vector<int> locked;         // outputs locked by another client, ascending
  std::optional<RouterSize> size;  // from the last prelude; ports beyond it cannot switch
  std::vector<int32_t> owner;      // by output-1: the pair index, or kNone
  std::vector<std::size_t> pairs;  // in config order
};

// Where a commanded switch stands. It ends when the router's routing shows the target
// (confirmed), or fails: refused, its router gone, or switch_timeout after the decision.
enum class SwitchPhase {
  Requested,     // the RouteRequest is out; the router has not reported writing it yet
  Sent,          // the block is on the router connection, not yet acknowledged
  Acknowledged,  // the router accepted the block; its routing does not show it yet
};

// A switch in progress. Only decided while the router can be routed to, so it always has a
// block: every routing block the node sends belongs to one, and ends in an event.
struct PendingSwitch {
  Side target = Side::Backup;
  std::optional<Side> from;
  SwitchEventType kind = SwitchEventType::Failover;
  std::optional<TriggerInfo> trigger;
  std::string reason;
  bool is_command = false;
  bool force = false;
  CommandMeta meta;
  core::MonoTime detected{};
  core::MonoTime commanded{};  // the decision; the router's BlockSent refines it
  core::MonoTime deadline{};
  uint64_t request_id = 0;  // 0 until the block is built
  SwitchPhase phase = SwitchPhase::Requested;
};

// A block of ours whose switch was already answered as failed (timed out before the ACK,
// or its connection was lost) while the router may still apply it. If the routing then
// shows its target, the change on air is this block's, reported as such: never as someone
// else's switch.
struct UnsettledBlock {
  PendingSwitch attempt;
  // Kept until then; unset: until the block's outcome, or the router's next full routing
  // after its connection was lost.
  std::optional<core::MonoTime> until;
  bool connection_lost = false;
};

// What the published state depends on; a change means PairStateChanged.
struct PairDigest {
  std::optional<Side> active;
  FailoverState failover = FailoverState::Degraded;
  bool switch_advised = false;
  config::FailoverMode mode = config::FailoverMode::Auto;
  bool armed = true;
  bool router_enabled = true;
  bool router_connected = false;
  std::array<MachineStatus, 2> machine_status{};
  std::array<bool, 2> healthy{};
  std::array<bool, 2> live{};
  std::array<std::array<CheckStatus, kCheckCount>, 2> checks{};
  std::vector<int> locked;
  std::vector<int> sources;  // what each output of the pair shows (its signals' inputs)
  std::vector<PairWarning> warnings;
  uint64_t seq = 0;
  friend bool operator==(const PairDigest&, const PairDigest&) = default;
};

// One signal of a pair, resolved: its outputs and its input on each machine (by Side).
struct PairSignal {
  std::string name;
  std::vector<int> outputs;
  std::array<int, 2> input{};
};

struct PairRt {
  const config::PairSettings* settings = nullptr;
  std::vector<PairSignal> signals;  // in configuration order, never empty
  std::size_t router = 0;
  std::array<std::size_t, 2> machine{};  // by Side
  config::FailoverMode mode = config::FailoverMode::Auto;
  bool armed = true;
  std::optional<Side> active;             // what the routing shows; unset while it does not say
  std::optional<Side> last_known_active;  // the last Side the routing showed
  std::optional<PendingSwitch> switching;
  std::optional<UnsettledBlock> unsettled;
  // Since when the machine on air has been there (first seen, or its change on air).
  std::optional<core::MonoTime> on_air_since;
  // The minimum dwell counts from the later of these: the last change on air (ours or
  // anyone's, as the router confirmed it) and the last block the node sent for the pair.
  std::optional<core::MonoTime> changed_on_air_at;
  std::optional<core::MonoTime> last_block_at;  // the router reported writing it
  // A refused automatic attempt is not retried before this (decisions.cpp failSwitch).
  std::optional<core::MonoTime> retry_at;
  std::optional<core::MonoTime> main_healthy_since;
  std::optional<core::MonoTime> wake_at;  // a decision waits for this time
  // A pair added or changed by a reload: no automatic action before this (its own
  // start-up grace).
  std::optional<core::MonoTime> grace_until;
  uint64_t seq = 0;
  std::optional<SwitchEvent> last_switch;
  std::vector<PairWarning> static_warnings;  // e.g. feature mismatch
  PairDigest published;
};

class FailoverEngine::Impl {
 public:
  Impl(const config::Config& config, core::MonoTime start, EngineOptions options);

  // reload.cpp: a new engine for `config` that carries on `old`'s state (see
  // FailoverEngine::reload); the actions of the change go to `out`.
  static std::unique_ptr<Impl> reloaded(Impl& old, const config::Config& config, core::MonoTime now,
                                        std::vector<Action>& out);

  void handleEvent(const Event& event, core::MonoTime now, std::vector<Action>& out);
  void tick(core::MonoTime now, std::vector<Action>& out);
  std::optional<core::MonoTime> nextDeadline() const;
  std::optional<PairView> pairView(const std::string& pair) const;
  std::vector<std::string> pairIds() const;
  const std::vector<std::string>& ruleFields(config::Check check) const;
  config::RunState runState() const;

 private:
  // Warnings known from the configuration alone (feature mismatch), emitted once with the
  // first call so the daemon logs and publishes them like any other.
  void announce(std::vector<Action>& out);

  // health.cpp
  void onHealth(const HealthObserved& event, core::MonoTime now, std::vector<Action>& out);
  bool evaluateRules(std::size_t machine, const HealthObserved& event, core::MonoTime now);
  void resetRules(std::size_t machine, config::Check source);
  bool updateCritical(std::size_t machine, core::MonoTime now);
  // Applies a reported status to a check, debounced by confirm_fail_ms; true if it changed.
  bool applyReported(std::size_t machine, config::Check check, CheckStatus status,
                     core::MonoTime read_at);
  void expireStale(core::MonoTime now);
  void expireDiagnostics(core::MonoTime now);
  void forgetDiagnostics(std::size_t machine, const std::string& detail, core::MonoTime now);
  void expireUnknown(core::MonoTime now);
  void confirmFailures(core::MonoTime now);
  // How long a reported failure of slot `index` must hold before it counts.
  core::Duration confirmationOf(std::size_t index) const {
    return index % kCheckCount == checkIndex(config::Check::Status) ? confirm_offline_
                                                                    : confirm_fail_;
  }
  // The node lost the broker: failures reported just before are not trusted (see onBus).
  void dropUnconfirmedFailures();
  void activateRules(core::MonoTime now);
  void onBus(const BusConnectionChanged& event, core::MonoTime now, std::vector<Action>& out);
  void onControl(const ControlChanged& event, core::MonoTime now, std::vector<Action>& out);
  // The silence list a check is kept in, if any: heartbeats (engine, videoio, network) go
  // stale after stale_after_ms; diagnostics become unknown after diagnostics_stale_after_ms.
  SilenceList* silenceListOf(config::Check check);
  void listTouch(SilenceList& list, int32_t slot);
  void listRemove(SilenceList& list, int32_t slot);
  bool diagnosticsExpected() const;
  Verdict verdict(std::size_t machine, const config::PairSettings& pair) const;
  // True when every failing trigger check of `machine` fails only by silence (stale), not by
  // anything it reported.
  bool silentOnly(std::size_t machine, const config::PairSettings& pair) const;
  std::optional<TriggerInfo> firstFailure(std::size_t machine, const config::PairSettings& pair,
                                          core::MonoTime* since) const;
  std::string unhealthyReason(std::size_t machine, const config::PairSettings& pair) const;
  CheckSlot& slot(std::size_t machine, config::Check check) {
    return slots_[machine * kCheckCount + checkIndex(check)];
  }
  const CheckSlot& slot(std::size_t machine, config::Check check) const {
    return slots_[machine * kCheckCount + checkIndex(check)];
  }

  // routing.cpp
  void onRouter(const RouterObserved& event, core::MonoTime now, std::vector<Action>& out);
  void onBlockReport(const RouteBlockReport& event, core::MonoTime now, std::vector<Action>& out);
  void routerLost(std::size_t router, core::MonoTime now, std::vector<Action>& out);
  void updateActive(std::size_t pair, bool after_reconnect, core::MonoTime now,
                    std::vector<Action>& out);
  // A change on air that a block of ours explains after its switch was answered as failed.
  bool settleUnsettled(std::size_t pair, Side side, core::MonoTime now, std::vector<Action>& out);
  std::optional<Side> observedSide(std::size_t pair) const;
  bool routable(std::size_t router) const;

  // decisions.cpp
  void evaluatePair(std::size_t pair, core::MonoTime now, std::vector<Action>& out,
                    bool cascade = true);
  void evaluateAll(core::MonoTime now, std::vector<Action>& out);
  void decideAutomatic(std::size_t pair, core::MonoTime now);
  bool suspended(core::MonoTime now) const;
  // suspended(), or the pair is in its own grace after a reload (then it wakes at its end).
  bool pairSuspended(PairRt& pair, core::MonoTime now) const;
  bool dwellBlocks(PairRt& pair, core::MonoTime now);
  std::optional<Side> effectiveActive(const PairRt& pair) const;
  bool busyElsewhere(std::size_t machine, std::size_t pair, std::string* other_pair) const;
  void startSwitch(std::size_t pair, PendingSwitch pending, core::MonoTime now);
  void command(std::size_t pair, core::MonoTime now);
  void completeSwitch(std::size_t pair, core::MonoTime now, std::vector<Action>& out);
  // Ends the pair's switch as failed, answers its command; returns what was attempted.
  PendingSwitch failSwitch(std::size_t pair, ErrorCode code, const std::string& message,
                           std::vector<Action>& out);
  SwitchEvent eventFor(PairRt& pair, SwitchEventType type) const;
  // The record of `pending` as it ends: what was attempted, from and to, why and when.
  SwitchEvent eventFor(PairRt& pair, SwitchEventType type, const PendingSwitch& pending) const;
  void expireSwitches(core::MonoTime now, std::vector<Action>& out);
  void flushRoutes(std::vector<Action>& out);
  void failUnroutablePairs(std::vector<Action>& out);
  void refreshDeadlines();

  // commands.cpp
  void onSwitch(const SwitchCommand& command, core::MonoTime now, std::vector<Action>& out);
  void onSetMode(const SetMode& command, core::MonoTime now, std::vector<Action>& out);
  void onSetArmed(const SetArmed& command, core::MonoTime now, std::vector<Action>& out);
  void onSetRouterEnabled(const SetRouterEnabled& command, core::MonoTime now,
                          std::vector<Action>& out);
  void onGetState(const GetState& command, std::vector<Action>& out);
  CommandReply reply(const CommandMeta& meta, const std::string& pair) const;
  CommandReply refusal(const CommandMeta& meta, const std::string& pair, ErrorCode code,
                       std::string message) const;
  std::optional<std::size_t> findPair(const std::string& id) const;
  // The pair a command names, or nullopt after adding its unknown_pair refusal to `out`.
  std::optional<std::size_t> commandedPair(const CommandMeta& meta, const std::string& id,
                                           std::vector<Action>& out) const;

  // reload.cpp
  void takeOver(Impl& old, const config::ConfigDiff& diff, core::MonoTime now,
                std::vector<Action>& out);
  void takeOverMachines(const Impl& old, const config::ConfigDiff& diff, core::MonoTime now);
  void takeOverRouters(const Impl& old, const config::ConfigDiff& diff);
  void takeOverPairs(const Impl& old, const config::ConfigDiff& diff, core::MonoTime now);

  // views.cpp
  PairView buildView(std::size_t pair) const;
  PairDigest digest(std::size_t pair) const;
  std::vector<PairWarning> warnings(std::size_t pair) const;
  MachineStatus machineStatus(std::size_t machine, const config::PairSettings& pair) const;
  FailoverState failoverState(std::size_t pair) const;
  bool switchAdvised(std::size_t pair) const;
  void publishIfChanged(std::size_t pair, std::vector<Action>& out);
  const std::string& machineId(std::size_t machine) const {
    return machines_[machine].settings->id;
  }
  const std::string& sideId(const PairRt& pair, Side side) const {
    return machineId(pair.machine[sideIndex(side)]);
  }
  // The first signal's input on `side`: the input of a pair with one signal.
  static int sideInput(const PairRt& pair, Side side) {
    return pair.signals.front().input[sideIndex(side)];
  }
  // The pair's ports beyond its router's known size, as a sentence ("router 'vh1' has 40
  // inputs and 40 outputs: output 41, input 45 (ar-backup key) beyond it"); empty when all
  // fit or the size is not known.
  std::string portsBeyondRouter(const PairRt& pair) const;
  // Every signal's input on `side`: "input 1", or "inputs fill 11, key 12".
  static std::string sideInputs(const PairRt& pair, Side side);
  // What a switch from `from` to `to` moves, signal by signal.
  static std::vector<SignalRoute> signalRoutes(const PairRt& pair, std::optional<Side> from,
                                               Side to);

  config::Config config_;
  EngineOptions options_;
  core::MonoTime start_;
  core::Duration stale_after_;

  std::vector<MachineRt> machines_;
  std::vector<CheckSlot> slots_;  // machine * kCheckCount + check
  std::unordered_map<std::string, std::size_t> machine_index_;
  std::vector<RouterRt> routers_;
  std::vector<PairRt> pairs_;
  std::array<std::vector<std::size_t>, kCheckCount> rules_by_source_;
  std::array<std::vector<std::string>, kCheckCount> rule_fields_;

  SilenceList heartbeats_;              // engine, videoio and network checks
  SilenceList diagnostics_;             // diagnostics checks
  core::Duration diagnostics_after_{};  // zero: diagnostics never turn unknown
  core::Duration confirm_fail_{};
  core::Duration confirm_offline_{};  // the agent's status: max(confirm_fail, offline_confirm)
  std::vector<int32_t> unconfirmed_failures_;  // slots with fail_reported_since set

  bool bus_up_ = true;
  bool in_charge_ = true;  // see ControlChanged
  // When the last health message was handled, and whether a failover waits for one: a Main
  // found silent is failed over only once the node has heard something after that moment,
  // proof that its own link to the broker still delivers (see silentOnly()).
  core::MonoTime last_health_at_{};
  bool link_proof_wanted_ = false;
  // When the node heard something again after hearing nothing for half the silence period:
  // the first of a backlog, perhaps (a node that was frozen reads what queued up meanwhile,
  // the Main's own messages among it). Silence is judged only once the backlog has had
  // kBacklogSettle to be read.
  std::optional<core::MonoTime> resumed_at_;
  core::MonoTime grace_until_;
  std::optional<core::MonoTime> unknown_deadline_;              // unheard checks turn stale then
  std::optional<core::MonoTime> unheard_diagnostics_deadline_;  // and unheard diagnostics unknown

  uint64_t next_request_id_ = 1;
  std::vector<std::size_t> to_route_;  // pairs commanded in this call, to flush as blocks

  std::optional<core::MonoTime> rule_deadline_;
  std::optional<core::MonoTime> pair_deadline_;
  bool rules_dirty_ = false;
  bool deadlines_dirty_ = true;  // a pair's timers may have changed since refreshDeadlines()
  bool grace_pending_ = true;
  bool announced_ = false;  // grace_until_ is still ahead
};

}  // namespace failover::engine
