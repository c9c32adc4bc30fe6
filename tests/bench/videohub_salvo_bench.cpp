// videohub_salvo_bench: time from a routing block written to the router (BlockSent) to the
// router's own update showing every route in the client's mirror, for a salvo of many outputs
// (default 144) on a large simulated router (default 288x288), over loopback TCP against the
// real videohub-sim. That is how the node confirms a switch: from the router's routing, not
// from the ACK.
//
//   videohub_salvo_bench [--runs 1000] [--outputs 144] [--size 288] [--sim PATH]
//
// Each run alternates the outputs between two sets of inputs, so every route really changes
// and the router echoes it.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <asio.hpp>
#include <spdlog/spdlog.h>

#include "failover/core/route.h"
#include "failover/videohub_client/videohub_client.h"
#include "support/child_process.h"
#include "support/free_port.h"
#include "support/run_until.h"

namespace vc = failover::videohub_client;
using namespace std::chrono_literals;

namespace {

using failover::testing::runUntil;

struct Args {
  int runs = 1000;
  uint32_t outputs = 144;
  uint32_t size = 288;
  std::string sim;
};

std::optional<Args> parseArgs(int argc, char** argv) {
  Args args;
  args.sim = failover::testing::binaryPath("videohub-sim");
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      return std::nullopt;
    }
    const std::string value = argv[++i];
    char* end = nullptr;
    const long number = std::strtol(value.c_str(), &end, 10);
    const bool numeric = end != nullptr && *end == '\0' && number > 0 && number <= 1000000;
    if (flag == "--runs" && numeric) {
      args.runs = static_cast<int>(number);
    } else if (flag == "--outputs" && numeric) {
      args.outputs = static_cast<uint32_t>(number);
    } else if (flag == "--size" && numeric) {
      args.size = static_cast<uint32_t>(number);
    } else if (flag == "--sim") {
      args.sim = value;
    } else {
      return std::nullopt;
    }
  }
  if (args.outputs * 2 > args.size) {
    return std::nullopt;  // two disjoint input sets are needed
  }
  return args;
}

double percentile(std::vector<double> sorted, double p) {
  const auto index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parseArgs(argc, argv);
  if (!args) {
    std::fprintf(stderr,
                 "usage: videohub_salvo_bench [--runs N] [--outputs N] [--size N] [--sim PATH]\n"
                 "       (outputs * 2 <= size)\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::err);
  const std::string size = std::to_string(args->size);
  failover::testing::ChildProcess sim({args->sim, "--listen", "127.0.0.1:0", "--inputs", size,
                                       "--outputs", size, "--log-level", "error"});
  const auto line = sim.waitForLine("listening on ", 5000ms);
  if (!line) {
    std::fprintf(stderr, "videohub-sim did not start\n");
    return 1;
  }
  const uint16_t port = failover::testing::announcedPort(*line);

  // One run: its routes, when its block was written and when the mirror showed them all.
  struct Run {
    std::vector<failover::core::Route> routes;
    std::optional<failover::core::MonoTime> sent;
    std::optional<failover::core::MonoTime> shown;
    bool acknowledged = false;
    bool answered = false;  // the block's last report came
  };
  auto current = std::make_shared<Run>();
  vc::ClientObservers observers;
  // Read on every change the router reports, as the node does: the moment the last route
  // shows is the confirmation.
  observers.on_change = [current](const vc::StateChange& change, const vc::RouterState& state) {
    if (current->shown || change.routes.empty()) {
      return;
    }
    const bool all = std::all_of(
        current->routes.begin(), current->routes.end(), [&](const failover::core::Route& r) {
          return state.sourceOf(static_cast<uint32_t>(r.output)) == static_cast<uint32_t>(r.input);
        });
    if (all) {
      current->shown = failover::core::MonoClock::now();
    }
  };

  asio::io_context io;
  vc::ClientOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  vc::VideohubClient client(io, options, observers);
  client.start();
  if (!runUntil(
          io, [&] { return client.connectionState() == vc::ConnectionState::Ready; }, 5000ms)) {
    std::fprintf(stderr, "the client did not become ready\n");
    return 1;
  }

  std::vector<double> micros;
  micros.reserve(static_cast<size_t>(args->runs));
  int failures = 0;
  const int warmup = 20;
  for (int run = 0; run < args->runs + warmup; ++run) {
    *current = Run{};
    const int base = (run % 2 == 0) ? static_cast<int>(args->outputs) : 0;
    for (int o = 1; o <= static_cast<int>(args->outputs); ++o) {
      current->routes.push_back({o, base + o});
    }
    client.sendRoutes(current->routes, [current](const failover::core::BlockOutcome& outcome) {
      if (const auto* sent = std::get_if<failover::core::BlockSent>(&outcome)) {
        current->sent = sent->at;
        return;
      }
      current->acknowledged = std::holds_alternative<failover::core::BlockAcknowledged>(outcome);
      current->answered = true;
    });
    if (!runUntil(
            io, [&] { return current->answered && (current->shown || !current->acknowledged); },
            5000ms)) {
      std::fprintf(stderr, "run %d: no answer\n", run);
      return 1;
    }
    if (!current->acknowledged || !current->sent || !current->shown) {
      ++failures;
      continue;
    }
    if (run >= warmup) {
      micros.push_back(
          std::chrono::duration<double, std::micro>(*current->shown - *current->sent).count());
    }
  }
  if (micros.empty()) {
    std::fprintf(stderr, "no run was fully applied\n");
    return 1;
  }
  std::sort(micros.begin(), micros.end());
  std::string command = "videohub_salvo_bench";
  for (int i = 1; i < argc; ++i) {
    command += std::string(" ") + argv[i];
  }
  std::printf("command: %s\n", command.c_str());
  std::printf("router %ux%u (videohub-sim), salvo of %u outputs in one block, %d runs\n",
              args->size, args->size, args->outputs, args->runs);
  std::printf("send -> all confirmed: p50 %.1f us, p99 %.1f us, max %.1f us\n",
              percentile(micros, 0.50), percentile(micros, 0.99), micros.back());
  std::printf("runs not fully applied: %d, blocks sent: %llu\n", failures,
              static_cast<unsigned long long>(client.stats().requests_sent));
  client.stop();
  return failures == 0 ? 0 : 1;
}
