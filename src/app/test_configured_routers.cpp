// --test-connection --config FILE: probe every router of a configuration and check the
// configuration against what each router really is: its size (every output and signal input
// of its pairs must exist) and its locks (an output of a pair locked by another client blocks
// switching unless force_unlock or lock_outputs). Exit 0 when every router is present and nothing
// is in the way; otherwise exit 1, each problem on its own line.

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "failover/config/loader.h"
#include "router_probe.h"

namespace failover::app {
namespace {

using Json = nlohmann::json;

// What stands between a pair and a switch on this router, one line per problem.
std::vector<std::string> pairProblems(const config::Config& config,
                                      const config::PairSettings& pair,
                                      const config::RouterSettings& router,
                                      const videohub_client::RouterState& state) {
  const auto inputs = state.device().video_inputs;
  const auto outputs = state.device().video_outputs;
  std::vector<std::string> problems;
  for (const int output : pair.outputs) {
    const auto port = static_cast<uint32_t>(output);
    if (port > outputs) {
      problems.push_back("output " + std::to_string(output) + " is beyond the router's " +
                         std::to_string(outputs) + " outputs");
    } else if (!router.force_unlock && !router.lock_outputs &&
               state.lockOf(port) == videohub::LockState::LockedByOther) {
      // With force_unlock or lock_outputs the node takes the lock itself before it switches.
      problems.push_back("output " + std::to_string(output) +
                         " is locked by another client (and force_unlock is off)");
    }
  }
  for (const std::string* machine_id : {&pair.main, &pair.backup}) {
    const config::MachineSettings* machine = config.findMachine(*machine_id);
    if (machine == nullptr) {
      continue;
    }
    for (const config::SignalInput& entry : config::machineInputs(*machine)) {
      if (static_cast<uint32_t>(entry.input) > inputs) {
        problems.push_back("input " + std::to_string(entry.input) + " (" + machine->id + " " +
                           entry.signal + ") is beyond the router's " + std::to_string(inputs) +
                           " inputs");
      }
    }
  }
  return problems;
}

}  // namespace

int runTestConfiguredRouters(const CommandLine& command_line) {
  const config::LoadResult loaded = config::loadConfigFile(command_line.config_path);
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) {
      std::fprintf(stderr, "%s\n", error.render().c_str());
    }
    return 1;
  }
  const config::Config& config = loaded.config;
  const std::chrono::milliseconds timeout(command_line.timeout_ms);
  bool all_ok = true;
  Json report = {{"config", command_line.config_path}, {"routers", Json::array()}};
  for (const config::RouterSettings& router : config.routers) {
    const std::string where = router.host + ":" + std::to_string(router.port);
    Json entry = {{"id", router.id}, {"address", where}, {"present", false}};
    const std::string& from = router.bind_address;  // the node's own source address
    probeRouter(router.host, router.port, from, timeout, [&](const RouterProbe& probe) {
      if (!probe.present || !probe.state) {
        all_ok = false;
        entry["error"] = probe.error;
        if (!command_line.json) {
          std::printf("router %s at %s: %s\n", router.id.c_str(), where.c_str(),
                      probe.error.c_str());
        }
        if (probe.lookup_pending) {
          report["routers"].push_back(entry);
          report["ok"] = false;
          if (command_line.json) {
            std::printf("%s\n",
                        report.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
          } else {
            std::printf("the remaining routers were not checked\n");
          }
        }
        return;
      }
      const auto& device = probe.state->device();
      entry["present"] = true;
      entry["model"] = device.model_name;
      entry["inputs"] = device.video_inputs;
      entry["outputs"] = device.video_outputs;
      entry["pairs"] = Json::array();
      if (!command_line.json) {
        std::printf("router %s at %s: %s, %u inputs, %u outputs\n", router.id.c_str(),
                    where.c_str(), device.model_name.c_str(), device.video_inputs,
                    device.video_outputs);
      }
      for (const config::PairSettings& pair : config.pairs) {
        if (pair.router != router.id) {
          continue;
        }
        const auto problems = pairProblems(config, pair, router, *probe.state);
        all_ok = all_ok && problems.empty();
        entry["pairs"].push_back(
            {{"id", pair.id}, {"ok", problems.empty()}, {"problems", problems}});
        if (!command_line.json) {
          std::printf("  pair %s: %s\n", pair.id.c_str(),
                      problems.empty() ? "ok" : "cannot switch here");
          for (const auto& problem : problems) {
            std::printf("    %s\n", problem.c_str());
          }
        }
      }
    });
    report["routers"].push_back(entry);
  }
  report["ok"] = all_ok;
  if (command_line.json) {
    std::printf("%s\n", report.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    std::printf("%s\n",
                all_ok ? "OK: every router is present and every pair fits" : "NOT OK: see above");
  }
  return all_ok ? 0 : 1;
}

}  // namespace failover::app
