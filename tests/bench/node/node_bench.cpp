// node_bench: the running failover-node against the numbers of SPEC section 6, on loopback with
// a real Mosquitto and videohub-sim. One scenario per run:
//
//   node_bench health  [--runs 1000] [--load 0]   health fail → switch confirmed (event latencies);
//                                                 --load N adds N healthy heartbeats/s of 32
//                                                 other machines (16 more pairs)
//   node_bench manual  [--runs 1000]              request/switch → response (client side)
//   node_bench silence [--runs 100] [--stale-ms 100]  last heartbeat → switch event
//   node_bench ingest  [--messages 200000]        healthy heartbeats through the broker, counted
//                                                 by the node's B/node/stats
//   node_bench mass    [--runs 10] [--pairs 144]  every Main fails at once: blocks, time, RSS
//   node_bench startup [--runs 20] [--pairs 1]    exec → retained pair state with router connected
//
// Prints p50/p99/max per figure. Exit 1 when a run fails (no event, a failed switch, a timeout).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_lab.h"
#include "support/heartbeats.h"

namespace fb = failover::bench;
using fb::BenchLab;
using fb::Clock;
using fb::Json;
using fb::Received;
using namespace std::chrono_literals;

namespace {

struct Args {
  std::string scenario;
  int runs = 0;
  int load = 0;
  int stale_ms = 100;
  long messages = 200'000;
  int pairs = 0;
  long rate = 0;  // ingest: messages per second; 0 = as fast as the client can
};

std::optional<Args> parseArgs(int argc, char** argv) {
  if (argc < 2) {
    return std::nullopt;
  }
  Args args;
  args.scenario = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    char* end = nullptr;
    const long value = std::strtol(argv[i + 1], &end, 10);
    if (end == nullptr || *end != '\0' || value < 0 || value > 100'000'000) {
      return std::nullopt;
    }
    if (flag == "--runs") {
      args.runs = static_cast<int>(value);
    } else if (flag == "--load") {
      args.load = static_cast<int>(value);
    } else if (flag == "--stale-ms") {
      args.stale_ms = static_cast<int>(value);
    } else if (flag == "--messages") {
      args.messages = value;
    } else if (flag == "--pairs") {
      args.pairs = static_cast<int>(value);
    } else if (flag == "--rate") {
      args.rate = value;
    } else {
      return std::nullopt;
    }
  }
  if ((argc - 2) % 2 != 0) {
    return std::nullopt;
  }
  return args;
}

double millisSince(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Prints "name: n=... p50=... p99=... max=..." (milliseconds unless `unit` says otherwise).
void printStats(const std::string& name, std::vector<double> values_ms, const char* unit = "ms") {
  if (values_ms.empty()) {
    std::printf("%-34s n=0\n", name.c_str());
    return;
  }
  std::sort(values_ms.begin(), values_ms.end());
  const auto at = [&](double fraction) {
    const auto index = static_cast<size_t>(fraction * static_cast<double>(values_ms.size() - 1));
    return values_ms[index];
  };
  std::printf("%-34s n=%zu p50=%.3f %s p99=%.3f %s max=%.3f %s\n", name.c_str(), values_ms.size(),
              at(0.5), unit, at(0.99), unit, values_ms.back(), unit);
}

std::string loadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string line;
  std::getline(file, line);
  return line;
}

// VmRSS and VmHWM lines of a process.
std::string memoryOf(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  std::string found;
  while (std::getline(file, line)) {
    if (line.rfind("VmRSS", 0) == 0 || line.rfind("VmHWM", 0) == 0) {
      found += line + "  ";
    }
  }
  return found;
}

// User + system CPU seconds a process has used.
double cpuSeconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) {
    return 0;
  }
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14 || index == 15) {
      ticks += std::stod(field);
    }
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A switch event of `pair` with `type`, parsed; nullopt on timeout.
std::optional<Json> waitEvent(BenchLab& lab, int pair, const std::string& type,
                              Clock::time_point* arrived = nullptr,
                              std::chrono::milliseconds timeout = 5000ms) {
  const std::string topic = lab.pairTopic(pair, "event");
  std::optional<Json> event;
  const auto item = lab.bus().waitFor(
      [&](const Received& received) {
        if (received.topic != topic) {
          return false;
        }
        event = fb::parseObject(received.payload);
        return event && event->value("event_type", "") == type;
      },
      timeout);
  if (!item) {
    return std::nullopt;
  }
  if (arrived != nullptr) {
    *arrived = item->at;
  }
  return event;
}

double latency(const Json& event, const char* field) {
  return event.at("latency_ms").at(field).get<double>();
}

struct SwitchSamples {
  std::vector<double> round_trip;
  std::vector<double> detect_to_command;
  std::vector<double> command_to_confirm;
  std::vector<double> total;

  void add(const Json& event, double round_trip_ms) {
    round_trip.push_back(round_trip_ms);
    detect_to_command.push_back(latency(event, "detect_to_command"));
    command_to_confirm.push_back(latency(event, "command_to_confirm"));
    total.push_back(latency(event, "total"));
  }
  void print(const std::string& round_trip_name) const {
    printStats(round_trip_name, round_trip);
    printStats("event detect_to_command", detect_to_command);
    printStats("event command_to_confirm", command_to_confirm);
    printStats("event total", total);
  }
};

// Puts pair 0 back on its Main: Main engine ok, then set/active (same connection, so in order).
void switchBack(BenchLab& lab) {
  lab.bus().publish(BenchLab::healthTopic(BenchLab::mainId(0), "engine"), R"({"status":"ok"})");
  lab.bus().publish(lab.pairTopic(0, "set/active"), BenchLab::mainId(0), 1);
  const auto back = waitEvent(lab, 0, "manual_switch");
  if (!back || back->value("result", "") != "ok") {
    throw std::runtime_error("switching back to the Main failed: " +
                             (back ? back->dump() : std::string("no event")));
  }
}

// Healthy engine heartbeats of the machines of pairs 1..16 at `rate` messages per second.
class BackgroundLoad {
 public:
  BackgroundLoad(const std::string& uri, int rate) : bus_(uri, "node-bench-load"), rate_(rate) {
    thread_ = std::thread([this] { run(); });
  }
  ~BackgroundLoad() {
    stop_ = true;
    thread_.join();
  }
  long sent() const { return sent_; }

 private:
  void run() {
    std::vector<std::string> topics;
    for (int pair = 1; pair <= 16; ++pair) {
      topics.push_back(BenchLab::healthTopic(BenchLab::mainId(pair), "engine"));
      topics.push_back(BenchLab::healthTopic(BenchLab::backupId(pair), "engine"));
    }
    const auto start = Clock::now();
    size_t next = 0;
    while (!stop_) {
      // Paced per millisecond, so the load is even rather than bursts once a second.
      const auto due = static_cast<long>(millisSince(start, Clock::now()) * rate_ / 1000.0);
      for (; sent_ < due; ++sent_) {
        bus_.publish(topics[next], R"({"status":"ok","mode":"live"})");
        next = (next + 1) % topics.size();
      }
      std::this_thread::sleep_for(1ms);
    }
  }

  fb::BenchBus bus_;
  int rate_;
  std::atomic<bool> stop_{false};
  std::atomic<long> sent_{0};
  std::thread thread_;
};

int benchHealth(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 1000;
  BenchLab lab({args.load > 0 ? 17 : 1});
  lab.startPeers();
  lab.startNode();
  lab.makeReady();
  std::unique_ptr<BackgroundLoad> load;
  if (args.load > 0) {
    load = std::make_unique<BackgroundLoad>(lab.broker().uri(), args.load);
    std::this_thread::sleep_for(1s);  // let the load reach its rate before measuring
  }
  const auto started = Clock::now();
  SwitchSamples samples;
  const std::string topic = BenchLab::healthTopic(BenchLab::mainId(0), "engine");
  for (int run = -20; run < runs; ++run) {
    const auto sent = Clock::now();
    lab.bus().publish(topic, R"({"status":"fail","mode":"live"})");
    Clock::time_point arrived;
    const auto event = waitEvent(lab, 0, "failover", &arrived);
    if (!event || event->value("result", "") != "ok") {
      std::fprintf(stderr, "run %d: no confirmed failover: %s\n", run,
                   event ? event->dump().c_str() : "timeout");
      return 1;
    }
    if (run >= 0) {
      samples.add(*event, millisSince(sent, arrived));
    }
    switchBack(lab);
  }
  const double seconds = millisSince(started, Clock::now()) / 1000.0;
  std::printf("health → switch, %d switches (+20 warm-up), background load %d msg/s", runs,
              args.load);
  if (load) {
    std::printf(" (sent %ld in %.1f s = %.0f/s)", load->sent(), seconds + 1.0,
                static_cast<double>(load->sent()) / (seconds + 1.0));
  }
  std::printf("\n");
  samples.print("publish → event received (client)");
  std::printf("loadavg %s\n", loadAverage().c_str());
  return 0;
}

int benchManual(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 1000;
  BenchLab lab({1});
  lab.startPeers();
  lab.startNode();
  lab.makeReady();
  SwitchSamples samples;
  std::vector<double> to_event;
  const std::string response_topic = lab.pairTopic(0, "response/switch");
  for (int run = -20; run < runs; ++run) {
    const std::string target = (run % 2 == 0) ? BenchLab::backupId(0) : BenchLab::mainId(0);
    const std::string transaction = "t" + std::to_string(run + 20);
    const auto sent = Clock::now();
    lab.bus().publish(lab.pairTopic(0, "request/switch"),
                      Json{{"target", target}, {"transaction", transaction}}.dump(), 1);
    std::optional<Json> response;
    std::optional<Json> event;
    Clock::time_point answered;
    Clock::time_point event_at;
    // The event and the response may arrive in either order; take both.
    const auto item = lab.bus().waitFor(
        [&](const Received& received) {
          if (received.topic == response_topic) {
            auto json = fb::parseObject(received.payload);
            if (json && json->value("transaction", "") == transaction) {
              response = json;
              answered = received.at;
            }
          } else if (received.topic == lab.pairTopic(0, "event")) {
            auto json = fb::parseObject(received.payload);
            if (json && json->value("transaction", Json()) == transaction) {
              event = json;
              event_at = received.at;
            }
          }
          return response && event;
        },
        5000ms);
    if (!item || response->value("status", "") != "ok" || event->value("result", "") != "ok") {
      std::fprintf(stderr, "run %d: switch to %s not confirmed: %s / %s\n", run, target.c_str(),
                   response ? response->dump().c_str() : "no response",
                   event ? event->dump().c_str() : "no event");
      return 1;
    }
    if (run >= 0) {
      samples.add(*event, millisSince(sent, answered));
      to_event.push_back(millisSince(sent, event_at));
    }
  }
  printStats("publish → event received (client)", to_event);
  std::printf("request/switch → response, %d switches (+20 warm-up)\n", runs);
  samples.print("publish → response received (client)");
  std::printf("loadavg %s\n", loadAverage().c_str());
  return 0;
}

// Heartbeats of every check of the machines of pairs 0..pairs-1, through their own client; the
// Mains' engine heartbeats can be silenced, all at once. The Mains come first, so each round
// starts with every Main's engine heartbeat, back to back: when they stop, their last ones
// are as close together as the bus allows.
class Heartbeats {
 public:
  Heartbeats(const std::string& uri, std::chrono::milliseconds period, int pairs = 1)
      : bus_(uri, "node-bench-heartbeats"),
        heartbeats_(machines(pairs),
                    [this](const std::string& topic, const std::string& payload) {
                      bus_.publish(topic, payload);
                    },
                    {period, R"({"status":"ok"})"}) {
    for (int pair = 0; pair < pairs; ++pair) {
      main_engines_.emplace_back(BenchLab::mainId(pair), "engine");
    }
    heartbeats_.start();
  }
  // Stops the Mains' engine heartbeats; returns when the last one was published.
  Clock::time_point silenceMainEngine() { return heartbeats_.silence(main_engines_); }
  void resumeMainEngine() { heartbeats_.resume(main_engines_); }

 private:
  static std::vector<std::string> machines(int pairs) {
    std::vector<std::string> ids;
    for (int pair = 0; pair < pairs; ++pair) {
      ids.push_back(BenchLab::mainId(pair));
    }
    for (int pair = 0; pair < pairs; ++pair) {
      ids.push_back(BenchLab::backupId(pair));
    }
    return ids;
  }

  fb::BenchBus bus_;
  failover::testing::Heartbeats heartbeats_;
  std::vector<failover::testing::Heartbeats::Check> main_engines_;
};

int benchSilence(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 100;
  BenchLab lab({1, args.stale_ms});
  lab.startPeers();
  Heartbeats heartbeats(lab.broker().uri(), std::chrono::milliseconds(args.stale_ms / 5));
  lab.startNode();
  lab.makeReady();
  std::vector<double> silence_to_event;
  std::vector<double> over_target;
  SwitchSamples samples;
  for (int run = -3; run < runs; ++run) {
    // Start each run just after a heartbeat, so the silence is measured from a real one.
    std::this_thread::sleep_for(std::chrono::milliseconds(args.stale_ms / 3));
    const auto last = heartbeats.silenceMainEngine();
    Clock::time_point arrived;
    const auto event = waitEvent(lab, 0, "failover", &arrived);
    if (!event || event->value("result", "") != "ok") {
      std::fprintf(stderr, "run %d: no confirmed failover on silence\n", run);
      return 1;
    }
    if (run >= 0) {
      const double elapsed = millisSince(last, arrived);
      silence_to_event.push_back(elapsed);
      over_target.push_back(elapsed - args.stale_ms);
      samples.add(*event, elapsed);
    }
    heartbeats.resumeMainEngine();
    switchBack(lab);
  }
  std::printf("silence → switch, stale_after_ms %d, %d runs (+3 warm-up)\n", args.stale_ms, runs);
  samples.print("last heartbeat → event received");
  printStats("  of which beyond stale_after_ms", over_target);
  std::printf("loadavg %s\n", loadAverage().c_str());
  return 0;
}

// The node's health_messages counter from the next stats message that satisfies `match`.
std::optional<std::pair<long, Clock::time_point>> waitStats(
    BenchLab& lab, const std::function<bool(const Json&)>& match,
    std::chrono::milliseconds timeout = 60000ms) {
  std::optional<Json> stats;
  const auto item = lab.bus().waitFor(
      [&](const Received& received) {
        if (received.topic != lab.base() + "/node/stats") {
          return false;
        }
        stats = fb::parseObject(received.payload);
        return stats && match(*stats);
      },
      timeout);
  if (!item) {
    return std::nullopt;
  }
  return std::pair{stats->value("health_messages", 0L), item->at};
}

int benchIngest(const Args& args) {
  BenchLab lab({1});
  lab.startPeers();
  lab.startNode();
  lab.makeReady();
  // Stats are published on connect and with the first report of each kind of rejected
  // payload: an unknown status marks the start, invalid JSON the end.
  const auto has = [](const Json& stats, const char* needle) {
    const Json rejected = stats.value("rejected", Json::object());  // items() needs an lvalue
    for (const auto& [reason, count] : rejected.items()) {
      if (reason.find(needle) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  const std::string topic = BenchLab::healthTopic(BenchLab::backupId(0), "engine");
  lab.bus().publish(topic, R"({"status":"bogus"})");
  const auto before = waitStats(lab, [&](const Json& stats) { return has(stats, "status"); });
  if (!before) {
    std::fprintf(stderr, "no stats after an unknown status\n");
    return 1;
  }
  const double cpu_before = cpuSeconds(lab.node().pid());
  const auto start = Clock::now();
  if (args.rate > 0) {
    // An even rate: each millisecond's share, then wait for the next millisecond.
    const long per_ms = std::max(1L, args.rate / 1000);
    auto tick = start;
    for (long sent = 0; sent < args.messages;) {
      for (long i = 0; i < per_ms && sent < args.messages; ++i, ++sent) {
        lab.bus().publish(topic, R"({"status":"ok","mode":"live"})");
      }
      tick += 1ms;
      std::this_thread::sleep_until(tick);
    }
  } else {
    for (long i = 0; i < args.messages; ++i) {
      lab.bus().publish(topic, R"({"status":"ok","mode":"live"})");
    }
  }
  const auto published = Clock::now();
  lab.bus().publish(topic, "{");
  auto after = waitStats(
      lab, [&](const Json& stats) { return has(stats, "json"); }, 30000ms);
  if (!after) {
    // The end marker itself was lost: the broker drops messages for a subscriber that falls
    // too far behind. A second marker of another kind, once the node has caught up, still
    // gives the count.
    std::printf("ingest: the end marker never reached the node; sending another\n");
    lab.bus().publish(topic, "[1]");
    after = waitStats(
        lab, [&](const Json& stats) { return has(stats, "type"); }, 30000ms);
    if (!after) {
      std::fprintf(stderr, "no stats after either end marker; log:\n%s\n", lab.nodeLog().c_str());
      return 1;
    }
  }
  const double cpu = cpuSeconds(lab.node().pid()) - cpu_before;
  const long counted = after->first - before->first - 1;
  const double seconds = millisSince(start, after->second) / 1000.0;
  std::printf("ingest: published %ld in %.3f s (%.0f/s by the bench client)\n", args.messages,
              millisSince(start, published) / 1000.0,
              static_cast<double>(args.messages) / (millisSince(start, published) / 1000.0));
  std::printf(
      "ingest: node counted %ld (dropped %ld) in %.3f s = %.0f msg/s; node CPU %.3f s "
      "(%.0f%% of one core)\n",
      counted, args.messages - counted, seconds, static_cast<double>(counted) / seconds, cpu,
      100.0 * cpu / seconds);
  std::printf("loadavg %s\n", loadAverage().c_str());
  return counted == args.messages ? 0 : 1;
}

// The failover events of a mass failure, as they reach the benchmark.
struct MassEvents {
  int confirmed = 0;
  Clock::time_point last_event;
  double worst_total = 0;
  double worst_detect_to_command = 0;
  double worst_command_to_confirm = 0;
};

// Waits until `pairs` confirmed failover events have arrived (or `timeout`).
MassEvents collectFailovers(BenchLab& lab, int pairs, Clock::time_point since,
                            std::chrono::milliseconds timeout) {
  const std::string prefix = lab.base() + "/pair/p";
  MassEvents events;
  events.last_event = since;
  lab.bus().waitFor(
      [&](const Received& item) {
        if (item.topic.rfind(prefix, 0) != 0 || item.topic.find("/event") == std::string::npos) {
          return false;
        }
        const auto event = fb::parseObject(item.payload);
        if (event && event->value("event_type", "") == "failover" &&
            event->value("result", "") == "ok") {
          ++events.confirmed;
          events.last_event = item.at;
          events.worst_total = std::max(events.worst_total, latency(*event, "total"));
          events.worst_detect_to_command =
              std::max(events.worst_detect_to_command, latency(*event, "detect_to_command"));
          events.worst_command_to_confirm =
              std::max(events.worst_command_to_confirm, latency(*event, "command_to_confirm"));
        }
        return events.confirmed == pairs;
      },
      timeout);
  return events;
}

int benchMass(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 10;
  const int pairs = args.pairs > 0 ? args.pairs : 144;
  BenchLab lab({pairs});
  lab.startPeers();
  lab.startNode();
  // With many pairs the node may lose some of its state messages (reported, not hidden):
  // go on when the node has had ample time, and check the router itself.
  const int ready = lab.makeReady(false);
  std::printf("pairs seen ready: %d of %d\n", ready, pairs);
  std::printf("after start-up: %s\n", memoryOf(lab.node().pid()).c_str());
  std::vector<double> all_confirmed;
  std::vector<double> event_total;
  std::vector<double> blocks_per_run;
  std::vector<double> events_per_run;
  std::vector<double> node_share;
  std::vector<double> router_share;
  for (int run = 0; run < runs; ++run) {
    const int blocks_before = lab.routingBlocks();
    const auto sent = Clock::now();
    for (int pair = 0; pair < pairs; ++pair) {
      lab.bus().publish(BenchLab::healthTopic(BenchLab::mainId(pair), "engine"),
                        R"({"status":"fail"})");
    }
    // Wait for every failover event first: polling the simulator meanwhile would take its io
    // thread away from the node's routing blocks.
    const MassEvents events = collectFailovers(lab, pairs, sent, 10000ms);
    const int confirmed = events.confirmed;
    // Then the router is the judge: every output must be on its Backup.
    int on_backup = 0;
    const auto poll_until = Clock::now() + 10s;
    while (on_backup != pairs && Clock::now() < poll_until) {
      on_backup = lab.outputsOnBackup();
    }
    if (on_backup != pairs) {
      std::fprintf(stderr, "run %d: the router has %d of %d outputs on the Backup\n%s", run,
                   on_backup, pairs, fb::problemLines(lab.nodeLog()).c_str());
      return 1;
    }
    // The simulator logs each request when it handles it; the node is done by now.
    const int blocks = lab.routingBlocks() - blocks_before;
    all_confirmed.push_back(millisSince(sent, events.last_event));
    event_total.push_back(events.worst_total);
    blocks_per_run.push_back(blocks);
    events_per_run.push_back(confirmed);
    node_share.push_back(events.worst_detect_to_command);
    router_share.push_back(events.worst_command_to_confirm);
    std::printf(
        "run %d: %d routing blocks, last failover event %.3f ms after the first publish, "
        "%d of %d events, largest event total %.3f ms "
        "(largest detect_to_command %.3f, command_to_confirm %.3f)\n",
        run, blocks, millisSince(sent, events.last_event), confirmed, pairs, events.worst_total,
        events.worst_detect_to_command, events.worst_command_to_confirm);
    // Back to the Mains, one manual switch per pair.
    for (int pair = 0; pair < pairs; ++pair) {
      lab.bus().publish(BenchLab::healthTopic(BenchLab::mainId(pair), "engine"),
                        R"({"status":"ok"})");
      lab.bus().publish(lab.pairTopic(pair, "set/active"), BenchLab::mainId(pair), 1);
    }
    const auto back_until = Clock::now() + 20s;
    while (on_backup != 0 && Clock::now() < back_until) {
      on_backup = lab.outputsOnBackup();
    }
    if (on_backup != 0) {
      std::fprintf(stderr, "run %d: %d pairs did not switch back\n", run, on_backup);
      return 1;
    }
    lab.bus().clear();
  }
  std::printf("%d pairs failing at once, %d runs\n", pairs, runs);
  printStats("first publish → last failover event at the bench", all_confirmed);
  printStats("failover events received per run", events_per_run, "");
  printStats("largest event total per run", event_total);
  printStats("largest detect_to_command per run", node_share);
  printStats("largest command_to_confirm per run", router_share);
  printStats("routing blocks per run", blocks_per_run, "");
  std::printf("memory after the runs: %s\n", memoryOf(lab.node().pid()).c_str());
  std::printf("loadavg %s\n", loadAverage().c_str());
  return 0;
}

// Every Main of `pairs` pairs goes silent at once (a network switch failing): the engine finds
// them all stale in one tick, so the switch is one routing block by construction. Measured from
// the last Main heartbeat to the last failover event at the bench, and per event from the
// moment the heartbeats went stale (detected) to the router's confirmation.
int benchMassSilence(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 10;
  const int pairs = args.pairs > 0 ? args.pairs : 144;
  BenchLab lab({pairs, args.stale_ms});
  lab.startPeers();
  Heartbeats heartbeats(lab.broker().uri(), std::chrono::milliseconds(args.stale_ms / 3), pairs);
  lab.startNode();
  std::printf("pairs seen ready: %d of %d\n", lab.makeReady(false), pairs);
  std::vector<double> to_last_event;
  std::vector<double> event_total;
  std::vector<double> node_share;
  std::vector<double> blocks_per_run;
  for (int run = -1; run < runs; ++run) {
    const int blocks_before = lab.routingBlocks();
    const auto last = heartbeats.silenceMainEngine();
    const MassEvents events =
        collectFailovers(lab, pairs, last, std::chrono::milliseconds(args.stale_ms) + 10000ms);
    int on_backup = 0;
    for (int poll = 0; poll < 1000 && on_backup != pairs; ++poll) {
      on_backup = lab.outputsOnBackup();
    }
    const int blocks = lab.routingBlocks() - blocks_before;
    if (events.confirmed != pairs || on_backup != pairs) {
      std::fprintf(stderr, "run %d: %d events, %d outputs on the Backups of %d\n%s", run,
                   events.confirmed, on_backup, pairs, fb::problemLines(lab.nodeLog()).c_str());
      return 1;
    }
    if (run >= 0) {
      to_last_event.push_back(millisSince(last, events.last_event));
      event_total.push_back(events.worst_total);
      node_share.push_back(events.worst_detect_to_command);
      blocks_per_run.push_back(blocks);
    }
    std::printf(
        "run %d: %d routing blocks, last failover event %.3f ms after the last Main heartbeat, "
        "largest event total %.3f ms (largest detect_to_command %.3f)\n",
        run, blocks, millisSince(last, events.last_event), events.worst_total,
        events.worst_detect_to_command);
    heartbeats.resumeMainEngine();
    // The Mains must be heard from again before they may take over.
    std::this_thread::sleep_for(std::chrono::milliseconds(args.stale_ms));
    for (int pair = 0; pair < pairs; ++pair) {
      lab.bus().publish(lab.pairTopic(pair, "set/active"), BenchLab::mainId(pair), 1);
    }
    for (int poll = 0; poll < 100000 && on_backup != 0; ++poll) {
      on_backup = lab.outputsOnBackup();
    }
    if (on_backup != 0) {
      std::fprintf(stderr, "run %d: %d pairs did not switch back\n", run, on_backup);
      return 1;
    }
    lab.bus().clear();
  }
  std::printf("%d Mains silent at once, stale_after_ms %d, %d runs (+1 warm-up)\n", pairs,
              args.stale_ms, runs);
  printStats("last Main heartbeat → last failover event at the bench", to_last_event);
  printStats("largest event total (stale → router confirmed)", event_total);
  printStats("largest detect_to_command", node_share);
  printStats("routing blocks per run", blocks_per_run, "");
  std::printf("loadavg %s\n", loadAverage().c_str());
  return 0;
}

int benchStartup(const Args& args) {
  const int runs = args.runs > 0 ? args.runs : 20;
  const int pairs = args.pairs > 0 ? args.pairs : 1;
  BenchLab lab({pairs});
  lab.startPeers();
  std::vector<double> first_state;
  std::vector<double> all_states;
  int incomplete = 0;
  for (int run = 0; run < runs; ++run) {
    // A fresh node id per run: no retained state of an earlier run can answer.
    lab.setNodeId("s" + std::to_string(run));
    const std::string prefix = lab.base() + "/pair/p";
    std::vector<bool> connected(static_cast<size_t>(pairs), false);
    int count = 0;
    std::optional<Clock::time_point> first;
    const auto started = Clock::now();
    lab.startNode();
    const auto done = lab.bus().waitFor(
        [&](const Received& item) {
          if (item.topic.rfind(prefix, 0) != 0 || item.topic.size() < 6 ||
              item.topic.compare(item.topic.size() - 6, 6, "/state") != 0) {
            return false;
          }
          const auto state = fb::parseObject(item.payload);
          if (!state || !state->contains("router") ||
              !state->at("router").value("connected", false)) {
            return false;
          }
          const auto pair = static_cast<size_t>(std::stoi(item.topic.substr(prefix.size())));
          if (pair < connected.size() && !connected[pair]) {
            connected[pair] = true;
            ++count;
            if (!first) {
              first = item.at;
            }
          }
          return count == pairs;
        },
        5000ms);
    if (!done) {
      // Seen with many pairs: the node loses part of its burst of publishes. Ask the broker
      // for the retained states, to tell a lost publish from a slow subscriber.
      fb::BenchBus check(lab.broker().uri(), "node-bench-check-" + std::to_string(run));
      check.subscribe(lab.base() + "/pair/+/state", 0);
      int retained = 0;
      check.waitFor(
          [&](const Received& item) {
            const auto state = fb::parseObject(item.payload);
            retained +=
                state && state->contains("router") && state->at("router").value("connected", false)
                    ? 1
                    : 0;
            return false;
          },
          1000ms);
      std::printf(
          "run %d: %d of %d pair states with the router connected received in 5 s; "
          "retained at the broker: %d\n%s",
          run, count, pairs, retained, fb::problemLines(lab.nodeLog()).c_str());
      ++incomplete;
      if (!first) {
        return 1;
      }
    } else {
      all_states.push_back(millisSince(started, done->at));
    }
    first_state.push_back(millisSince(started, *first));
    lab.stopNode();
  }
  std::printf("start → pair state with router connected, %d pairs, %d runs\n", pairs, runs);
  printStats("exec → first pair state", first_state);
  printStats("exec → every pair state", all_states);
  std::printf("runs where some pair state never arrived: %d of %d\n", incomplete, runs);
  std::printf("loadavg %s\n", loadAverage().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parseArgs(argc, argv);
  if (!args) {
    std::fprintf(
        stderr,
        "usage: node_bench health|manual|silence|ingest|mass|mass-silence|startup [--runs N] "
        "[--load MSG_PER_S] [--stale-ms MS] [--messages N] [--pairs N] [--rate MSG_PER_S]\n");
    return 2;
  }
  std::printf("loadavg at start %s\n", loadAverage().c_str());
  try {
    if (args->scenario == "health") {
      return benchHealth(*args);
    }
    if (args->scenario == "manual") {
      return benchManual(*args);
    }
    if (args->scenario == "silence") {
      return benchSilence(*args);
    }
    if (args->scenario == "ingest") {
      return benchIngest(*args);
    }
    if (args->scenario == "mass") {
      return benchMass(*args);
    }
    if (args->scenario == "mass-silence") {
      return benchMassSilence(*args);
    }
    if (args->scenario == "startup") {
      return benchStartup(*args);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "node_bench: %s\n", error.what());
    return 1;
  }
  std::fprintf(stderr, "unknown scenario %s\n", args->scenario.c_str());
  return 2;
}
