#include "failover/sim/sim_server.h"

#include <algorithm>
#include <list>
#include <map>
#include <set>
#include <vector>

#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "client_session.h"
#include "control_connection.h"
#include "failover/sim/control_channel.h"
#include "failover/sim/control_command.h"
#include "sim_logger.h"

namespace failover::sim {
namespace {

using asio::ip::tcp;

std::string describe(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

core::Status bindListener(tcp::acceptor& acceptor, const std::string& host, uint16_t port) {
  asio::error_code error;
  const auto address = asio::ip::make_address(host, error);
  if (error) {
    return core::Status::invalidArgument("bad address " + host);
  }
  const tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), error);
  if (!error) {
    // Tests and rehearsals restart the simulator on the same port at once.
    acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  }
  if (!error) {
    acceptor.bind(endpoint, error);
  }
  if (!error) {
    acceptor.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    return core::Status::unavailable("cannot listen on " + describe(endpoint) + ": " +
                                     error.message());
  }
  return core::Status::ok();
}

struct ClientWaiter {
  size_t count = 0;
  std::unique_ptr<asio::steady_timer> timer;
  SimServer::ReplyFn reply;
  bool done = false;
};

}  // namespace

class SimServer::Impl : public SessionEvents {
 public:
  Impl(SimServer& owner, asio::io_context& io, const SimOptions& options)
      : owner_(owner),
        io_(io),
        options_(options),
        faults_(options.faults),
        model_(options.router),
        acceptor_(io),
        control_acceptor_(io) {}

  core::Status start() {
    if (auto status = bindListener(acceptor_, options_.listen_host, options_.listen_port);
        !status.isOk()) {
      return status;
    }
    if (options_.control == ControlMode::Tcp) {
      if (auto status =
              bindListener(control_acceptor_, options_.control_host, options_.control_port);
          !status.isOk()) {
        return status;
      }
      acceptControl();
    }
    accept();
    return core::Status::ok();
  }

  tcp::endpoint listenEndpoint() const { return acceptor_.local_endpoint(); }

  std::optional<tcp::endpoint> controlEndpoint() const {
    if (!control_acceptor_.is_open()) {
      return std::nullopt;
    }
    return control_acceptor_.local_endpoint();
  }

  size_t clientCount() const { return sessions_.size(); }
  bool stopped() const { return stopped_; }

  void stop() {
    if (stopped_) {
      return;
    }
    stopped_ = true;
    asio::error_code ignored;
    acceptor_.close(ignored);
    control_acceptor_.close(ignored);
    closeAllClients();
    for (auto& connection : control_connections_) {
      if (auto live = connection.lock()) {
        live->close();
      }
    }
    for (auto& waiter : waiters_) {
      waiter->timer->cancel();
    }
    io_.stop();
  }

  void onRequest(ClientSession& session, const videohub::Block& block, bool malformed) override {
    if (faults_.silent) {
      return;
    }
    if (faults_.burst_limit && !session.admitRequest(*faults_.burst_limit)) {
      // Like an overrun unit: the block is acknowledged and forgotten.
      simLogger()->debug("request dropped client={} header=\"{}\" reason=burst-limit", session.ip(),
                         videohub::headerOf(block));
      reply(session, true);
      return;
    }
    if (route_before_ack_) {
      // Another operator's change lands while the request is in flight: its echo reaches
      // every client, the requester included, before the requester's ACK.
      const auto race = *route_before_ack_;
      route_before_ack_.reset();
      if (auto change = model_.setRoute(race.destination, race.source); change.isOk()) {
        broadcast(*change);
      }
    }
    const auto outcome = model_.handleRequest(block, malformed, session.ip());
    simLogger()->debug("request client={} header=\"{}\" reply={}", session.ip(),
                       videohub::headerOf(block), outcome.ack ? "ACK" : "NAK");
    reply(session, outcome.ack);
    session.send(outcome.dump);
    broadcast(outcome.change);
  }

  void onClosed(ClientSession& session) override {
    simLogger()->info("client disconnected client={} clients={}", session.ip(),
                      sessions_.size() - 1);
    sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                   [&](const auto& live) { return live.get() == &session; }),
                    sessions_.end());
  }

  void execute(std::string_view line, ReplyFn reply_fn) {
    if (stopped_) {
      reply_fn("error stopping");
      return;
    }
    auto parsed = parseControlCommand(line);
    if (!parsed) {
      reply_fn("error " + parsed.status().message());
      return;
    }
    const ControlCommand& command = *parsed;
    auto apply = [&](core::Result<Change> change) {
      if (!change) {
        reply_fn("error " + change.status().message());
        return;
      }
      broadcast(*change);
      reply_fn("ok");
    };
    switch (command.verb) {
      case ControlVerb::Route:
        return apply(model_.setRoute(command.output, command.input));
      case ControlVerb::Label:
        return apply(model_.setLabel(command.port, command.index, command.text));
      case ControlVerb::Lock: {
        asio::error_code error;
        const auto address = asio::ip::make_address(command.text, error);
        if (error) {
          return reply_fn("error not an IP address: " + command.text);
        }
        return apply(model_.lockFor(command.output, address.to_string()));
      }
      case ControlVerb::Unlock:
        return apply(model_.unlock(command.output));
      case ControlVerb::BurstLimit:
        faults_.burst_limit =
            command.on ? std::optional(BurstLimit{command.count, command.millis}) : std::nullopt;
        return reply_fn("ok");
      case ControlVerb::AckDelay:
        faults_.ack_delay_ms = command.millis;
        return reply_fn("ok");
      case ControlVerb::WithholdAcks:
        faults_.withhold_acks = command.on;
        return reply_fn("ok");
      case ControlVerb::Silent:
        faults_.silent = command.on;
        if (command.on) {
          for (auto& session : sessions_) {
            session->dropPending();
          }
        }
        return reply_fn("ok");
      case ControlVerb::Close:
        closeAllClients();
        return reply_fn("ok");
      case ControlVerb::Refuse:
        // One client's network gone: its connections closed, new ones from it closed at once.
        if (command.on) {
          refused_.insert(command.text);
          const auto sessions = sessions_;
          for (const auto& session : sessions) {
            if (session->ip() == command.text) {
              session->close();
            }
          }
        } else {
          refused_.erase(command.text);
        }
        return reply_fn("ok");
      case ControlVerb::Redump:
        return apply(model_.resize(command.count, command.outputs));
      case ControlVerb::DevicePresent:
        return apply(model_.setPresence(command.presence));
      case ControlVerb::SplitWrites:
        faults_.split_writes = command.on ? command.count : 0;
        return reply_fn("ok");
      case ControlVerb::Coalesce:
        faults_.coalesce_ms = command.on ? command.millis : 0;
        return reply_fn("ok");
      case ControlVerb::LockedRoute:
        model_.setRefusalReply(command.refusal);
        return reply_fn("ok");
      case ControlVerb::EndPrelude:
        model_.setEndPrelude(command.on);
        return reply_fn("ok");
      case ControlVerb::Status:
        return reply_fn(statusLine());
      case ControlVerb::Clients:
        return reply_fn("ok " + std::to_string(sessions_.size()));
      case ControlVerb::WaitClients:
        return waitClients(command.count, command.millis, std::move(reply_fn));
      case ControlVerb::RouteBeforeAck:
        if (command.on &&
            (command.output >= model_.outputs() || command.input >= model_.inputs())) {
          return reply_fn("error port out of range 1.." + std::to_string(model_.outputs()) +
                          " / 1.." + std::to_string(model_.inputs()));
        }
        route_before_ack_ = command.on
                                ? std::optional(videohub::Route{command.output, command.input})
                                : std::nullopt;
        return reply_fn("ok");
      case ControlVerb::Quit:
        reply_fn("ok");
        stop();
        return;
    }
    reply_fn("error unhandled command");
  }

 private:
  void accept() {
    acceptor_.async_accept([this](asio::error_code error, tcp::socket socket) {
      if (stopped_ || error == asio::error::operation_aborted) {
        return;
      }
      if (!error) {
        onAccepted(std::move(socket));
      } else {
        simLogger()->warn("accept failed error=\"{}\"", error.message());
      }
      accept();
    });
  }

  void onAccepted(tcp::socket socket) {
    asio::error_code error;
    socket.set_option(tcp::no_delay(true), error);
    const auto peer = socket.remote_endpoint(error);
    if (error) {
      return;  // the peer is already gone
    }
    auto address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    const std::string ip = address.to_string();
    if (refused_.count(ip) != 0) {
      simLogger()->info("client refused peer={}", describe(peer));
      socket.close(error);
      return;
    }
    simLogger()->info("client connected peer={} clients={}", describe(peer), sessions_.size() + 1);
    auto session = std::make_shared<ClientSession>(std::move(socket), ip, faults_, *this);
    sessions_.push_back(session);
    session->start(model_.prelude(ip));
    checkWaiters();
  }

  void acceptControl() {
    control_acceptor_.async_accept([this](asio::error_code error, tcp::socket socket) {
      if (stopped_ || error == asio::error::operation_aborted) {
        return;
      }
      if (!error) {
        asio::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto connection = std::make_shared<ControlConnection>(std::move(socket), owner_);
        connection->start();
        control_connections_.remove_if([](const auto& weak) { return weak.expired(); });
        control_connections_.push_back(connection);
      }
      acceptControl();
    });
  }

  // ACK or NAK to the requester, after the configured delay, unless ACKs are withheld.
  void reply(ClientSession& session, bool ack) {
    if (faults_.ack_delay_ms > 0) {
      session.holdOutput(std::chrono::milliseconds(faults_.ack_delay_ms));
    }
    if (!faults_.withhold_acks) {
      session.send(ack ? model_.ackBytes() : model_.nakBytes());
    }
  }

  // Every client hears about a change; locks read differently per IP, so render once per IP.
  void broadcast(const Change& change) {
    if (change.empty()) {
      return;
    }
    std::map<std::string, std::string, std::less<>> rendered;
    const auto sessions = sessions_;  // a send may drop a client and edit the list
    for (const auto& session : sessions) {
      auto found = rendered.find(session->ip());
      if (found == rendered.end()) {
        found = rendered.emplace(session->ip(), model_.render(change, session->ip())).first;
      }
      session->send(found->second);
    }
  }

  void closeAllClients() {
    const auto sessions = sessions_;
    for (const auto& session : sessions) {
      session->close();
    }
  }

  std::string statusLine() const {
    std::string line = "ok inputs=" + std::to_string(model_.inputs()) +
                       " outputs=" + std::to_string(model_.outputs()) +
                       " clients=" + std::to_string(sessions_.size()) + " routes=";
    for (uint32_t o = 0; o < model_.outputs(); ++o) {
      if (o > 0) {
        line.push_back(',');
      }
      line += std::to_string(o + 1) + ":" + std::to_string(model_.routeOf(o) + 1);
    }
    return line;
  }

  void waitClients(size_t count, uint32_t millis, ReplyFn reply_fn) {
    if (sessions_.size() >= count) {
      reply_fn("ok");
      return;
    }
    auto waiter = std::make_shared<ClientWaiter>();
    waiter->count = count;
    waiter->reply = std::move(reply_fn);
    waiter->timer = std::make_unique<asio::steady_timer>(io_, std::chrono::milliseconds(millis));
    waiters_.push_back(waiter);
    waiter->timer->async_wait([this, waiter](asio::error_code) {
      if (!waiter->done) {
        waiter->done = true;
        waiter->reply("error timeout");
      }
      std::erase(waiters_, waiter);
    });
  }

  void checkWaiters() {
    for (const auto& waiter : waiters_) {
      if (!waiter->done && sessions_.size() >= waiter->count) {
        waiter->done = true;
        waiter->reply("ok");
        waiter->timer->cancel();
      }
    }
  }

  SimServer& owner_;
  asio::io_context& io_;
  SimOptions options_;
  FaultSettings faults_;
  RouterModel model_;
  tcp::acceptor acceptor_;
  tcp::acceptor control_acceptor_;
  std::vector<std::shared_ptr<ClientSession>> sessions_;
  std::list<std::weak_ptr<ControlConnection>> control_connections_;
  std::vector<std::shared_ptr<ClientWaiter>> waiters_;
  std::optional<videohub::Route> route_before_ack_;  // one-shot, armed from the control channel
  std::set<std::string> refused_;  // client addresses refused (control: refuse IP on)
  bool stopped_ = false;
};

SimServer::SimServer(asio::io_context& io, const SimOptions& options)
    : impl_(std::make_unique<Impl>(*this, io, options)) {}

SimServer::~SimServer() = default;

core::Status SimServer::start() {
  return impl_->start();
}

asio::ip::tcp::endpoint SimServer::listenEndpoint() const {
  return impl_->listenEndpoint();
}

std::optional<asio::ip::tcp::endpoint> SimServer::controlEndpoint() const {
  return impl_->controlEndpoint();
}

void SimServer::executeControl(std::string_view line, ReplyFn reply) {
  impl_->execute(line, std::move(reply));
}

void SimServer::stop() {
  impl_->stop();
}

bool SimServer::stopped() const {
  return impl_->stopped();
}

size_t SimServer::clientCount() const {
  return impl_->clientCount();
}

}  // namespace failover::sim
