#pragma once

// VideohubRouter: the RouterControl port on a VideohubClient, and the translation of what the
// client mirrors (connection, routing, locks) into the node's RouterObserved events and
// RouterStatus for dashboards. Runs on the io thread like the client.

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "failover/config/config.h"
#include "failover/daemon/json_views.h"
#include "failover/engine/events.h"
#include "failover/ports/router_control.h"
#include "failover/videohub_client/videohub_client.h"

namespace failover::daemon {

struct RouterReports {
  std::function<void(engine::RouterObserved)> on_observed;
  std::function<void(const RouterStatus&)> on_status;
};

class VideohubRouter final : public ports::RouterControl {
 public:
  // `options` carries the address and timeouts; `settings` the router's configuration.
  VideohubRouter(asio::io_context& io, const config::RouterSettings& settings,
                 videohub_client::ClientOptions options, RouterReports reports);
  ~VideohubRouter() override;

  void start();  // connects when enabled
  void stop();

  // ports::RouterControl
  void routeSalvo(std::vector<engine::Route> routes,
                  std::function<void(std::vector<engine::OutputOutcome>)> done) override;
  void setEnabled(bool enabled) override;

 private:
  void onConnection(const videohub_client::ConnectionEvent& event);
  void onChange(const videohub_client::StateChange& change,
                const videohub_client::RouterState& state);
  engine::RouterObserved fullObservation(const videohub_client::RouterState& state) const;
  std::vector<int> lockedByOthers(const videohub_client::RouterState& state) const;
  void reportStatus();

  asio::io_context& io_;
  config::RouterSettings settings_;
  videohub_client::ClientOptions options_;
  RouterReports reports_;
  std::unique_ptr<videohub_client::VideohubClient> client_;
  RouterStatus status_;
  bool enabled_ = true;
};

}  // namespace failover::daemon
