#include "failover/render_sim/machine_model.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace failover::render_sim {
namespace {

using nlohmann::json;

constexpr double kLiveFps = 59.94;

const char* diagnosticsLevelName(Level level) {
  switch (level) {
    case Level::Ok:
      return "ok";
    case Level::Warn:
      return "warning";
    case Level::Fail:
      return "critical";
  }
  return "ok";
}

// A message a person reading the dashboard would expect next to a non-ok status.
std::string detailFor(Check check, Level level) {
  if (level == Level::Ok) {
    return "";
  }
  const std::string severity = level == Level::Warn ? "degraded" : "failed";
  return std::string("simulated ") + checkName(check) + " " + severity;
}

json engineBody(const MachineState& state) {
  const Level level = state.level(Check::Engine);
  return {{"status", levelName(level)},
          {"mode", state.mode},
          {"fps", level == Level::Fail ? 0.0 : kLiveFps},
          {"dropped_frames", level == Level::Ok ? 0 : 12},
          {"detail", detailFor(Check::Engine, level)}};
}

json videoIoBody(const MachineState& state) {
  const Level level = state.level(Check::VideoIo);
  return {{"status", levelName(level)},
          {"outputs", json::array({{{"id", "SDI1"},
                                    {"signal", level != Level::Fail},
                                    {"format", "1080p59.94"},
                                    {"ref_locked", level == Level::Ok}}})},
          {"detail", detailFor(Check::VideoIo, level)}};
}

json networkBody(const MachineState& state) {
  const Level level = state.level(Check::Network);
  return {{"status", levelName(level)},
          {"links", json::array({{{"if", "eth0"},
                                  {"up", level != Level::Fail},
                                  {"speed_mbps", level == Level::Ok ? 10000 : 1000}}})},
          {"ptp_locked", level == Level::Ok},
          {"detail", detailFor(Check::Network, level)}};
}

// Whole numbers read as integers (71, not 71.0), as a diagnostics service would send them.
json numberValue(double value) {
  constexpr double kExactLimit = 9007199254740992.0;  // 2^53
  if (std::floor(value) == value && std::fabs(value) < kExactLimit) {
    return static_cast<int64_t>(value);
  }
  return value;
}

json diagnosticsBody(const MachineState& state) {
  json parameters = json::object();
  for (const auto& parameter : state.parameters) {
    parameters[parameter.name] = {{"value", numberValue(parameter.value)},
                                  {"level", parameter.level}};
  }
  return {{"status", diagnosticsStatus(state)}, {"parameters", parameters}};
}

}  // namespace

MachineState MachineState::healthy(std::string id, std::string mode) {
  MachineState state;
  state.id = std::move(id);
  state.mode = std::move(mode);
  state.parameters = defaultParameters();
  return state;
}

std::vector<Parameter> defaultParameters() {
  return {{"gpu_temp_c", 71, "ok"},
          {"gpu_util_pct", 63, "ok"},
          {"cpu_load_pct", 41, "ok"},
          {"mem_free_mb", 10240, "ok"},
          {"disk_free_gb", 120, "ok"}};
}

const char* checkName(Check check) {
  switch (check) {
    case Check::Engine:
      return "engine";
    case Check::VideoIo:
      return "videoio";
    case Check::Network:
      return "network";
    case Check::Diagnostics:
      return "diagnostics";
  }
  return "engine";
}

const char* levelName(Level level) {
  switch (level) {
    case Level::Ok:
      return "ok";
    case Level::Warn:
      return "warn";
    case Level::Fail:
      return "fail";
  }
  return "ok";
}

std::string diagnosticsStatus(const MachineState& state) {
  Level worst = state.level(Check::Diagnostics);
  for (const auto& parameter : state.parameters) {
    if (parameter.level == "critical") {
      worst = Level::Fail;
    } else if (parameter.level == "warning" && worst == Level::Ok) {
      worst = Level::Warn;
    }
  }
  return diagnosticsLevelName(worst);
}

std::string buildPayload(const MachineState& state, Check check, core::WallTime now) {
  json body;
  switch (check) {
    case Check::Engine:
      body = engineBody(state);
      break;
    case Check::VideoIo:
      body = videoIoBody(state);
      break;
    case Check::Network:
      body = networkBody(state);
      break;
    case Check::Diagnostics:
      body = diagnosticsBody(state);
      break;
  }
  body["machine"] = state.id;
  body["seq"] = state.seq;
  body["ts"] = formatTimestamp(now);
  return body.dump();
}

std::string statusLine(const MachineState& state, bool connected) {
  std::string line = state.id;
  line += state.dropped ? " link=dropped" : (connected ? " link=up" : " link=connecting");
  line += " mode=" + state.mode;
  for (const Check check : kAllChecks) {
    line += std::string(" ") + checkName(check) + "=";
    line += check == Check::Diagnostics ? diagnosticsStatus(state) : levelName(state.level(check));
    if (state.isHung(check)) {
      line += "(hung)";
    }
  }
  return line;
}

std::string formatTimestamp(core::WallTime time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t whole = static_cast<std::time_t>(seconds.count());
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char text[32];
  const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char result[40];
  std::snprintf(result, sizeof result, "%.*s.%03dZ", static_cast<int>(length), text,
                static_cast<int>(millis));
  return result;
}

}  // namespace failover::render_sim
