// failover-node --config FILE: the running daemon. The composition root: loads and validates
// the configuration, restores the saved run-time settings, builds the adapters around the
// node (Paho for the bus, the Videohub client for each router, an Asio timer and clock, the
// state file and the audit trail each written on its own thread) and runs them all on one
// io_context thread until SIGINT or SIGTERM. SIGHUP reloads the configuration file
// (Node::reload).

#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "failover/app/version.h"
#include "failover/cluster_bus/cluster_bus.h"
#include "failover/config/loader.h"
#include "failover/config/state_file.h"
#include "failover/daemon/asio_ports.h"
#include "failover/daemon/audit_record.h"
#include "failover/daemon/file_audit_trail.h"
#include "failover/daemon/file_run_state_store.h"
#include "failover/daemon/node.h"
#include "failover/daemon/topics.h"
#include "failover/daemon/videohub_router.h"
#include "failover/mqtt/paho_message_bus.h"
#include "logging.h"

#ifdef FAILOVER_HAS_DISCOVERY
#include "failover/discovery/cluster_roster.h"
#include "failover/discovery/discovery.h"
#endif

namespace failover::app {
namespace {

// FNV-1a over the file's bytes: tells dashboards which configuration a node runs.
std::string hashFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : contents.str()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

// The MQTT password comes from a file (never from the YAML, never logged); one line, the
// trailing newline removed.
bool readPassword(const std::string& path, std::string& password, std::string& error) {
  std::ifstream file(path);
  if (!file) {
    error = "cannot read mqtt.password_file " + path;
    return false;
  }
  std::getline(file, password);
  if (!password.empty() && password.back() == '\r') {
    password.pop_back();
  }
  return true;
}

// Paho reports an unreadable CA, certificate or key only as a failed connect, retried forever:
// say at start which file it is.
bool checkTlsFilesReadable(const config::TlsSettings& tls, std::string& error) {
  const std::pair<const char*, const std::string*> files[] = {
      {"mqtt.tls.ca_file", &tls.ca_file},
      {"mqtt.tls.cert_file", &tls.cert_file},
      {"mqtt.tls.key_file", &tls.key_file}};
  for (const auto& [key, path] : files) {
    if (!path->empty() && !std::ifstream(*path)) {
      error = std::string("cannot read ") + key + " " + *path;
      return false;
    }
  }
  return true;
}

// `cluster_nodes`: the other nodes of the cluster known so far (cluster mode).
std::vector<std::pair<std::string, std::string>> discoveryMessages(
    const config::Config& config, const std::vector<std::string>& cluster_nodes) {
  std::vector<std::pair<std::string, std::string>> messages;
#ifdef FAILOVER_HAS_DISCOVERY
  if (config.homeassistant.enabled) {
    for (auto& message : discovery::buildDiscovery(config, kVersion, cluster_nodes)) {
      messages.emplace_back(std::move(message.topic), std::move(message.payload));
    }
  }
#else
  (void)config;
  (void)cluster_nodes;
#endif
  return messages;
}

#ifdef FAILOVER_HAS_DISCOVERY
using ClusterRoster = discovery::ClusterRoster;
#else
// Without the discovery module there is no discovery to keep up to date.
class ClusterRoster {
 public:
  explicit ClusterRoster(const config::Config&) {}
  const std::string& filter() const { return filter_; }
  bool matches(std::string_view) const { return false; }
  bool observe(std::string_view, std::string_view) { return false; }
  std::vector<std::string> others() const { return {}; }

 private:
  std::string filter_;
};
#endif

std::vector<std::pair<std::string, std::string>> discoveryRemoved(const config::Config& previous,
                                                                  const config::Config& next) {
  std::vector<std::pair<std::string, std::string>> messages;
#ifdef FAILOVER_HAS_DISCOVERY
  for (auto& message : discovery::removeDiscovery(previous, next)) {
    messages.emplace_back(std::move(message.topic), std::move(message.payload));
  }
#else
  (void)previous;
  (void)next;
#endif
  return messages;
}

// Cluster mode: the longest wait between two attempts to reach the broker.
constexpr int kClusterReconnectMaxMs = 1000;

// Cluster mode: the election's settings, and an instance number drawn afresh at every start
// (a second process with this node_id shows itself by another instance).
cluster_bus::ClusterBusSettings clusterSettings(const config::Config& config) {
  cluster_bus::ClusterBusSettings settings;
  settings.cluster_base = config.mqtt.base_topic + "/" + config.cluster->id;
  settings.election.node_id = config.node_id;
  settings.election.rank = config.cluster->rank;
  settings.election.heartbeat = core::Millis(config.cluster->heartbeat_ms);
  settings.election.takeover_after = core::Millis(config.cluster->takeover_after_ms);
  // On a broker cluster a will may overtake the same node's last heartbeats (they can pass
  // through different brokers): there the election waits for silence instead.
  settings.election.trust_last_will = config.mqtt.servers.size() <= 1;
  settings.response_topic_prefixes = config.mqtt.response_topic_prefixes;
  std::random_device entropy;
  settings.instance = (uint64_t{entropy()} << 32) | entropy();
  return settings;
}

// mqtt.client_id; when it was not given, in a cluster, failover-<node_id> with the process's
// instance after it. A second process started with a node's node_id (a configuration error)
// must not take that node's broker connection over (the broker drops the older of two
// connections with one client id): with both connected, the election sees the two instances,
// keeps the first and isolates the other with a clear error.
std::string clientId(const config::MqttSettings& mqtt,
                     const std::optional<cluster_bus::ClusterBusSettings>& cluster) {
  if (!mqtt.client_id_defaulted || !cluster) {
    return mqtt.client_id;
  }
  char suffix[10];
  std::snprintf(suffix, sizeof(suffix), "-%08x", static_cast<unsigned>(cluster->instance));
  return mqtt.client_id + suffix;
}

// Whether every enabled router is connected, from the routers' statuses: a node in charge
// that has lost them hands over to a standby that has not.
class RouterHealth {
 public:
  bool update(const daemon::RouterStatus& status) {
    if (status.enabled) {
      connected_[status.id] = status.connected;
    } else {
      connected_.erase(status.id);
    }
    for (const auto& [id, connected] : connected_) {
      if (!connected) {
        return false;
      }
    }
    return true;
  }

 private:
  std::map<std::string, bool> connected_;
};

}  // namespace

int runDaemon(const CommandLine& command_line) {
  setupLogging(command_line.log_level, command_line.log_format);
  auto log = spdlog::get("app");

  config::LoadResult loaded = config::loadConfigFile(command_line.config_path);
  for (const auto& warning : loaded.warnings) {
    log->warn("{}", warning.render());
  }
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) {
      std::fprintf(stderr, "%s\n", error.render().c_str());
    }
    return 1;
  }
  config::Config config = std::move(loaded.config);

  // The YAML's own values, before the state file's overrides: what the overrides are
  // measured against when they are saved.
  const config::RunState configured = config::runStateOf(config);
  std::optional<config::RunStateOverrides> saved_overrides;
  if (!config.state_file.empty()) {
    auto run_state = config::loadRunState(config.state_file);
    if (!run_state) {
      log->error("ignoring the saved run-time settings: {}", run_state.status().message());
    } else {
      for (const auto& warning : config::applyRunState(config, run_state.value())) {
        log->warn("{}", warning);
      }
      saved_overrides = std::move(run_state.value());
    }
  }

  mqtt::BusSettings bus_settings;
  bus_settings.server_uri = config.mqtt.server;
  bus_settings.servers = config.mqtt.servers;
  std::optional<cluster_bus::ClusterBusSettings> cluster_settings;
  if (config.cluster) {
    cluster_settings = clusterSettings(config);
  }
  bus_settings.client_id = clientId(config.mqtt, cluster_settings);
  bus_settings.mqtt5 = config.mqtt.version == config::MqttVersion::V5;
  bus_settings.keepalive_s = config.mqtt.keepalive_s;
  if (config.cluster) {
    // A node off the broker can neither stay nor come into charge: after a broker outage every
    // node must be back within a second, not at the end of a 5 s back-off.
    bus_settings.reconnect_max_ms = kClusterReconnectMaxMs;
  }
  bus_settings.username = config.mqtt.username;
  if (!config.mqtt.password_file.empty()) {
    std::string error;
    if (!readPassword(config.mqtt.password_file, bus_settings.password, error)) {
      std::fprintf(stderr, "failover-node: %s\n", error.c_str());
      return 1;
    }
  }
  if (config.mqtt.tls) {
    if (std::string error; !checkTlsFilesReadable(*config.mqtt.tls, error)) {
      std::fprintf(stderr, "failover-node: %s\n", error.c_str());
      return 1;
    }
    bus_settings.ca_file = config.mqtt.tls->ca_file;
    bus_settings.cert_file = config.mqtt.tls->cert_file;
    bus_settings.key_file = config.mqtt.tls->key_file;
    bus_settings.verify_server = config.mqtt.tls->verify;
  }
  // The node's state topic, with its Last Will: B/node/state, or C/nodes/<node_id>/state.
  bus_settings.state_topic = daemon::Topics(config).nodeState();

  asio::io_context io;
  daemon::SteadyTimeSource time_source;
  daemon::AsioTimer engine_timer(io);
  daemon::AsioTimer publish_timer(io);
  daemon::AsioTimer cluster_timer(io);
  daemon::Node* node_ptr = nullptr;
  // Cluster mode: the election over the bus; it says when this node is in charge.
  std::unique_ptr<cluster_bus::ClusterBus> cluster;
  bool in_charge = !config.cluster;
  std::map<std::string, std::unique_ptr<daemon::VideohubRouter>> routers;
  std::map<std::string, ports::RouterControl*> router_ports;

  // Cluster mode with Home Assistant: the nodes of the cluster, learnt from their retained
  // C/nodes/<n>/state, so that the discovery the node in charge publishes keeps the cluster's
  // entities available while any node is online (docs/home-assistant.md). The configuration
  // they are built for is the one last loaded (a reload may change the pairs).
  ClusterRoster roster(config);
  const bool learn_nodes = config.homeassistant.enabled && !roster.filter().empty();
  config::Config discovery_config = config;

  ports::BusHandlers bus_handlers;
  bus_handlers.on_connected = [&] {
    node_ptr->onBusConnected();
    if (cluster) {
      cluster->onBusConnected();
    }
  };
  bus_handlers.on_lost = [&](const std::string&) {
    if (cluster) {
      cluster->onBusLost();
    }
    node_ptr->onBusLost();
  };
  bus_handlers.on_message = [&](const ports::BusMessage& message) {
    if (cluster && cluster->onBusMessage(message)) {
      return;
    }
    if (learn_nodes && roster.matches(message.topic)) {
      if (roster.observe(message.topic, message.payload)) {
        node_ptr->replaceDiscovery(discoveryMessages(discovery_config, roster.others()));
      }
      return;
    }
    node_ptr->onBusMessage(message);
  };
  mqtt::PahoMessageBus bus(io, bus_settings, bus_handlers);

  if (config.cluster) {
    cluster_bus::ClusterBusCallbacks callbacks;
    callbacks.on_fence = [&](bool open, const std::string& reason) {
      in_charge = open;
      // Only the node in charge writes to the routers: its input labels included.
      for (auto& [id, router] : routers) {
        router->allowLabelWriting(open);
      }
      node_ptr->setInCharge(open, reason);
    };
    callbacks.on_takeover = [&](const cluster::TakeoverEvent& event) {
      node_ptr->audit(daemon::takeoverAuditRecord(
          event.from.empty() ? std::nullopt : std::optional<std::string>(event.from), event.to,
          event.reason, event.term));
    };
    cluster = std::make_unique<cluster_bus::ClusterBus>(*cluster_settings, bus, cluster_timer,
                                                        time_source, callbacks);
  }
  RouterHealth router_health;

  const auto make_router = [&](const config::RouterSettings& router,
                               const config::Config& facility) {
    videohub_client::ClientOptions options;
    options.host = router.host;
    options.port = router.port;
    options.local_address = router.bind_address;
    options.input_labels = daemon::machineInputLabels(facility, router);
    daemon::RouterReports reports;
    reports.on_observed = [&](engine::RouterObserved observed) {
      node_ptr->onRouterObserved(std::move(observed));
    };
    reports.on_status = [&](const daemon::RouterStatus& status) {
      node_ptr->onRouterStatus(status);
      const bool routers_ok = router_health.update(status);
      if (cluster) {
        cluster->routersHealthy(routers_ok);
      }
    };
    auto adapter = std::make_unique<daemon::VideohubRouter>(io, router, options, reports);
    adapter->allowLabelWriting(in_charge);
    daemon::VideohubRouter* port = adapter.get();
    routers[router.id] = std::move(adapter);
    return port;
  };
  for (const auto& router : config.routers) {
    router_ports[router.id] = make_router(router, config);
  }

  // A reload reads the same file again, and follows it with the routers' connections.
  daemon::ReloadPorts reload_ports;
  reload_ports.load = [&command_line] {
    return config::loadConfigFile(command_line.config_path);
  };
  reload_ports.identity = [&](const config::Config& next) {
    discovery_config = next;
    return daemon::NodeIdentity{kVersion, hashFile(command_line.config_path),
                                discoveryMessages(next, roster.others())};
  };
  reload_ports.discovery_removed = [](const config::Config& previous, const config::Config& next) {
    return discoveryRemoved(previous, next);
  };
  reload_ports.open_router = [&](const config::RouterSettings& router,
                                 const config::Config& facility) -> ports::RouterControl* {
    daemon::VideohubRouter* port = make_router(router, facility);
    port->start();
    return port;
  };
  reload_ports.close_router = [&routers](const std::string& id) {
    // Stopped and destroyed: the client's pending handlers see that it stopped.
    routers.erase(id);
  };

  // Declared before the node, so it outlives it: when the daemon stops, a state still waiting
  // is written before the process exits.
  std::unique_ptr<daemon::FileRunStateStore> run_state_store;
  if (!config.state_file.empty()) {
    run_state_store = std::make_unique<daemon::FileRunStateStore>(config.state_file, configured);
    // Overrides dropped at start (the YAML was edited since), or kept from a file of an older
    // version, are written out now, so the file says what applies.
    const config::RunState applied = config::runStateOf(config);
    if (saved_overrides && *saved_overrides != config::overridesOf(applied, configured)) {
      run_state_store->save(applied);
    }
  }

  // Declared before the node too: the lines still waiting when it stops are written.
  std::unique_ptr<daemon::FileAuditTrail> audit_trail;
  if (!config.audit_log.empty()) {
    daemon::AuditFileOptions audit_options;
    audit_options.path = config.audit_log;
    audit_options.max_bytes = static_cast<uint64_t>(config.audit_log_max_mb) * 1024 * 1024;
    audit_options.keep = config.audit_log_keep;
    audit_trail = std::make_unique<daemon::FileAuditTrail>(std::move(audit_options));
  }

  const std::string config_hash = hashFile(command_line.config_path);
  daemon::NodeIdentity identity{kVersion, config_hash, discoveryMessages(config, {})};
  daemon::NodePorts node_ports{bus,
                               time_source,
                               engine_timer,
                               router_ports,
                               &publish_timer,
                               run_state_store.get(),
                               audit_trail.get(),
                               std::move(reload_ports),
                               {}};
  if (cluster) {
    node_ports.may_route = [&cluster] {
      return cluster->fenceOpen();
    };
  }
  daemon::Node node(config, std::move(node_ports), std::move(identity));
  node_ptr = &node;

  log->info("failover-node {} starting: node {}, {}", kVersion, config.node_id,
            config::summarize(config));
  node.audit(daemon::nodeStartAuditRecord(kVersion, config_hash));
  if (config.cluster) {
    log->info(
        "cluster '{}', rank {}: standing by until elected (heartbeat {} ms, takeover "
        "after {} ms)",
        config.cluster->id, config.cluster->rank, config.cluster->heartbeat_ms,
        config.cluster->takeover_after_ms);
  }
  node.start();
  if (cluster) {
    cluster->start();
  }
  if (learn_nodes) {
    bus.subscribe(roster.filter(), ports::SubscriptionKind::State);
  }
  // Router and broker connect in parallel; the routing read from each router tells the
  // engine which machine is on air before anything may switch.
  for (auto& [id, router] : routers) {
    router->start();
  }
  std::string error;
  if (!bus.start(error)) {
    std::fprintf(stderr, "failover-node: cannot use MQTT server %s: %s\n",
                 config.mqtt.server.c_str(), error.c_str());
    node.audit(daemon::nodeStopAuditRecord("cannot use the MQTT server"));
    return 1;
  }

  // SIGHUP: the configuration file again, on the io thread like everything else. The answer
  // also goes to B/node/response/reload, for whoever watches.
  asio::signal_set hangups(io, SIGHUP);
  std::function<void(const std::error_code&, int)> on_hangup =
      [&](const std::error_code& signal_error, int) {
        if (signal_error) {
          return;
        }
        log->info("SIGHUP: reloading the configuration from {}", command_line.config_path);
        node.reloadOnSignal();
        hangups.async_wait(on_hangup);
      };
  hangups.async_wait(on_hangup);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code& signal_error, int signal_number) {
    if (signal_error) {
      return;
    }
    log->info("signal {}: stopping", signal_number);
    node.audit(daemon::nodeStopAuditRecord("signal " + std::to_string(signal_number)));
    hangups.cancel();
    for (auto& [id, router] : routers) {
      router->stop();
    }
    engine_timer.cancel();
    cluster_timer.cancel();
    bus.stop(2000);  // publishes offline first
    io.stop();
  });
  io.run();
  log->info("stopped");
  return 0;
}

}  // namespace failover::app
