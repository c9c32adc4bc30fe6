#include "sim_cluster.h"

#include <algorithm>
#include <utility>

namespace failover::cluster::testing {

SimCluster::SimCluster(Ms heartbeat, Ms takeover_after, uint32_t seed, bool trust_last_will)
    : origin_(core::MonoTime(std::chrono::hours(1))),
      now_(origin_),
      heartbeat_(heartbeat),
      takeover_after_(takeover_after),
      trust_last_will_(trust_last_will),
      random_(seed) {}

int SimCluster::addNode(const std::string& node_id, int rank) {
  Node node;
  node.id = node_id;
  node.rank = rank;
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size()) - 1;
}

int64_t SimCluster::nowMs() const {
  return std::chrono::duration_cast<Ms>(now_ - origin_).count();
}

void SimCluster::setDelays(int node, int64_t up_ms, int64_t down_ms, int64_t jitter_ms) {
  Node& n = nodes_.at(static_cast<size_t>(node));
  n.up_ms = up_ms;
  n.down_ms = down_ms;
  n.jitter_ms = jitter_ms;
}

void SimCluster::schedule(core::MonoTime at, std::function<void()> run) {
  events_.push(Event{std::max(at, now_), seq_++, std::move(run)});
}

void SimCluster::start(int node, int64_t at) {
  schedule(time(at), [this, node] {
    Node& n = nodes_.at(static_cast<size_t>(node));
    n.instance = next_instance_++;
    n.connection = next_instance_++;
    n.record.max_term = 0;  // a new process starts from nothing and learns the term
    n.election = std::make_unique<ClusterElection>(
        ElectionSettings{n.id, n.rank, heartbeat_, takeover_after_, trust_last_will_}, n.instance);
    n.alive = true;
    n.linked = true;
    n.sends = true;
    n.receives = true;
    n.frozen_until = -1;
    apply(node, n.election->busConnected(now_));
    apply(node, n.election->start(now_));
  });
}

void SimCluster::restart(int node, int64_t at) {
  start(node, at);
}

void SimCluster::kill(int node, int64_t at) {
  schedule(time(at), [this, node] {
    Node& n = nodes_.at(static_cast<size_t>(node));
    publishWill(node);
    n.alive = false;
    n.linked = false;
  });
}

void SimCluster::freeze(int node, int64_t at, int64_t duration_ms) {
  const int64_t until = at + duration_ms;
  schedule(time(at), [this, node, until] {
    Node& n = nodes_.at(static_cast<size_t>(node));
    n.frozen_until = std::max(n.frozen_until, until);  // freezes may overlap
  });
  // Scheduled now, so on resume it runs before anything that queued up meanwhile: the timer
  // firing before the backlog is read is the dangerous order.
  schedule(time(until), [this, node, until] {
    Node& n = nodes_.at(static_cast<size_t>(node));
    if (n.frozen_until > until) {
      return;  // a later freeze holds it longer
    }
    n.frozen_until = -1;
    if (n.alive) {
      apply(node, n.election->tick(now_));
    }
  });
}

void SimCluster::cut(int node, int64_t at, bool reported, int64_t will_after_ms) {
  schedule(time(at), [this, node, reported, will_after_ms] {
    Node& n = nodes_.at(static_cast<size_t>(node));
    if (reported) {
      publishWill(node);
    } else if (will_after_ms >= 0) {
      const uint64_t connection = n.connection;
      schedule(now_ + Ms(will_after_ms), [this, node, connection] {
        if (nodes_.at(static_cast<size_t>(node)).connection == connection) {
          publishWill(node);
        }
      });
    }
    n.linked = false;
    if (reported && n.alive) {
      atNode(node, now_, [this, node] {
        apply(node, nodes_.at(static_cast<size_t>(node)).election->busLost(now_));
      });
    }
  });
}

void SimCluster::cutOneWay(int node, int64_t at, bool outbound) {
  schedule(time(at), [this, node, outbound] {
    Node& n = nodes_.at(static_cast<size_t>(node));
    (outbound ? n.sends : n.receives) = false;
  });
}

void SimCluster::reconnect(int node, int64_t at) {
  schedule(time(at), [this, node] {
    Node& n = nodes_.at(static_cast<size_t>(node));
    if (!n.alive) {
      return;
    }
    // The new connection takes the client id over: the broker ends the old one, will and all.
    publishWill(node);
    n.connection = next_instance_++;
    n.linked = true;
    n.sends = true;
    n.receives = true;
    atNode(node, now_, [this, node] {
      Node& again = nodes_.at(static_cast<size_t>(node));
      apply(node, again.election->busLost(now_));
      apply(node, again.election->busConnected(now_));
    });
  });
}

void SimCluster::handover(int64_t at, const std::string& to) {
  schedule(time(at), [this, to] {
    for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
      Node& n = nodes_[static_cast<size_t>(i)];
      if (!n.linked) {
        continue;
      }
      atNode(i, linkTime(n, false), [this, i, to] {
        apply(i, nodes_[static_cast<size_t>(i)].election->handoverRequested(now_, to));
      });
    }
  });
}

void SimCluster::routers(int node, int64_t at, bool ok) {
  schedule(time(at), [this, node, ok] {
    atNode(node, now_, [this, node, ok] {
      apply(node, nodes_.at(static_cast<size_t>(node)).election->routersHealthy(now_, ok));
    });
  });
}

core::MonoTime SimCluster::linkTime(Node& node, bool up) {
  const int64_t jitter =
      node.jitter_ms > 0 ? std::uniform_int_distribution<int64_t>(0, node.jitter_ms)(random_) : 0;
  core::MonoTime& last = up ? node.last_up : node.last_down;
  last = std::max(last, now_ + Ms((up ? node.up_ms : node.down_ms) + jitter));
  return last;
}

void SimCluster::atNode(int node, core::MonoTime at, std::function<void()> deliver) {
  schedule(at, [this, node, deliver = std::move(deliver)]() mutable {
    Node& n = nodes_.at(static_cast<size_t>(node));
    if (!n.alive) {
      return;
    }
    if (n.frozen_until >= 0) {
      // Waits, in order, behind the resume tick scheduled when the freeze began.
      atNode(node, time(n.frozen_until), std::move(deliver));
      return;
    }
    deliver();
  });
}

void SimCluster::publish(int node, const Heartbeat& heartbeat) {
  Node& sender = nodes_.at(static_cast<size_t>(node));
  if (!sender.linked || !sender.sends) {
    return;
  }
  const uint64_t instance = sender.instance;
  schedule(linkTime(sender, true), [this, node, instance, heartbeat] {
    Node& from = nodes_.at(static_cast<size_t>(node));
    if (!from.linked || !from.sends || from.instance != instance) {
      return;  // lost with the connection
    }
    broadcast(-1, [this, heartbeat](ClusterElection& election) {
      return election.heartbeatReceived(now_, heartbeat);
    });
  });
}

void SimCluster::broadcast(int except, const std::function<Step(ClusterElection&)>& deliver) {
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    Node& to = nodes_[static_cast<size_t>(i)];
    if (i == except || !to.linked || !to.receives) {
      continue;
    }
    const uint64_t to_instance = to.instance;
    atNode(i, linkTime(to, false), [this, i, to_instance, deliver] {
      Node& receiver = nodes_[static_cast<size_t>(i)];
      if (receiver.linked && receiver.receives && receiver.instance == to_instance) {
        apply(i, deliver(*receiver.election));
      }
    });
  }
}

void SimCluster::publishWill(int node) {
  Node& gone = nodes_.at(static_cast<size_t>(node));
  if (gone.will_published_for == gone.connection) {
    return;
  }
  gone.will_published_for = gone.connection;
  // Behind every heartbeat of the gone node already forwarded to each: one link, in order.
  broadcast(node, [this, node_id = gone.id](ClusterElection& election) {
    return election.nodeOffline(now_, node_id);
  });
}

void SimCluster::apply(int node, const Step& step) {
  Node& n = nodes_.at(static_cast<size_t>(node));
  for (const Action& action : step.actions) {
    if (const auto* heartbeat = std::get_if<PublishHeartbeat>(&action)) {
      publish(node, heartbeat->heartbeat);
    } else if (const auto* role = std::get_if<PublishRole>(&action)) {
      n.record.roles.push_back(role->role);
    } else if (const auto* fence = std::get_if<SetFence>(&action)) {
      n.record.fence_changes.emplace_back(now_, fence->open);
    } else if (const auto* takeover = std::get_if<TakeoverEvent>(&action)) {
      n.record.takeovers.push_back(*takeover);
    } else if (const auto* problem = std::get_if<Problem>(&action)) {
      n.record.problems.push_back(*problem);
    } else if (const auto* answer = std::get_if<HandoverAnswer>(&action)) {
      n.record.answers.push_back(*answer);
    }
  }
  if (n.election->term() < n.record.max_term) {
    terms_monotonic_ = false;
  }
  n.record.max_term = std::max(n.record.max_term, n.election->term());
  if (step.next_deadline) {
    const uint64_t generation = ++n.tick_generation;
    const uint64_t instance = n.instance;
    atNode(node, *step.next_deadline, [this, node, generation, instance] {
      Node& again = nodes_.at(static_cast<size_t>(node));
      if (again.tick_generation == generation && again.instance == instance) {
        apply(node, again.election->tick(now_));
      }
    });
  }
}

std::vector<int> SimCluster::routing() const {
  std::vector<int> open;
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    const Node& n = nodes_[static_cast<size_t>(i)];
    if (n.alive && n.election && n.election->fenceOpen(now_)) {
      open.push_back(i);
    }
  }
  return open;
}

void SimCluster::checkInvariant() {
  const auto open = routing();
  if (open.size() > 1) {
    ++violations_;
    if (violation_report_.empty()) {
      violation_report_ = "at " + std::to_string(nowMs()) + " ms:";
      for (const int i : open) {
        violation_report_ += " " + nodes_[static_cast<size_t>(i)].id;
      }
    }
  }
}

void SimCluster::runUntil(int64_t at) {
  const core::MonoTime end = time(at);
  while (!events_.empty() && events_.top().at <= end) {
    Event event = events_.top();
    events_.pop();
    now_ = event.at;
    event.run();
    checkInvariant();
  }
  now_ = end;
  checkInvariant();
}

}  // namespace failover::cluster::testing
