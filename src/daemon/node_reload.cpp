// Node::reload: the configuration file read again and taken over whole, or not at all
// (SPEC 8.3). A file is fully loaded and validated into a separate Config before anything of
// the running node is touched, so a bad file never changes state.

#include <spdlog/spdlog.h>

#include "failover/daemon/command_parser.h"
#include "failover/daemon/node.h"

namespace failover::daemon {
namespace {

using Json = nlohmann::json;

// At most this many errors of a bad file go into the answer and the event (all are logged).
constexpr std::size_t kReportedErrors = 50;

std::string listed(const std::vector<std::string>& ids) {
  std::string text = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    text += (i == 0 ? "" : ",") + ids[i];
  }
  return text + "]";
}

Json changesJson(const config::IdChanges& changes) {
  return {{"added", changes.added},
          {"removed", changes.removed},
          {"changed", changes.changed},
          {"unchanged", changes.unchanged}};
}

Json summaryJson(const config::ConfigDiff& diff) {
  return {{"pairs", changesJson(diff.pairs)},
          {"routers", changesJson(diff.routers)},
          {"machines", changesJson(diff.machines)},
          {"rules_changed", diff.rules_changed}};
}

Json optionalJson(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// One line for the audit trail: what the reload added, removed and changed.
std::string reloadSummary(const config::ConfigDiff& diff) {
  return "pairs added=" + listed(diff.pairs.added) + " removed=" + listed(diff.pairs.removed) +
         " changed=" + listed(diff.pairs.changed) +
         "; routers added=" + listed(diff.routers.added) +
         " removed=" + listed(diff.routers.removed) + " changed=" + listed(diff.routers.changed) +
         "; rules " + (diff.rules_changed ? "changed" : "unchanged");
}

}  // namespace

Json Node::reload(const std::string& requested_by, const std::optional<std::string>& transaction) {
  if (!ports_.reload.load) {
    return refuseReload(requested_by, transaction, "not_supported",
                        "this node cannot read its configuration again", Json::object());
  }
  config::LoadResult loaded = ports_.reload.load();
  for (const auto& warning : loaded.warnings) {
    log_->warn("reload: {}", warning.render());
  }
  if (!loaded.ok()) {
    Json errors = Json::array();
    for (const auto& error : loaded.errors) {
      log_->error("reload: {}", error.render());
      if (errors.size() < kReportedErrors) {
        errors.push_back(error.render());
      }
    }
    const std::string message =
        std::to_string(loaded.errors.size()) +
        " error(s) in the configuration file, first: " + loaded.errors.front().render();
    return refuseReload(requested_by, transaction, "invalid_config", message,
                        {{"errors", std::move(errors)}});
  }
  const auto fixed = config::fixedSettingsChanged(config_, loaded.config);
  if (!fixed.empty()) {
    std::string names;
    for (const auto& name : fixed) {
      names += (names.empty() ? "" : ", ") + name;
    }
    return refuseReload(requested_by, transaction, "restart_required",
                        "these settings change only with a restart: " + names,
                        {{"settings", fixed}});
  }

  const config::ConfigDiff diff = config::diffConfigs(config_, loaded.config);
  applyReload(std::move(loaded.config), diff);

  Json data = summaryJson(diff);
  data["config_hash"] = publisher_.configHash();
  log_->info(
      "configuration reloaded by {}: pairs added={} removed={} changed={} unchanged={}; routers "
      "added={} removed={} changed={}; rules {}",
      requested_by, listed(diff.pairs.added), listed(diff.pairs.removed),
      listed(diff.pairs.changed), listed(diff.pairs.unchanged), listed(diff.routers.added),
      listed(diff.routers.removed), listed(diff.routers.changed),
      diff.rules_changed ? "changed" : "unchanged");
  Json event = {{"event_type", "reload"},
                {"result", "ok"},
                {"requested_by", requested_by},
                {"transaction", optionalJson(transaction)},
                {"ts", rfc3339(ports_.time.wallNow())}};
  event.update(data);
  publisher_.publishNodeEvent(event);
  audit(reloadAuditRecord(true, reloadSummary(diff), requested_by, transaction));
  return {{"status", "ok"}, {"transaction", optionalJson(transaction)}, {"data", std::move(data)}};
}

void Node::reloadOnSignal() {
  ports_.bus.publish(topics_.nodeResponse(kReloadRequest), reload("signal", std::nullopt).dump(),
                     {1, false, {}});
  ++stats_.published;
}

Json Node::refuseReload(const std::string& requested_by,
                        const std::optional<std::string>& transaction, std::string_view code,
                        const std::string& message, Json details) {
  log_->error("reload requested by {} refused, nothing changed: {}", requested_by, message);
  Json event = {{"event_type", "reload"},
                {"result", "failed"},
                {"code", code},
                {"error", message},
                {"requested_by", requested_by},
                {"transaction", optionalJson(transaction)},
                {"ts", rfc3339(ports_.time.wallNow())}};
  event.update(details);
  publisher_.publishNodeEvent(event);
  audit(reloadAuditRecord(false, message, requested_by, transaction));
  Json answer = errorReplyJson(transaction, code, message);
  answer["data"] = std::move(details);
  return answer;
}

void Node::applyReload(config::Config next, const config::ConfigDiff& diff) {
  // The engine first, while the routers' ports are still those of the running
  // configuration: it answers switches that end with the reload, and routes nothing for
  // pairs that are new or changed.
  const auto now = ports_.time.monotonicNow();
  draining_ = true;
  execute(engine_.reload(next, now));
  drainQueue();
  draining_ = false;

  config::Config previous = std::move(config_);
  config_ = std::move(next);
  topics_ = Topics(config_);  // health topics of new machines; the filters do not change
  followRouters(diff);
  NodeIdentity identity = ports_.reload.identity ? ports_.reload.identity(config_) : NodeIdentity{};
  const auto removed = ports_.reload.discovery_removed
                           ? ports_.reload.discovery_removed(previous, config_)
                           : std::vector<std::pair<std::string, std::string>>{};
  publisher_.reloaded(previous, diff, std::move(identity), removed);
  if (ports_.run_state != nullptr &&
      (!diff.pairs.added.empty() || !diff.pairs.removed.empty() || !diff.routers.added.empty() ||
       !diff.routers.removed.empty())) {
    ports_.run_state->save(engine_.runState());  // the file lists the pairs and routers there are
  }
  rearmEngineTimer();
  publisher_.schedulePairPublishing();
}

void Node::followRouters(const config::ConfigDiff& diff) {
  for (const auto& ids : {diff.routers.removed, diff.routers.changed}) {
    for (const auto& id : ids) {
      ports_.routers.erase(id);
      if (ports_.reload.close_router) {
        ports_.reload.close_router(id);
      }
    }
  }
  if (!ports_.reload.open_router) {
    return;
  }
  const config::RunState running = engine_.runState();
  for (const auto& ids : {diff.routers.added, diff.routers.changed}) {
    for (const auto& id : ids) {
      config::RouterSettings router = *config_.findRouter(id);
      if (const auto state = running.routers.find(id);
          state != running.routers.end() && state->second.enabled) {
        router.enabled = *state->second.enabled;  // a changed router keeps its run-time setting
      }
      ports_.routers[id] = ports_.reload.open_router(router, config_);
    }
  }
}

}  // namespace failover::daemon
