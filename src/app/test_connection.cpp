// --test-connection HOST[:PORT]: connect to a Videohub once, read its prelude and report what
// it is. Exit 0 when the device is present; otherwise exit 1 with one line saying why. The
// whole command (name lookup, connect, prelude) is bounded by --timeout-ms. With --config FILE
// instead of an address, every router of the file is checked against it
// (test_configured_routers.cpp).

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "failover/core/host_port.h"
#include "failover/videohub_client/videohub_client.h"
#include "router_probe.h"

namespace failover::app {

namespace vc = videohub_client;

namespace {

struct Address {
  std::string host;
  uint16_t port = vc::kDefaultVideohubPort;
};

// HOST, HOST:PORT, [V6], [V6]:PORT, and a bare IPv6 literal (no port, then) as a convenience
// for a command typed by hand.
std::optional<Address> parseAddress(const std::string& text) {
  core::AddressRules rules;
  rules.allow_bare_ipv6 = true;
  const auto parsed = core::parseHostPort(text, rules);
  if (!parsed.ok()) {
    return std::nullopt;
  }
  Address address;
  address.host = parsed.address.host;
  address.port = parsed.address.port.value_or(address.port);
  return address;
}

const char* holderOf(vc::LockState lock) {
  return lock == vc::LockState::Owned ? "this host" : "another client";
}

void printReport(const std::string& where, const vc::RouterState& state, bool json) {
  const vc::DeviceInfo& device = state.device();
  if (json) {
    nlohmann::json report;
    report["address"] = where;
    report["present"] = true;
    report["protocol_version"] = device.protocol_version;
    report["model"] = device.model_name;
    report["friendly_name"] = device.friendly_name;
    report["unique_id"] = device.unique_id;
    report["inputs"] = device.video_inputs;
    report["outputs"] = device.video_outputs;
    nlohmann::json locked = nlohmann::json::array();
    for (const uint32_t output : state.lockedOutputs()) {
      const auto lock = state.lockOf(output);
      locked.push_back({{"output", output},
                        {"lock", std::string(1, videohub::lockCode(lock))},
                        {"held_by", lock == vc::LockState::Owned ? "this_host" : "other"}});
    }
    report["locked_outputs"] = locked;
    nlohmann::json inputs = nlohmann::json::array();
    for (uint32_t i = 1; i <= device.video_inputs; ++i) {
      inputs.push_back({{"input", i}, {"label", state.inputLabel(i)}});
    }
    nlohmann::json outputs = nlohmann::json::array();
    for (uint32_t o = 1; o <= device.video_outputs; ++o) {
      nlohmann::json entry = {{"output", o}, {"label", state.outputLabel(o)}};
      if (const auto source = state.sourceOf(o)) {
        entry["input"] = *source;
      }
      outputs.push_back(entry);
    }
    report["input_labels"] = inputs;
    report["output_routing"] = outputs;
    // Labels are arbitrary bytes from the router: never let a bad UTF-8 byte abort us.
    std::printf("%s\n",
                report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("Videohub at %s\n", where.c_str());
  std::printf("  protocol version: %s\n", device.protocol_version.c_str());
  std::printf("  model:            %s\n", device.model_name.c_str());
  std::printf("  friendly name:    %s\n", device.friendly_name.c_str());
  std::printf("  unique id:        %s\n", device.unique_id.c_str());
  std::printf("  inputs:           %u\n", device.video_inputs);
  std::printf("  outputs:          %u\n", device.video_outputs);
  const auto locked = state.lockedOutputs();
  if (locked.empty()) {
    std::printf("  locked outputs:   none\n");
  } else {
    std::printf("  locked outputs:\n");
    for (const uint32_t output : locked) {
      const auto lock = state.lockOf(output);
      std::printf("    %u %c (%s)\n", output, videohub::lockCode(lock), holderOf(lock));
    }
  }
  std::printf("  input labels:\n");
  for (uint32_t i = 1; i <= device.video_inputs; ++i) {
    std::printf("    %u %s\n", i, state.inputLabel(i).c_str());
  }
  std::printf("  outputs (label <- input):\n");
  for (uint32_t o = 1; o <= device.video_outputs; ++o) {
    const auto source = state.sourceOf(o);
    std::printf("    %u %s <- %s\n", o, state.outputLabel(o).c_str(),
                source ? std::to_string(*source).c_str() : "?");
  }
}

void printFailure(const std::string& where, const std::string& reason, bool json) {
  if (json) {
    nlohmann::json report = {{"address", where}, {"present", false}, {"error", reason}};
    std::printf("%s\n",
                report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  std::fprintf(stderr, "failover-node: %s: %s\n", where.c_str(), reason.c_str());
}

}  // namespace

int runTestConnection(const CommandLine& command_line) {
  configureProbeLogging(command_line.log_level);
  if (!command_line.config_path.empty()) {
    return runTestConfiguredRouters(command_line);
  }
  const bool json = command_line.json;
  const auto address = parseAddress(command_line.router_address);
  if (!address) {
    printFailure(command_line.router_address,
                 "bad address (expected HOST or HOST:PORT with a port 1-65535)", json);
    return 1;
  }
  const std::string where = address->host + ":" + std::to_string(address->port);
  int exit_code = 1;
  probeRouter(address->host, address->port, "", std::chrono::milliseconds(command_line.timeout_ms),
              [&](const RouterProbe& probe) {
                if (probe.present && probe.state) {
                  printReport(where, *probe.state, json);
                  exit_code = 0;
                } else {
                  printFailure(where, probe.error, json);
                }
              });
  return exit_code;
}

}  // namespace failover::app
