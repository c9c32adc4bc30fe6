#pragma once

// VideohubRouter: the RouterControl port on a VideohubClient, and the translation of what the
// client mirrors (connection, routing, locks) into the node's RouterObserved events and
// RouterStatus for dashboards. Runs on the io thread like the client.
//
// With routers.<id>.write_labels, the client keeps the machine labels on the router's inputs
// (ClientOptions::input_labels, from machineInputLabels()); without it, the router's labels
// are never written. With routers.<id>.force_unlock or lock_outputs, outputs locked by another
// client are force-unlocked before a routing block.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "failover/config/config.h"
#include "failover/daemon/json_views.h"
#include "failover/engine/events.h"
#include "failover/ports/router_control.h"
#include "failover/videohub_client/videohub_client.h"

namespace failover::daemon {

// The input labels router `router` keeps when its write_labels is on: for every machine of a
// pair on that router, the machine's label (its id when the label is empty after
// sanitizeLabel) at the machine's 1-based input. When two machines name one input, the first
// in the file wins. Empty when write_labels is off.
videohub_client::InputLabels machineInputLabels(const config::Config& config,
                                                const config::RouterSettings& router);

struct RouterReports {
  std::function<void(engine::RouterObserved)> on_observed;
  std::function<void(const RouterStatus&)> on_status;
};

class VideohubRouter final : public ports::RouterControl {
 public:
  // `options` carries the address, timeouts and input labels; `settings` the router's
  // configuration (input labels are dropped unless settings.write_labels).
  VideohubRouter(asio::io_context& io, const config::RouterSettings& settings,
                 videohub_client::ClientOptions options, RouterReports reports);
  ~VideohubRouter() override;

  void start();  // connects when enabled
  // Cluster mode: only the node in charge writes input labels (VideohubClient::
  // allowLabelWriting); kept across reconnects and enable/disable.
  void allowLabelWriting(bool allowed);
  void stop();

  // ports::RouterControl
  // A disabled router reports BlockRefused{Disabled}; otherwise the client's reports pass
  // through unchanged.
  void sendRoutes(std::vector<core::Route> routes,
                  std::function<void(const core::BlockOutcome&)> report) override;
  // As sendRoutes: refused when disabled, else the client's lockOutputs() reports.
  void lockOutputs(std::vector<int> outputs,
                   std::function<void(const core::BlockOutcome&)> report) override;
  void setEnabled(bool enabled) override;

 private:
  // Why a block cannot be handed to the client now (disabled, or not started); none: it can.
  std::optional<core::BlockRefused> refusalBeforeSending() const;
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
  bool label_writing_allowed_ = true;
};

}  // namespace failover::daemon
