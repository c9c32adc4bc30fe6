// Payloads of the simulated machines: the fields the node reads (SPEC 5.1), for healthy
// and faulty states.

#include "failover/render_sim/machine_model.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace failover::render_sim {
namespace {

using nlohmann::json;

const core::WallTime kNoon = core::WallTime(std::chrono::milliseconds(1767268800123));

json payload(const MachineState& state, Check check) {
  return json::parse(buildPayload(state, check, kNoon));
}

TEST(MachinePayloads, HealthyMachine) {
  auto state = MachineState::healthy("green-main", "live");
  state.seq = 7;
  const auto engine = payload(state, Check::Engine);
  EXPECT_EQ(engine["status"], "ok");
  EXPECT_EQ(engine["mode"], "live");
  EXPECT_DOUBLE_EQ(engine["fps"].get<double>(), 59.94);
  EXPECT_EQ(engine["machine"], "green-main");
  EXPECT_EQ(engine["seq"], 7);
  EXPECT_EQ(engine["ts"], "2026-01-01T12:00:00.123Z");
  EXPECT_EQ(payload(state, Check::VideoIo)["status"], "ok");
  EXPECT_EQ(payload(state, Check::Network)["status"], "ok");
  const auto health = payload(state, Check::Diagnostics);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["parameters"]["gpu_temp_c"]["value"], 71);
  EXPECT_TRUE(health["parameters"]["gpu_temp_c"]["value"].is_number_integer());
  EXPECT_EQ(health["parameters"]["gpu_temp_c"]["level"], "ok");
}

TEST(MachinePayloads, FaultsShowInStatusAndDetail) {
  auto state = MachineState::healthy("a", "edit");
  state.level(Check::Engine) = Level::Fail;
  state.level(Check::VideoIo) = Level::Warn;
  const auto engine = payload(state, Check::Engine);
  EXPECT_EQ(engine["status"], "fail");
  EXPECT_EQ(engine["mode"], "edit");
  EXPECT_EQ(engine["fps"], 0.0);
  EXPECT_NE(engine["detail"].get<std::string>(), "");
  EXPECT_EQ(payload(state, Check::VideoIo)["status"], "warn");

  state.level(Check::Diagnostics) = Level::Warn;
  EXPECT_EQ(payload(state, Check::Diagnostics)["status"], "warning");
  state.parameters[0] = {"gpu_temp_c", 99.5, "critical"};
  const auto health = payload(state, Check::Diagnostics);
  EXPECT_EQ(health["status"], "critical");
  EXPECT_DOUBLE_EQ(health["parameters"]["gpu_temp_c"]["value"].get<double>(), 99.5);
  EXPECT_EQ(health["parameters"]["gpu_temp_c"]["level"], "critical");
}

TEST(MachinePayloads, DiagnosticsStatusIsTheWorstOfCheckAndParameters) {
  auto state = MachineState::healthy("a", "live");
  EXPECT_EQ(diagnosticsStatus(state), "ok");
  state.parameters[1].level = "warning";
  EXPECT_EQ(diagnosticsStatus(state), "warning");
  state.level(Check::Diagnostics) = Level::Fail;
  EXPECT_EQ(diagnosticsStatus(state), "critical");
}

TEST(MachinePayloads, TimestampsAreRfc3339WithMilliseconds) {
  EXPECT_EQ(formatTimestamp(core::WallTime(std::chrono::milliseconds(5))),
            "1970-01-01T00:00:00.005Z");
  EXPECT_EQ(formatTimestamp(kNoon), "2026-01-01T12:00:00.123Z");
}

}  // namespace
}  // namespace failover::render_sim
