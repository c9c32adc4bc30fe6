#include "failover/cluster/election.h"

#include <algorithm>
#include <utility>

namespace failover::cluster {
namespace {

using core::Millis;
using core::MonoTime;

int64_t toMs(MonoTime time) {
  return std::chrono::duration_cast<Millis>(time.time_since_epoch()).count();
}

MonoTime fromMs(int64_t ms) {
  return MonoTime(std::chrono::duration_cast<core::MonoClock::duration>(Millis(ms)));
}

int64_t millisBetween(MonoTime from, MonoTime to) {
  return std::chrono::duration_cast<Millis>(to - from).count();
}

}  // namespace

const char* toString(Role role) {
  switch (role) {
    case Role::Active:
      return "active";
    case Role::Standby:
      return "standby";
    case Role::Isolated:
      return "isolated";
  }
  return "standby";
}

std::optional<Role> roleFromString(const std::string& text) {
  for (const Role role : {Role::Active, Role::Standby, Role::Isolated}) {
    if (text == toString(role)) {
      return role;
    }
  }
  return std::nullopt;
}

ElectionTiming ElectionTiming::from(const ElectionSettings& settings) {
  ElectionTiming timing;
  timing.heartbeat = settings.heartbeat;
  timing.takeover_after = settings.takeover_after;
  timing.lease = std::max(2 * settings.heartbeat, settings.takeover_after / 2);
  timing.margin = settings.takeover_after - timing.lease;
  timing.silence = settings.takeover_after + settings.heartbeat / 4;
  timing.settle = settings.heartbeat / 2;
  return timing;
}

ClusterElection::ClusterElection(ElectionSettings settings, uint64_t instance)
    : settings_(std::move(settings)),
      timing_(ElectionTiming::from(settings_)),
      instance_(instance) {}

Role ClusterElection::role() const {
  switch (phase_) {
    case Phase::Active:
    case Phase::Lapsed:
      return Role::Active;
    case Phase::Isolated:
      return Role::Isolated;
    case Phase::Listening:
    case Phase::Standby:
    case Phase::Claiming:
      break;
  }
  return Role::Standby;
}

bool ClusterElection::fenceOpen(MonoTime now) const {
  return phase_ == Phase::Active && leaseFresh(now);
}

// ---- events ------------------------------------------------------------------------------

Step ClusterElection::start(MonoTime now) {
  Step step;
  if (started_) {
    return step;
  }
  started_ = true;
  started_at_ = now;
  setPhase(Phase::Listening, step);
  if (connected_) {
    publishHeartbeat(now, step);
  }
  finish(now, step);
  return step;
}

Step ClusterElection::busConnected(MonoTime now) {
  Step step;
  connected_ = true;
  // Whatever was published while this node was away is lost to it: it reads the cluster anew.
  listen_since_.reset();
  if (phase_ == Phase::Lapsed || phase_ == Phase::Active) {
    // The old connection's will has gone out: a standby may already be claiming on it, and
    // opens when this node's lease, counted from the heartbeats of the old connection, is
    // over. Renewing that lease over the new connection would overlap with it.
    stood_down_at_ = now;
    standDown(now, Phase::Listening, "the broker connection was rebuilt", step);
  } else if (phase_ == Phase::Standby) {
    setPhase(Phase::Listening, step);
  }
  if (started_) {
    publishHeartbeat(now, step);
    evaluate(now, false, step);
  }
  finish(now, step);
  return step;
}

Step ClusterElection::busLost(MonoTime now) {
  Step step;
  connected_ = false;
  listen_since_.reset();
  if (phase_ == Phase::Claiming) {
    standDown(now, Phase::Listening, "the broker connection was lost during the claim", step);
  } else if (phase_ == Phase::Standby) {
    setPhase(Phase::Listening, step);
  }
  // An active node keeps its fence until its lease runs out (no standby opens before then,
  // will or no will) or until its connection is rebuilt (busConnected).
  evaluate(now, false, step);
  finish(now, step);
  return step;
}

Step ClusterElection::heartbeatReceived(MonoTime now, const Heartbeat& heartbeat) {
  Step step;
  if (!started_) {
    return step;
  }
  if (heartbeat.node_id == settings_.node_id) {
    if (heartbeat.instance == instance_) {
      onOwnEcho(now, heartbeat, step);
    } else {
      if (!conflictVisible(now)) {
        step.actions.push_back(
            Problem{ProblemKind::DuplicateNodeId,
                    "another process publishes heartbeats as node " + settings_.node_id +
                        ": node_id must be unique; " +
                        (phase_ == Phase::Active ? "this node stays in charge"
                                                 : "this node refuses to take control")});
      }
      conflict_seen_ = now;
      evaluate(now, false, step);
    }
  } else {
    onPeer(now, heartbeat, step);
  }
  finish(now, step);
  return step;
}

Step ClusterElection::nodeOffline(MonoTime now, const std::string& node_id) {
  Step step;
  if (!started_ || !settings_.trust_last_will || node_id == settings_.node_id) {
    return step;
  }
  // The will does not say which process of that name ended. With a namesake about (a second
  // live process with this node_id, a configuration error) it may be the other one's: then
  // silence decides, as without wills.
  Peer* gone = nullptr;
  for (auto& [key, peer] : peers_) {
    if (key.first != node_id || !peerLive(peer, now)) {
      continue;
    }
    if (gone != nullptr) {
      return step;
    }
    gone = &peer;
  }
  if (gone == nullptr) {
    return step;  // not live here: nothing it said holds anyone back
  }
  gone->offline_since = now;
  evaluate(now, false, step);
  finish(now, step);
  return step;
}

Step ClusterElection::handoverRequested(MonoTime now, const std::string& to) {
  Step step;
  if (to == settings_.node_id && phase_ != Phase::Active) {
    handover_requested_at_ = now;  // the takeover time of the handover counts from here
  }
  if (phase_ != Phase::Active) {
    return step;  // only the node in charge answers
  }
  if (to == settings_.node_id) {
    step.actions.push_back(HandoverAnswer{true, to, "node " + to + " is already in charge"});
  } else if (const Peer* peer = livePeer(to, now); peer == nullptr) {
    step.actions.push_back(HandoverAnswer{
        false, to,
        newestPeer(to) != nullptr ? "node " + to + " has sent no heartbeat for " +
                                        std::to_string(timing_.takeover_after.count()) + " ms"
                                  : "unknown node '" + to + "'"});
  } else if (!peer->last.candidate) {
    step.actions.push_back(
        HandoverAnswer{false, to,
                       "node " + to + " is not ready to take over (" +
                           (peer->last.role == Role::Isolated ? std::string("isolated")
                            : !peer->last.routers_ok ? std::string("its routers are not connected")
                                                     : std::string("still reading the cluster")) +
                           ")"});
  } else {
    step.actions.push_back(HandoverAnswer{true, to, "handing over to " + to});
    release(now, to, "handover", step);
  }
  evaluate(now, false, step);
  finish(now, step);
  return step;
}

Step ClusterElection::routersHealthy(MonoTime now, bool ok) {
  Step step;
  if (ok != routers_ok_) {
    routers_ok_ = ok;
    routers_lost_since_ = ok ? std::nullopt : std::optional<MonoTime>(now);
    if (!ok && phase_ == Phase::Active) {
      step.actions.push_back(
          Problem{ProblemKind::RoutersLost,
                  "a router of the node in charge is not connected; handing over after " +
                      std::to_string(timing_.takeover_after.count()) +
                      " ms if a standby reaches every router"});
    }
  }
  evaluate(now, false, step);
  finish(now, step);
  return step;
}

Step ClusterElection::tick(MonoTime now) {
  Step step;
  if (!started_) {
    return step;
  }
  if (connected_ && now >= next_heartbeat_) {
    publishHeartbeat(now, step);
  }
  evaluate(now, false, step);
  finish(now, step);
  return step;
}

// ---- internals ---------------------------------------------------------------------------

void ClusterElection::onOwnEcho(MonoTime now, const Heartbeat& heartbeat, Step& step) {
  const MonoTime sent = fromMs(heartbeat.sent_ms);
  if (sent > now) {
    return;  // not from this clock: cannot be an echo of ours
  }
  if (!echo_sent_ || sent > *echo_sent_) {
    echo_sent_ = sent;
  }
  if (!listen_since_ && connected_) {
    listen_since_ = now;  // the subscription works from here on: the cluster is visible
  }
  if (phase_ == Phase::Claiming && heartbeat.role == Role::Active &&
      heartbeat.term == claim_term_) {
    claim_echoed_ = true;
  }
  evaluate(now, true, step);
}

void ClusterElection::onPeer(MonoTime now, const Heartbeat& heartbeat, Step& step) {
  if (heartbeat.rank == settings_.rank) {
    if (!conflictVisible(now)) {
      step.actions.push_back(
          Problem{ProblemKind::DuplicateRank,
                  "node " + heartbeat.node_id + " has the same rank " +
                      std::to_string(settings_.rank) + ": ranks must be unique in the cluster; " +
                      (phase_ == Phase::Active ? "this node stays in charge"
                                               : "this node refuses to take control")});
    }
    conflict_seen_ = now;
  }
  term_ = std::max(term_, heartbeat.term);
  const auto key = std::make_pair(heartbeat.node_id, heartbeat.instance);
  if (peers_.count(key) == 0) {
    // A restarted process: its earlier instances, long silent, are forgotten.
    std::erase_if(peers_, [&](const auto& entry) {
      return entry.first.first == heartbeat.node_id && !peerLive(entry.second, now);
    });
  }
  Peer& peer = peers_[key];
  peer.instance = heartbeat.instance;
  peer.last = heartbeat;
  peer.received = now;
  peer.offline_since.reset();  // a heartbeat after the will: connected again
  if (heartbeat.role == Role::Active && heartbeat.fenced) {
    if (!peer.fenced_since) {
      peer.fenced_since = now;
    }
  } else {
    peer.fenced_since.reset();
  }
  if (heartbeat.role == Role::Active) {
    peer.last_active = now;
    if (phase_ == Phase::Lapsed && !heartbeat.fenced) {
      // Someone claimed while this node could not see: the cluster has moved on, whatever
      // the terms say (a node that started meanwhile may not have known this node's term).
      active_ = heartbeat.node_id;
      active_term_ = heartbeat.term;
      stood_down_at_ = now;
      standDown(now, Phase::Standby, "node " + heartbeat.node_id + " is in charge", step);
    } else if ((phase_ == Phase::Active || phase_ == Phase::Claiming) && !heartbeat.fenced) {
      // A fenced claim does not compete: that node yields as soon as it reads this one.
      const bool theirs_wins = heartbeat.term > claim_term_ ||
                               (heartbeat.term == claim_term_ && heartbeat.rank < settings_.rank);
      if (theirs_wins) {
        step.actions.push_back(Problem{ProblemKind::CompetingClaim,
                                       "node " + heartbeat.node_id + " claimed control with term " +
                                           std::to_string(heartbeat.term) + ": standing down"});
        active_ = heartbeat.node_id;
        active_term_ = heartbeat.term;
        standDown(now, Phase::Standby, "node " + heartbeat.node_id + " is in charge", step);
      }
    } else if (phase_ != Phase::Active && phase_ != Phase::Claiming && phase_ != Phase::Lapsed &&
               !heartbeat.fenced) {
      // Of two claims, the one that wins: the higher term, then the lower rank.
      const Peer* current = active_ == heartbeat.node_id ? nullptr : livePeer(active_, now);
      const bool current_claims =
          current != nullptr && current->last.role == Role::Active && !current->last.fenced;
      if (!current_claims || heartbeat.term > current->last.term ||
          (heartbeat.term == current->last.term && heartbeat.rank < current->last.rank)) {
        active_ = heartbeat.node_id;
        active_term_ = heartbeat.term;
      }
    }
  }
  if (heartbeat.handover_to == settings_.node_id && heartbeat.role != Role::Active &&
      phase_ == Phase::Standby && isCandidate(now) && !activePeerAlive(now)) {
    claim(now, heartbeat.handover_reason.empty() ? "handover" : heartbeat.handover_reason,
          handover_requested_at_.value_or(now), heartbeat.node_id, step);
  }
  evaluate(now, false, step);
}

void ClusterElection::evaluate(MonoTime now, bool at_echo, Step& step) {
  if (phase_ == Phase::Active && !leaseFresh(now)) {
    step.actions.push_back(
        Problem{ProblemKind::LeaseLost,
                "no heartbeat of this node came back from the broker within " +
                    std::to_string(timing_.lease.count()) +
                    " ms: not routing until one does with no other node in charge"});
    lapsed_at_ = now;
    step.actions.push_back(SetFence{false, "lease lost"});
    setPhase(Phase::Lapsed, step);
    publishHeartbeat(now, step);
  } else if (phase_ == Phase::Claiming && !leaseFresh(now)) {
    standDown(now, Phase::Listening, "lease lost during the claim", step);
  }
  if (phase_ == Phase::Lapsed) {
    if (leaseFresh(now) && echo_sent_ && *echo_sent_ >= lapsed_at_ && allPeersAgree(now)) {
      step.actions.push_back(
          Problem{ProblemKind::LeaseLost, "lease back after " +
                                              std::to_string(millisBetween(lapsed_at_, now)) +
                                              " ms and no other node in charge: routing again"});
      setPhase(Phase::Active, step);
      step.actions.push_back(SetFence{true, "lease back"});
      publishHeartbeat(now, step);
    } else if (now - lapsed_at_ >= timing_.takeover_after) {
      stood_down_at_ = now;
      standDown(now, Phase::Listening, "lease lost for too long", step);
    }
  }

  if (conflictVisible(now)) {
    if (phase_ != Phase::Active && phase_ != Phase::Isolated) {
      if (phase_ == Phase::Claiming) {
        standDown(now, Phase::Isolated, "conflicting node", step);
      } else {
        setPhase(Phase::Isolated, step);
        publishHeartbeat(now, step);
      }
    }
  } else if (phase_ == Phase::Isolated) {
    setPhase(listenedLongEnough(now) ? Phase::Standby : Phase::Listening, step);
  }

  if (phase_ == Phase::Listening && listen_since_ &&
      (listenedLongEnough(now) || activePeerAlive(now))) {
    setPhase(Phase::Standby, step);
  }

  if (!released_to_.empty() && now - released_at_ >= timing_.takeover_after) {
    released_to_.clear();  // the node named did not take over: the election decides again
  }

  if (phase_ == Phase::Claiming && claim_echoed_ && now - claim_at_ >= timing_.settle &&
      leaseFresh(now) && allPeersAgree(now) && othersLeasesOver(now)) {
    openFence(now, step);
  }

  if (phase_ == Phase::Active && routers_lost_since_ &&
      now - *routers_lost_since_ >= timing_.takeover_after) {
    if (const Peer* target = handoverTarget(now)) {
      release(now, target->last.node_id, "router_lost", step);
    }
  }

  // Claims are decided only on an echo: everything the broker sent before it has been read.
  // When all else says claim, a heartbeat goes out now (unless one is on its way), so that
  // echo is one round trip away rather than up to a heartbeat interval.
  if (!at_echo && wouldClaim(now) && (!last_sent_ || !echo_sent_ || *echo_sent_ >= *last_sent_)) {
    publishHeartbeat(now, step);
  }
  if (at_echo && wouldClaim(now)) {
    std::string reason = "startup";
    MonoTime trigger = started_at_;
    const Peer* old = newestPeer(active_);
    if (active_ == settings_.node_id) {
      reason = "active_stood_down";
      trigger = stood_down_at_;
    } else if (old != nullptr) {
      const Peer& peer = *old;
      const bool recent = now - peer.received < timing_.silence;
      if (recent && peer.last.role != Role::Active) {
        reason = "active_stood_down";
        trigger = peer.received;
      } else if (recent && peer.offline_since) {
        reason = "active_offline";
        trigger = *peer.offline_since;
      } else if (recent && peer.fenced_since) {
        reason = "active_fenced";
        trigger = *peer.fenced_since;
      } else {
        reason = "active_silent";
        trigger = peer.last_active;
      }
    }
    claim(now, reason, trigger, active_, step);
  }
}

void ClusterElection::claim(MonoTime now, std::string reason, MonoTime trigger, std::string from,
                            Step& step) {
  term_ += 1;
  claim_term_ = term_;
  claim_at_ = now;
  claim_trigger_ = trigger;
  claim_reason_ = std::move(reason);
  claim_from_ = std::move(from);
  claim_echoed_ = false;
  released_to_.clear();
  setPhase(Phase::Claiming, step);
  publishHeartbeat(now, step);
}

void ClusterElection::openFence(MonoTime now, Step& step) {
  setPhase(Phase::Active, step);
  active_ = settings_.node_id;
  active_term_ = claim_term_;
  handover_requested_at_.reset();
  if (routers_ok_) {
    routers_lost_since_.reset();
  } else {
    routers_lost_since_ = now;
  }
  step.actions.push_back(SetFence{true, claim_reason_});
  step.actions.push_back(PublishActive{settings_.node_id});
  step.actions.push_back(TakeoverEvent{claim_from_, settings_.node_id, claim_reason_, claim_term_,
                                       millisBetween(claim_trigger_, now)});
}

void ClusterElection::standDown(MonoTime now, Phase next, const std::string& reason, Step& step) {
  if (phase_ == Phase::Active) {
    step.actions.push_back(SetFence{false, reason});  // before anything else is said
  }
  if (next == Phase::Listening) {
    listen_since_.reset();
  }
  setPhase(next, step);
  publishHeartbeat(now, step);
}

void ClusterElection::release(MonoTime now, const std::string& to, const std::string& reason,
                              Step& step) {
  stood_down_at_ = now;
  standDown(now, Phase::Standby, "handing over to " + to, step);
  // After the fence is closed: the heartbeat that names the successor says so.
  released_to_ = to;
  released_reason_ = reason;
  released_at_ = now;
  publishHeartbeat(now, step);
}

void ClusterElection::publishHeartbeat(MonoTime now, Step& step) {
  if (!connected_ || !started_) {
    return;
  }
  Heartbeat heartbeat;
  heartbeat.node_id = settings_.node_id;
  heartbeat.instance = instance_;
  heartbeat.rank = settings_.rank;
  const bool holding =
      phase_ == Phase::Active || phase_ == Phase::Claiming || phase_ == Phase::Lapsed;
  heartbeat.role = holding ? Role::Active : role();
  heartbeat.fenced = phase_ == Phase::Lapsed;
  heartbeat.term = holding ? claim_term_ : term_;
  heartbeat.active = active_;
  heartbeat.candidate = isCandidate(now);
  heartbeat.routers_ok = routers_ok_;
  if (!released_to_.empty()) {
    heartbeat.handover_to = released_to_;
    heartbeat.handover_reason = released_reason_;
  }
  heartbeat.sent_ms = toMs(now);
  last_sent_ = fromMs(heartbeat.sent_ms);  // as its echo will say
  // Replace a heartbeat already queued in this step: only the newest state matters.
  for (auto& action : step.actions) {
    if (auto* queued = std::get_if<PublishHeartbeat>(&action)) {
      queued->heartbeat = heartbeat;
      next_heartbeat_ = now + timing_.heartbeat;
      return;
    }
  }
  step.actions.push_back(PublishHeartbeat{heartbeat});
  next_heartbeat_ = now + timing_.heartbeat;
}

void ClusterElection::setPhase(Phase phase, Step& step) {
  phase_ = phase;
  const Role now_role = role();
  if (!role_published_ || now_role != published_role_) {
    role_published_ = true;
    published_role_ = now_role;
    step.actions.push_back(PublishRole{now_role});
  }
}

void ClusterElection::finish(MonoTime now, Step& step) {
  // A heartbeat due now goes out with this step: the caller replaces its timer with the
  // deadline returned here, so a due one must not be left behind.
  if (connected_ && started_ && now >= next_heartbeat_) {
    publishHeartbeat(now, step);
  }
  std::optional<MonoTime> next;
  const auto consider = [&](MonoTime when) {
    if (when > now && (!next || when < *next)) {
      next = when;
    }
  };
  if (connected_ && started_) {
    consider(next_heartbeat_);
  }
  if ((phase_ == Phase::Active || phase_ == Phase::Claiming) && echo_sent_) {
    consider(*echo_sent_ + timing_.lease);
  }
  if (phase_ == Phase::Lapsed) {
    consider(lapsed_at_ + timing_.takeover_after);
  }
  if (phase_ == Phase::Claiming) {
    consider(claim_at_ + timing_.settle);
  }
  for (const auto& [id, peer] : peers_) {
    if (peer.last.role != Role::Active) {
      continue;
    }
    // When a silent or fenced node in charge counts as gone, a standby acts at once (with a
    // heartbeat whose echo decides) instead of at its next heartbeat.
    if (phase_ == Phase::Standby) {
      consider(peer.received + timing_.silence);
      if (peer.fenced_since) {
        consider(*peer.fenced_since + timing_.takeover_after);
      }
    }
    if (phase_ == Phase::Claiming) {
      consider(peer.received + timing_.lease);
    }
  }
  if (conflict_seen_) {
    consider(*conflict_seen_ + timing_.takeover_after);
  }
  if (listen_since_) {
    consider(*listen_since_ + timing_.takeover_after);
  }
  if (phase_ == Phase::Active && routers_lost_since_) {
    consider(*routers_lost_since_ + timing_.takeover_after);
  }
  if (!released_to_.empty()) {
    consider(released_at_ + timing_.takeover_after);
  }
  step.next_deadline = next;
}

bool ClusterElection::leaseFresh(MonoTime now) const {
  return echo_sent_ && now < *echo_sent_ + timing_.lease;
}

bool ClusterElection::listenedLongEnough(MonoTime now) const {
  return listen_since_ && now - *listen_since_ >= timing_.takeover_after;
}

bool ClusterElection::peerLive(const Peer& peer, MonoTime now) const {
  return now - peer.received < timing_.takeover_after && !peer.offline_since;
}

bool ClusterElection::activePeerAlive(MonoTime now) const {
  return std::any_of(peers_.begin(), peers_.end(), [&](const auto& entry) {
    const Peer& peer = entry.second;
    return peer.last.role == Role::Active && now - peer.received < timing_.silence &&
           !peer.offline_since &&
           !(peer.fenced_since && now - *peer.fenced_since >= timing_.takeover_after);
  });
}

bool ClusterElection::othersLeasesOver(MonoTime now) const {
  return std::none_of(peers_.begin(), peers_.end(), [&](const auto& entry) {
    const Peer& peer = entry.second;
    // A fenced claim counts too: its sender may reopen on that very heartbeat's echo, and its
    // lease then runs from it.
    return peer.last.role == Role::Active && now - peer.received < timing_.lease;
  });
}

bool ClusterElection::wouldClaim(MonoTime now) const {
  return phase_ == Phase::Standby && isCandidate(now) && !activePeerAlive(now) &&
         !handoverPending(now) && bestCandidate(now);
}

bool ClusterElection::handoverPending(MonoTime now) const {
  if (!released_to_.empty()) {
    return true;
  }
  return std::any_of(peers_.begin(), peers_.end(), [&](const auto& entry) {
    return !entry.second.last.handover_to.empty() &&
           now - entry.second.received < timing_.takeover_after;
  });
}

bool ClusterElection::allPeersAgree(MonoTime now) const {
  return std::all_of(peers_.begin(), peers_.end(), [&](const auto& entry) {
    const Peer& peer = entry.second;
    const bool live = peerLive(peer, now);
    const bool could_claim =
        peer.last.candidate || (peer.last.role == Role::Active && !peer.last.fenced);
    const bool agrees = peer.last.active == settings_.node_id && peer.last.term >= claim_term_;
    return !live || !could_claim || agrees;
  });
}

bool ClusterElection::conflictVisible(MonoTime now) const {
  return conflict_seen_ && now - *conflict_seen_ < timing_.takeover_after;
}

bool ClusterElection::isCandidate(MonoTime now) const {
  return phase_ == Phase::Standby && connected_ && leaseFresh(now) && listenedLongEnough(now) &&
         routers_ok_ && !conflictVisible(now) && released_to_.empty();
}

bool ClusterElection::bestCandidate(MonoTime now) const {
  return std::none_of(peers_.begin(), peers_.end(), [&](const auto& entry) {
    const Peer& peer = entry.second;
    return peerLive(peer, now) && peer.last.candidate && peer.last.rank < settings_.rank;
  });
}

const ClusterElection::Peer* ClusterElection::livePeer(const std::string& node_id,
                                                       MonoTime now) const {
  const Peer* best = nullptr;
  for (const auto& [key, peer] : peers_) {
    if (key.first == node_id && peerLive(peer, now) &&
        (best == nullptr || peer.received > best->received)) {
      best = &peer;
    }
  }
  return best;
}

const ClusterElection::Peer* ClusterElection::newestPeer(const std::string& node_id) const {
  const Peer* newest = nullptr;
  for (const auto& [key, peer] : peers_) {
    if (key.first == node_id && (newest == nullptr || peer.received > newest->received)) {
      newest = &peer;
    }
  }
  return newest;
}

const ClusterElection::Peer* ClusterElection::handoverTarget(MonoTime now) const {
  const Peer* best = nullptr;
  for (const auto& [id, peer] : peers_) {
    if (peerLive(peer, now) && peer.last.candidate && peer.last.routers_ok &&
        (best == nullptr || peer.last.rank < best->last.rank)) {
      best = &peer;
    }
  }
  return best;
}

}  // namespace failover::cluster
