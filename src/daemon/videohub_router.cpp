#include "failover/daemon/videohub_router.h"

#include <algorithm>

namespace failover::daemon {
namespace {

using videohub_client::ConnectionState;
using videohub_client::LockState;

}  // namespace

videohub_client::InputLabels machineInputLabels(const config::Config& config,
                                                const config::RouterSettings& router) {
  videohub_client::InputLabels labels;
  if (!router.write_labels) {
    return labels;
  }
  for (const auto& machine : config.machines) {
    const bool on_router =
        std::any_of(config.pairs.begin(), config.pairs.end(), [&](const config::PairSettings& p) {
          return p.router == router.id && (p.main == machine.id || p.backup == machine.id);
        });
    if (!on_router) {
      continue;
    }
    for (const config::SignalInput& entry : config::machineInputs(machine)) {
      if (entry.input <= 0) {
        continue;
      }
      // A machine with several signals names each input: "AR Main fill", "AR Main key".
      const std::string name = machine.label.empty() ? machine.id : machine.label;
      std::string label =
          videohub_client::sanitizeLabel(machine.inputs.empty() ? name : name + " " + entry.signal);
      if (label.empty()) {
        label = videohub_client::sanitizeLabel(machine.id);
      }
      labels.emplace(static_cast<uint32_t>(entry.input), std::move(label));
    }
  }
  return labels;
}

VideohubRouter::VideohubRouter(asio::io_context& io, const config::RouterSettings& settings,
                               videohub_client::ClientOptions options, RouterReports reports)
    : io_(io),
      settings_(settings),
      options_(std::move(options)),
      reports_(std::move(reports)),
      enabled_(settings.enabled) {
  // A node that locks its outputs takes them over from anyone else, for routes too.
  options_.force_unlock = settings_.force_unlock || settings_.lock_outputs;
  if (!settings_.write_labels) {
    options_.input_labels.clear();
  }
  status_.id = settings_.id;
  status_.enabled = enabled_;
  status_.address = options_.host + ":" + std::to_string(options_.port);
  status_.state = enabled_ ? "connecting" : "disabled";
}

VideohubRouter::~VideohubRouter() {
  stop();
}

void VideohubRouter::start() {
  if (!enabled_ || client_) {
    return;
  }
  videohub_client::ClientObservers observers;
  observers.on_connection = [this](const videohub_client::ConnectionEvent& event) {
    onConnection(event);
  };
  observers.on_change = [this](const videohub_client::StateChange& change,
                               const videohub_client::RouterState& state) {
    onChange(change, state);
  };
  client_ = std::make_unique<videohub_client::VideohubClient>(io_, options_, std::move(observers));
  client_->allowLabelWriting(label_writing_allowed_);
  client_->start();
}

void VideohubRouter::allowLabelWriting(bool allowed) {
  label_writing_allowed_ = allowed;
  if (client_) {
    client_->allowLabelWriting(allowed);
  }
}

void VideohubRouter::stop() {
  if (client_) {
    client_->stop();
    client_.reset();
  }
}

void VideohubRouter::setEnabled(bool enabled) {
  if (enabled == enabled_) {
    return;
  }
  enabled_ = enabled;
  status_.enabled = enabled;
  if (enabled) {
    status_.state = "connecting";
    reportStatus();
    start();
  } else {
    stop();
    status_.connected = false;
    status_.state = "disabled";
    status_.reason = "disabled by an operator";
    reportStatus();
    if (reports_.on_observed) {
      engine::RouterObserved observed;
      observed.router = settings_.id;
      observed.connected = false;
      reports_.on_observed(std::move(observed));
    }
  }
}

std::optional<core::BlockRefused> VideohubRouter::refusalBeforeSending() const {
  if (!enabled_) {
    return core::BlockRefused{core::BlockRefusal::Disabled,
                              "router " + settings_.id + " is disabled"};
  }
  if (!client_) {
    return core::BlockRefused{core::BlockRefusal::NotConnected,
                              "router " + settings_.id + " is not started"};
  }
  return std::nullopt;
}

void VideohubRouter::sendRoutes(std::vector<core::Route> routes,
                                std::function<void(const core::BlockOutcome&)> report) {
  if (auto refused = refusalBeforeSending()) {
    report(*refused);
    return;
  }
  client_->sendRoutes(std::move(routes), std::move(report));
}

void VideohubRouter::lockOutputs(std::vector<int> outputs,
                                 std::function<void(const core::BlockOutcome&)> report) {
  if (auto refused = refusalBeforeSending()) {
    report(*refused);
    return;
  }
  client_->lockOutputs(std::move(outputs), std::move(report));
}

std::vector<int> VideohubRouter::lockedByOthers(const videohub_client::RouterState& state) const {
  std::vector<int> locked;
  for (const uint32_t output : state.lockedOutputs()) {
    if (state.lockOf(output) == LockState::LockedByOther) {
      locked.push_back(static_cast<int>(output));
    }
  }
  return locked;
}

engine::RouterObserved VideohubRouter::fullObservation(
    const videohub_client::RouterState& state) const {
  engine::RouterObserved observed;
  observed.router = settings_.id;
  observed.connected = true;
  observed.device_present = state.available();
  observed.full = true;
  for (uint32_t output = 1; output <= state.outputCount(); ++output) {
    if (const auto source = state.sourceOf(output)) {
      observed.routes.push_back({static_cast<int>(output), static_cast<int>(*source)});
    }
  }
  observed.locked_outputs = lockedByOthers(state);
  observed.size = engine::RouterSize{static_cast<int>(state.device().video_inputs),
                                     static_cast<int>(state.device().video_outputs)};
  return observed;
}

void VideohubRouter::onConnection(const videohub_client::ConnectionEvent& event) {
  status_.state = videohub_client::toString(event.state);
  status_.reason = event.reason;
  status_.connected = event.state == ConnectionState::Ready;
  if (event.state == ConnectionState::Ready || event.state == ConnectionState::Unavailable) {
    status_.model = event.device.model_name;
    status_.friendly_name = event.device.friendly_name;
    status_.protocol = event.device.protocol_version;
    status_.inputs = static_cast<int>(event.device.video_inputs);
    status_.outputs = static_cast<int>(event.device.video_outputs);
  }
  if (client_ && status_.connected) {
    const auto& state = client_->state();
    status_.locked_outputs.clear();
    for (const uint32_t output : state.lockedOutputs()) {
      status_.locked_outputs.push_back(static_cast<int>(output));
    }
  }
  reportStatus();
  if (!reports_.on_observed) {
    return;
  }
  if (event.state == ConnectionState::Ready && client_) {
    reports_.on_observed(fullObservation(client_->state()));
  } else if (event.state == ConnectionState::Unavailable) {
    engine::RouterObserved observed;
    observed.router = settings_.id;
    observed.connected = true;
    observed.device_present = false;
    observed.full = true;
    reports_.on_observed(std::move(observed));
  } else if (event.state == ConnectionState::Disconnected) {
    engine::RouterObserved observed;
    observed.router = settings_.id;
    observed.connected = false;
    reports_.on_observed(std::move(observed));
  }
}

void VideohubRouter::onChange(const videohub_client::StateChange& change,
                              const videohub_client::RouterState& state) {
  if (!client_ || client_->connectionState() != ConnectionState::Ready) {
    return;  // the prelude is still streaming: Ready reports everything at once
  }
  if (change.device) {
    reports_.on_observed(fullObservation(state));
    return;
  }
  if (!change.locks.empty()) {
    status_.locked_outputs.clear();
    for (const uint32_t output : state.lockedOutputs()) {
      status_.locked_outputs.push_back(static_cast<int>(output));
    }
    reportStatus();
  }
  if (change.routes.empty() && change.locks.empty()) {
    return;
  }
  engine::RouterObserved observed;
  observed.router = settings_.id;
  observed.connected = true;
  observed.device_present = state.available();
  observed.full = false;
  for (const uint32_t output : change.routes) {
    if (const auto source = state.sourceOf(output)) {
      observed.routes.push_back({static_cast<int>(output), static_cast<int>(*source)});
    }
  }
  if (!change.locks.empty()) {
    observed.locked_outputs = lockedByOthers(state);
  }
  if (reports_.on_observed) {
    reports_.on_observed(std::move(observed));
  }
}

void VideohubRouter::reportStatus() {
  if (reports_.on_status) {
    reports_.on_status(status_);
  }
}

}  // namespace failover::daemon
