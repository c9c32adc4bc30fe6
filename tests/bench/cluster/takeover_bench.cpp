// takeover_bench: how fast the standby of a two-node cluster takes charge, measured among real
// processes (Mosquitto, videohub-sim, two failover-node in cluster mode), from the instant the
// node in charge is killed or frozen to the instant an MQTT client sees the answer.
//
//   takeover_bench kill            [--runs 100]  kill -9 -> C/cluster/active names the other
//   takeover_bench freeze          [--runs 20]   SIGSTOP -> C/cluster/active names the other
//   takeover_bench fail-after-kill [--runs 20]   kill -9, the machine on air fails 100 ms later
//                                                -> its partner on air
//   takeover_bench short-freeze    [--runs 20]   SIGSTOP for --freeze-ms (400): no takeover
//   takeover_bench cut             [--runs 20]   cut from the broker (connections closed)
//                                                -> C/cluster/active names the other
//   takeover_bench black-hole      [--runs 20]   cut silently (no byte passes, nothing
//                                                closed) -> C/cluster/active names the other
//
//   options: --heartbeat-ms N (100) --takeover-after-ms N (500) --freeze-ms N (400)
//            --fail-after-ms N (100) --seed N (1)
//
// Each signal is sent at a random instant (below heartbeat_ms, from --seed) after the lab is
// ready again, so that the runs sample every phase of the heartbeat cycle.
//
// Exit status: 0 when every run could be measured and no takeover routed; 1 otherwise;
// 2 for bad arguments. Whether a target is met is printed, not part of the status: the
// numbers are the result.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "takeover_runs.h"

namespace {

using failover::bench::TakeoverResults;
using failover::bench::TakeoverRuns;
using failover::bench::TakeoverSettings;

struct Args {
  std::string scenario;
  int runs = 0;  // 0: the scenario's default
  TakeoverSettings settings;
};

int defaultRuns(const std::string& scenario) {
  return scenario == "kill" ? 100 : 20;
}

std::optional<Args> parseArgs(int argc, char** argv) {
  if (argc < 2) {
    return std::nullopt;
  }
  Args args;
  args.scenario = argv[1];
  if (args.scenario != "kill" && args.scenario != "freeze" && args.scenario != "fail-after-kill" &&
      args.scenario != "short-freeze" && args.scenario != "cut" && args.scenario != "black-hole") {
    return std::nullopt;
  }
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      return std::nullopt;
    }
    const std::string value = argv[++i];
    char* end = nullptr;
    const long number = std::strtol(value.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || number <= 0 || number > 1'000'000) {
      return std::nullopt;
    }
    const int n = static_cast<int>(number);
    if (flag == "--runs") {
      args.runs = n;
    } else if (flag == "--heartbeat-ms") {
      args.settings.heartbeat_ms = n;
    } else if (flag == "--takeover-after-ms") {
      args.settings.takeover_after_ms = n;
    } else if (flag == "--freeze-ms") {
      args.settings.freeze_ms = n;
    } else if (flag == "--fail-after-ms") {
      args.settings.fail_after_ms = n;
    } else if (flag == "--seed") {
      args.settings.seed = static_cast<unsigned>(n);
    } else {
      return std::nullopt;
    }
  }
  if (args.runs == 0) {
    args.runs = defaultRuns(args.scenario);
  }
  return args;
}

std::string loadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

void printSpread(const char* what, const std::vector<double>& values) {
  if (values.empty()) {
    std::printf("%s: none\n", what);
    return;
  }
  using failover::bench::percentile;
  std::printf("%s: p50 %.1f, p95 %.1f, p99 %.1f, max %.1f ms (min %.1f, %zu samples)\n", what,
              percentile(values, 0.50), percentile(values, 0.95), percentile(values, 0.99),
              percentile(values, 1.0), percentile(values, 0.0), values.size());
}

void printTarget(const char* target, bool met) {
  std::printf("target %s: %s\n", target, met ? "met" : "NOT met");
}

void report(const Args& args, const TakeoverResults& results) {
  using failover::bench::percentile;
  const auto& s = args.settings;
  if (args.scenario == "kill") {
    printSpread("kill -9 -> C/cluster/active names the standby", results.to_active_ms);
    printSpread(
        "takeover_ms of the takeover event (from its trigger: the will, or the last heartbeat)",
        results.event_ms);
    printTarget("p50 <= 300 ms, p99 <= 600 ms over >= 100 kills",
                results.runs >= 100 && percentile(results.to_active_ms, 0.50) <= 300 &&
                    percentile(results.to_active_ms, 0.99) <= 600);
  } else if (args.scenario == "freeze" || args.scenario == "cut" || args.scenario == "black-hole") {
    const std::string what = (args.scenario == "freeze" ? std::string("SIGSTOP") : args.scenario) +
                             " -> C/cluster/active names the standby";
    printSpread(what.c_str(), results.to_active_ms);
    printSpread(
        "takeover_ms of the takeover event (from its trigger: the will, or the last heartbeat)",
        results.event_ms);
    const double bound = s.takeover_after_ms + 200;
    std::printf("(bound takeover_after_ms + 200 = %.0f ms)\n", bound);
    printTarget("every takeover <= takeover_after_ms + 200 ms",
                !results.to_active_ms.empty() && percentile(results.to_active_ms, 1.0) <= bound);
  } else if (args.scenario == "fail-after-kill") {
    printSpread("kill -9 -> C/cluster/active names the standby", results.to_active_ms);
    printSpread("kill -9 -> the pair's state shows the other machine on air", results.to_on_air_ms);
    printTarget("on air <= 1 s from the kill",
                !results.to_on_air_ms.empty() && percentile(results.to_on_air_ms, 1.0) <= 1000);
  } else {
    std::printf("freezes of %d ms ending in a takeover: %d of %d\n", s.freeze_ms, results.takeovers,
                results.runs);
    if (results.takeovers > 0) {
      printSpread("SIGSTOP -> C/cluster/active names the standby", results.to_active_ms);
    }
    printTarget("no takeover", results.runs > 0 && results.takeovers == 0);
  }
  if (!results.to_active_ms.empty() && results.to_active_ms.size() == results.event_ms.size()) {
    // Per run: from the signal or cut, and the node's own takeover_ms (from its trigger).
    std::printf("runs (to C/cluster/active / takeover_ms):");
    for (size_t i = 0; i < results.to_active_ms.size(); ++i) {
      std::printf(" %.0f/%.0f", results.to_active_ms[i], results.event_ms[i]);
    }
    std::printf("\n");
  }
  std::printf("routing blocks received by the router during the runs: from fo1 %d, from fo2 %d\n",
              results.blocks_fo1, results.blocks_fo2);
  std::printf("runs completed: %d of %d\n", results.runs, args.runs);
  for (const auto& problem : results.problems) {
    std::printf("problem: %s\n", problem.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parseArgs(argc, argv);
  if (!args) {
    std::fprintf(stderr,
                 "usage: takeover_bench kill|freeze|cut|black-hole|fail-after-kill|short-freeze\n"
                 "       [--runs N] [--heartbeat-ms N] [--takeover-after-ms N] [--freeze-ms N]\n"
                 "       [--fail-after-ms N] [--seed N]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::err);
  std::string command = "takeover_bench";
  for (int i = 1; i < argc; ++i) {
    command += std::string(" ") + argv[i];
  }
  std::printf("command: %s\n", command.c_str());
  std::printf("cluster: heartbeat_ms %d, takeover_after_ms %d; load average at start %s\n",
              args->settings.heartbeat_ms, args->settings.takeover_after_ms, loadAverage().c_str());
  std::fflush(stdout);
  try {
    TakeoverRuns runs(args->settings);
    TakeoverResults results;
    if (args->scenario == "kill") {
      results = runs.kill(args->runs);
    } else if (args->scenario == "freeze") {
      results = runs.freeze(args->runs);
    } else if (args->scenario == "cut") {
      results = runs.cut(args->runs, failover::cluster_e2e::CutRelay::Mode::Close);
    } else if (args->scenario == "black-hole") {
      results = runs.cut(args->runs, failover::cluster_e2e::CutRelay::Mode::Silent);
    } else if (args->scenario == "fail-after-kill") {
      results = runs.failAfterKill(args->runs);
    } else {
      results = runs.shortFreeze(args->runs);
    }
    report(*args, results);
    std::printf("load average at the end %s\n", loadAverage().c_str());
    std::fflush(stdout);
    return results.problems.empty() && results.runs == args->runs ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "takeover_bench: %s\n", error.what());
    return 1;
  }
}
