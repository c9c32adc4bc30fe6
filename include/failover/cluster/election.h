#pragma once

// ClusterElection: which of several nodes is in charge (SPEC 8.1, docs/redundancy.md). A
// deterministic state machine like the failover engine: events and `now` in, actions and the
// next deadline out; no I/O, clock, threads or logging. The adapter publishes what it is told,
// feeds back every heartbeat the broker delivers (the node's own included) and calls tick()
// at the deadline.
//
// The rules, each the answer to one way of losing control or of having two in control:
// - Every node publishes a heartbeat every heartbeat_ms while its broker connection is up.
//   Its own heartbeat coming back from the broker is its LEASE: a node routes (its fence is
//   open) only while the last echo it received was sent less than lease() ago. lease() is
//   takeover_after_ms minus a margin, so an active node cut off from the broker stops routing
//   at least margin() before any standby may start (see ElectionTiming).
// - The broker publishes a node's Last Will when its connection ends (kill -9: at once). A
//   standby then treats that node as gone without waiting for takeover_after_ms of silence,
//   but opens its fence only when the gone node's lease is over for certain: lease() after
//   the last heartbeat of it that the standby read (the node's own echo of that heartbeat
//   cannot have been sent later). A heartbeat read after the will makes the node live again.
// - A node whose lease ran out (frozen, cut off) closes its fence at once and says so in its
//   heartbeats (`fenced`), still holding its claim. It reopens only when a heartbeat it sent
//   after noticing comes back over the same broker connection with no better claim read
//   before it (a short freeze costs no takeover). It gives the claim up when it reads a better
//   one or after takeover_after_ms fenced; then it listens again like a node that just started.
// - A node in charge whose broker connection is rebuilt gives up control, fenced or not: the
//   old connection's will has gone out, and a standby may be claiming on it.
// - Standbys treat an active node that stays fenced for takeover_after_ms like a silent one.
// - A standby claims only when it has listened for takeover_after_ms, no node has claimed
//   control within takeover_after_ms (or the one that did is gone), and it is the best
//   candidate it can see (lowest rank among the nodes ready to take over). It decides only
//   when its own echo arrives, so it never decides on a view older than the messages still
//   waiting for it (a frozen standby does not claim on resume before it has read what the
//   broker sent meanwhile). When everything else says claim, it sends a heartbeat at once
//   rather than waiting for the next one, so the deciding echo is a round trip away.
// - A claim carries term = the highest term seen + 1. The fence opens when the claim's echo
//   is back, settle has passed, and every live peer that could claim (a candidate, or a node
//   claiming itself) has said in its heartbeat that this node holds the claim. Between two
//   claims, the higher term wins, then the lower rank; the loser stands down without ever
//   routing, and never gets the winner's agreement, whatever the delays.
// - No preemption: a better-ranked node that returns stays standby until a handover names it.
// - A node that sees another with its node_id (another process instance) or its rank refuses
//   to take control (role isolated) while that lasts; an active node keeps control and
//   reports the conflict, so one misconfigured newcomer cannot take the facility down.
// - Handover: the active node closes its fence, then announces in its heartbeat which node
//   is to take over; that node claims at once (no waiting for silence).
// - An active node that has lost its routers for takeover_after_ms hands over to the best
//   standby that reports its routers reachable.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "failover/core/time.h"

namespace failover::cluster {

enum class Role { Active, Standby, Isolated };
// "active", "standby", "isolated": the payloads of C/nodes/<id>/role.
const char* toString(Role role);
std::optional<Role> roleFromString(const std::string& text);

struct ElectionSettings {
  std::string node_id;
  int rank = 1;  // 1 = preferred; unique in the cluster
  core::Millis heartbeat{100};
  core::Millis takeover_after{500};
  // Treat a peer's Last Will as the end of that peer (the fast path after kill -9). Only
  // safe when the will and that peer's heartbeats pass through one broker in order: off
  // when the node is given several brokers (a broker cluster).
  bool trust_last_will = true;
};

// The intervals the election derives from its settings, with defaults 100 / 500 ms.
struct ElectionTiming {
  core::Millis heartbeat;       // 100: one heartbeat this often
  core::Millis takeover_after;  // 500: silence of the active before a standby claims
  // 250: max(2 x heartbeat, takeover_after / 2). A node in charge routes only while its
  // newest echo was sent less than this long ago. Two heartbeats at least, so one late echo
  // does not stop it; short, so a node in charge that was killed or cut off is known to have
  // stopped routing soon (the Last Will path waits for exactly this).
  core::Millis lease;
  // 250: takeover_after - lease. What separates the end of an active node's lease from the
  // earliest moment a standby may claim on silence: it absorbs a standby receiving the
  // broker's messages later than the active does.
  core::Millis margin;
  // 525: takeover_after + heartbeat / 4. How long a standby waits for the next sign of life
  // of the node in charge before it claims. The quarter heartbeat lets a heartbeat that is
  // merely late (a timer woken late, a busy broker, the one a process sends the instant a
  // freeze ends) still arrive in time: a freeze of takeover_after - heartbeat never costs a
  // takeover.
  core::Millis silence;
  // 50: half a heartbeat; a claim waits at least this long, so that a claim another node
  // sent at the same moment is read before the fence opens. (Safety between two claims rests
  // on the agreement rule, not on this wait.)
  core::Millis settle;

  static ElectionTiming from(const ElectionSettings& settings);
};

// A heartbeat, as published on C/nodes/<node_id>/heartbeat and as received.
struct Heartbeat {
  std::string node_id;
  uint64_t instance = 0;  // chosen at random per process start: tells the echo from a namesake
  int rank = 0;
  Role role = Role::Standby;  // Active while claiming or in charge
  uint64_t term = 0;          // the highest term the sender knows (its own claim when active)
  std::string active;         // the node the sender holds to be in charge; empty: none
  bool candidate = false;     // ready to take over now (listened, lease fresh, routers reachable)
  bool routers_ok = true;     // every enabled router of the sender is connected
  bool fenced = false;        // role active, but not routing: its lease ran out
  std::string handover_to;    // set by a node that has just released control to that node
  std::string handover_reason;
  int64_t sent_ms = 0;  // the sender's monotonic clock; compared only with that same clock

  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

// ---- actions -----------------------------------------------------------------------------

struct PublishHeartbeat {
  Heartbeat heartbeat;
};
struct PublishRole {  // C/nodes/<node_id>/role, retained
  Role role = Role::Standby;
};
struct PublishActive {  // C/cluster/active, retained: only ever set, by the node taking over
  std::string node_id;
};
// Routing allowed (open) or not. The adapter must apply a close before anything else.
struct SetFence {
  bool open = false;
  std::string reason;
};
// C/cluster/event: this node has just taken control.
struct TakeoverEvent {
  std::string from;  // the node in charge before; empty when none was known
  std::string to;
  // startup | active_silent | active_offline | active_fenced | active_stood_down | handover |
  // router_lost
  std::string reason;
  uint64_t term = 0;
  int64_t takeover_ms = 0;  // from the trigger (last sign of the old active, the request...)
};
enum class ProblemKind {
  DuplicateNodeId,
  DuplicateRank,
  LeaseLost,
  CompetingClaim,
  RoutersLost,
};
// Something an operator must hear about; the adapter logs it.
struct Problem {
  ProblemKind kind = ProblemKind::LeaseLost;
  std::string message;
};
// The answer to a handover request, from the active node only.
struct HandoverAnswer {
  bool accepted = false;
  std::string to;
  std::string message;
};

using Action = std::variant<PublishHeartbeat, PublishRole, PublishActive, SetFence, TakeoverEvent,
                            Problem, HandoverAnswer>;

struct Step {
  std::vector<Action> actions;
  std::optional<core::MonoTime> next_deadline;  // call tick() then; none: wait for events
};

class ClusterElection {
 public:
  // `instance` must differ between process starts (e.g. random): it is what tells this
  // node's own heartbeat from one of another process configured with the same node_id.
  ClusterElection(ElectionSettings settings, uint64_t instance);

  // Begins listening; publishes the role standby.
  Step start(core::MonoTime now);
  Step busConnected(core::MonoTime now);
  // The broker connection is gone. The fence stays as it is until the lease runs out.
  Step busLost(core::MonoTime now);
  // Every heartbeat the broker delivers, this node's own included.
  Step heartbeatReceived(core::MonoTime now, const Heartbeat& heartbeat);
  // The broker published the Last Will of `node_id` (live, not a retained copy): that node's
  // connection has ended.
  Step nodeOffline(core::MonoTime now, const std::string& node_id);
  // C/cluster/request/handover {"to": id}: answered by the active node only.
  Step handoverRequested(core::MonoTime now, const std::string& to);
  // Whether every enabled router is connected.
  Step routersHealthy(core::MonoTime now, bool ok);
  // The deadline of the last step has come (calling it early or late is harmless).
  Step tick(core::MonoTime now);

  Role role() const;
  // May this node route at `now`? In charge, and its lease still fresh: a node that was
  // frozen answers false the moment it resumes, before it has processed anything. The adapter
  // asks this before every routing block.
  bool fenceOpen(core::MonoTime now) const;
  uint64_t term() const { return term_; }
  const std::string& activeNode() const { return active_; }
  const ElectionTiming& timing() const { return timing_; }

 private:
  enum class Phase {
    Listening,  // (re)reading the cluster: after start, a reconnect or a lost lease
    Standby,
    Claiming,  // claimed control; fence still closed until the claim settles
    Active,
    Lapsed,  // in charge, but the lease ran out: fence closed, claim held
    Isolated,
  };
  struct Peer {
    uint64_t instance = 0;
    Heartbeat last;
    core::MonoTime received{};
    core::MonoTime last_active{};  // its last heartbeat with role active
    std::optional<core::MonoTime> fenced_since;
    // Its Last Will arrived after its last heartbeat: its connection has ended.
    std::optional<core::MonoTime> offline_since;
  };

  void evaluate(core::MonoTime now, bool at_echo, Step& step);
  void onOwnEcho(core::MonoTime now, const Heartbeat& heartbeat, Step& step);
  void onPeer(core::MonoTime now, const Heartbeat& heartbeat, Step& step);
  void claim(core::MonoTime now, std::string reason, core::MonoTime trigger, std::string from,
             Step& step);
  void openFence(core::MonoTime now, Step& step);
  void standDown(core::MonoTime now, Phase next, const std::string& reason, Step& step);
  void release(core::MonoTime now, const std::string& to, const std::string& reason, Step& step);
  void publishHeartbeat(core::MonoTime now, Step& step);
  void setPhase(Phase phase, Step& step);
  void finish(core::MonoTime now, Step& step);

  bool leaseFresh(core::MonoTime now) const;
  bool listenedLongEnough(core::MonoTime now) const;
  bool activePeerAlive(core::MonoTime now) const;
  // Heard from within takeover_after_ms and not gone offline since.
  bool peerLive(const Peer& peer, core::MonoTime now) const;
  // Every peer whose last heartbeat claimed control (fenced or not) has had its lease run out
  // for certain: lease() has passed since this node read that heartbeat.
  bool othersLeasesOver(core::MonoTime now) const;
  // Everything but the echo says claim: see evaluate().
  bool wouldClaim(core::MonoTime now) const;
  bool conflictVisible(core::MonoTime now) const;
  // Every live peer that could claim control (a candidate, or a node claiming it) has said in
  // its latest heartbeat that this node holds the claim.
  bool allPeersAgree(core::MonoTime now) const;
  // A release to some node is under way (this node's or a peer's).
  bool handoverPending(core::MonoTime now) const;
  bool isCandidate(core::MonoTime now) const;
  bool bestCandidate(core::MonoTime now) const;
  // Of the processes that published as `node_id`, the one heard from last that is live.
  const Peer* livePeer(const std::string& node_id, core::MonoTime now) const;
  // Of the processes that published as `node_id`, the one heard from last.
  const Peer* newestPeer(const std::string& node_id) const;
  // The live standby that should take over from this node, if any.
  const Peer* handoverTarget(core::MonoTime now) const;

  ElectionSettings settings_;
  ElectionTiming timing_;
  uint64_t instance_;

  Phase phase_ = Phase::Listening;
  Role published_role_ = Role::Standby;
  bool role_published_ = false;
  bool started_ = false;
  bool connected_ = false;
  uint64_t term_ = 0;
  std::string active_;  // the node believed in charge
  uint64_t active_term_ = 0;
  core::MonoTime stood_down_at_{};  // this node last gave up control
  core::MonoTime lapsed_at_{};

  std::optional<core::MonoTime> listen_since_;  // first echo since the last (re)start
  std::optional<core::MonoTime> echo_sent_;     // send time of the newest echo
  std::optional<core::MonoTime> last_sent_;     // send time of the newest heartbeat
  core::MonoTime next_heartbeat_{};
  core::MonoTime started_at_{};

  // One entry per process (node_id and instance): a second process with a peer's node_id (a
  // configuration error) must not hide the first, which may be the node in charge.
  std::map<std::pair<std::string, uint64_t>, Peer> peers_;
  std::optional<core::MonoTime> last_active_seen_;  // a peer's heartbeat with role active
  std::optional<core::MonoTime> conflict_seen_;

  // The claim in progress.
  uint64_t claim_term_ = 0;
  core::MonoTime claim_at_{};
  core::MonoTime claim_trigger_{};
  std::string claim_reason_;
  std::string claim_from_;
  bool claim_echoed_ = false;

  // Handover: released by this node (announced in its heartbeats for a while), or requested
  // for this node (the moment, for takeover_ms).
  std::string released_to_;
  std::string released_reason_;
  core::MonoTime released_at_{};
  std::optional<core::MonoTime> handover_requested_at_;

  bool routers_ok_ = true;
  std::optional<core::MonoTime> routers_lost_since_;
};

}  // namespace failover::cluster
