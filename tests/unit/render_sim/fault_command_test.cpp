// The fault-command language: every verb parses, bad lines are refused with a reason, and
// applying a command changes exactly what it names.

#include "failover/render_sim/fault_command.h"

#include <gtest/gtest.h>

namespace failover::render_sim {
namespace {

FaultCommand parseOk(std::string_view line, const std::string& default_machine = "") {
  auto parsed = parseFaultCommand(line, default_machine);
  EXPECT_TRUE(parsed.isOk()) << line << ": " << parsed.status().message();
  return parsed.isOk() ? *parsed : FaultCommand{};
}

std::string parseError(std::string_view line, const std::string& default_machine = "") {
  auto parsed = parseFaultCommand(line, default_machine);
  EXPECT_FALSE(parsed.isOk()) << line;
  return parsed.isOk() ? "" : parsed.status().message();
}

TEST(FaultCommandParse, EveryVerb) {
  auto fail = parseOk("fail engine green-main");
  EXPECT_EQ(fail.verb, Verb::Fail);
  EXPECT_EQ(fail.check, Check::Engine);
  EXPECT_EQ(fail.machine, "green-main");
  EXPECT_EQ(parseOk("warn videoio a").verb, Verb::Warn);
  EXPECT_EQ(parseOk("warn videoio a").check, Check::VideoIo);
  EXPECT_EQ(parseOk("  hang   network\tall ").check, Check::Network);
  EXPECT_EQ(parseOk("hang network all").machine, "all");
  EXPECT_EQ(parseOk("drop a").verb, Verb::Drop);

  auto critical = parseOk("critical a");
  EXPECT_EQ(critical.verb, Verb::Critical);
  EXPECT_EQ(critical.parameter, "gpu_temp_c");
  EXPECT_EQ(critical.value, 99);
  auto custom = parseOk("critical a fan_rpm 120.5");
  EXPECT_EQ(custom.parameter, "fan_rpm");
  EXPECT_EQ(custom.value, 120.5);
  EXPECT_FALSE(parseOk("critical a cpu_load_pct").value);

  auto mode = parseOk("mode a edit");
  EXPECT_EQ(mode.verb, Verb::Mode);
  EXPECT_EQ(mode.mode, "edit");
  EXPECT_EQ(mode.machine, "a");

  auto recover_all = parseOk("recover a");
  EXPECT_EQ(recover_all.verb, Verb::Recover);
  EXPECT_FALSE(recover_all.check);
  auto recover_one = parseOk("recover diagnostics a");
  EXPECT_EQ(recover_one.check, Check::Diagnostics);

  EXPECT_EQ(parseOk("status").verb, Verb::Status);
  EXPECT_EQ(parseOk("help").verb, Verb::Help);
  EXPECT_EQ(parseOk("quit").verb, Verb::Quit);
}

TEST(FaultCommandParse, TopicMachineFillsAnOmittedMachine) {
  EXPECT_EQ(parseOk("fail engine", "b").machine, "b");
  EXPECT_EQ(parseOk("drop", "b").machine, "b");
  EXPECT_EQ(parseOk("recover", "b").machine, "b");
  EXPECT_EQ(parseOk("recover network", "b").machine, "b");
  EXPECT_EQ(parseOk("recover network", "b").check, Check::Network);
  EXPECT_EQ(parseOk("critical", "b").machine, "b");
  EXPECT_EQ(parseOk("mode edit", "b").machine, "b");
  EXPECT_EQ(parseOk("fail engine a", "b").machine, "a");
}

TEST(FaultCommandParse, BadLinesSayWhy) {
  EXPECT_NE(parseError("").find("empty"), std::string::npos);
  EXPECT_NE(parseError("explode a").find("unknown command 'explode'"), std::string::npos);
  EXPECT_NE(parseError("fail gpu a").find("unknown check 'gpu'"), std::string::npos);
  EXPECT_NE(parseError("fail engine").find("which machine"), std::string::npos);
  EXPECT_NE(parseError("fail engine A").find("bad machine id 'A'"), std::string::npos);
  EXPECT_NE(parseError("fail engine a b").find("usage"), std::string::npos);
  EXPECT_NE(parseError("drop a b").find("usage"), std::string::npos);
  EXPECT_NE(parseError("critical a gpu-temp").find("bad parameter name"), std::string::npos);
  EXPECT_NE(parseError("critical a gpu_temp_c hot").find("bad value 'hot'"), std::string::npos);
  EXPECT_NE(parseError("critical a gpu_temp_c nan").find("bad value"), std::string::npos);
  EXPECT_NE(parseError("mode a air").find("live or edit"), std::string::npos);
  EXPECT_NE(parseError("mode live").find("which machine"), std::string::npos);
  EXPECT_NE(parseError("recover gpu a").find("unknown check"), std::string::npos);
  EXPECT_NE(parseError("status now").find("no arguments"), std::string::npos);
  EXPECT_NE(parseError(std::string(2000, 'x')).find("longer"), std::string::npos);
}

class FaultCommandApply : public ::testing::Test {
 protected:
  FaultOutcome apply(std::string_view line) {
    return applyFaultCommand(parseOk(line), machines_,
                             [](const std::string& id) { return id == "a"; });
  }
  std::vector<MachineState> machines_{MachineState::healthy("a", "live"),
                                      MachineState::healthy("b", "live")};
};

TEST_F(FaultCommandApply, FailAndWarnSetTheLevelOfOneMachine) {
  EXPECT_EQ(apply("fail engine a").answer, std::vector<std::string>{"ok"});
  EXPECT_EQ(machines_[0].level(Check::Engine), Level::Fail);
  EXPECT_EQ(machines_[1].level(Check::Engine), Level::Ok);
  apply("warn network b");
  EXPECT_EQ(machines_[1].level(Check::Network), Level::Warn);
  EXPECT_EQ(machines_[0].level(Check::Network), Level::Ok);
}

TEST_F(FaultCommandApply, HangSilencesOneTopicAndFailResumesIt) {
  apply("hang videoio a");
  EXPECT_FALSE(machines_[0].publishes(Check::VideoIo));
  EXPECT_TRUE(machines_[0].publishes(Check::Engine));
  apply("fail videoio a");
  EXPECT_TRUE(machines_[0].publishes(Check::VideoIo));
}

TEST_F(FaultCommandApply, DropCutsTheLinkOnceAndRecoverRestoresIt) {
  auto drop = apply("drop a");
  EXPECT_EQ(drop.cut, std::vector<std::string>{"a"});
  EXPECT_TRUE(machines_[0].dropped);
  for (const Check check : kAllChecks) {
    EXPECT_FALSE(machines_[0].publishes(check));
  }
  EXPECT_TRUE(apply("drop a").cut.empty());
  auto recover = apply("recover a");
  EXPECT_EQ(recover.reconnect, std::vector<std::string>{"a"});
  EXPECT_FALSE(machines_[0].dropped);
  apply("drop b");
  EXPECT_EQ(apply("recover network b").reconnect, std::vector<std::string>{"b"});
}

TEST_F(FaultCommandApply, CriticalParameterAndRecoverDiagnostics) {
  apply("critical a");
  EXPECT_EQ(diagnosticsStatus(machines_[0]), "critical");
  EXPECT_EQ(machines_[0].parameters[0].name, "gpu_temp_c");
  EXPECT_EQ(machines_[0].parameters[0].value, 99);
  EXPECT_EQ(machines_[0].parameters[0].level, "critical");
  EXPECT_EQ(diagnosticsStatus(machines_[1]), "ok");

  apply("critical b fan_rpm 0");
  EXPECT_EQ(machines_[1].parameters.back().name, "fan_rpm");
  EXPECT_EQ(diagnosticsStatus(machines_[1]), "critical");
  auto missing = apply("critical b pump_lpm");
  EXPECT_EQ(missing.answer.back().rfind("error ", 0), 0u);

  apply("recover diagnostics a");
  EXPECT_EQ(diagnosticsStatus(machines_[0]), "ok");
  EXPECT_EQ(machines_[0].parameters, defaultParameters());
}

TEST_F(FaultCommandApply, RecoverAllClearsEveryFaultButKeepsTheMode) {
  apply("mode all edit");
  apply("fail engine all");
  apply("hang network all");
  apply("critical all");
  apply("recover all");
  for (const auto& machine : machines_) {
    EXPECT_EQ(machine.mode, "edit");
    for (const Check check : kAllChecks) {
      EXPECT_EQ(machine.level(check), Level::Ok);
      EXPECT_TRUE(machine.publishes(check));
    }
    EXPECT_EQ(diagnosticsStatus(machine), "ok");
  }
}

TEST_F(FaultCommandApply, UnknownMachineIsAnError) {
  auto outcome = apply("fail engine zz");
  EXPECT_EQ(outcome.answer, std::vector<std::string>{"error unknown machine 'zz'"});
}

TEST_F(FaultCommandApply, StatusHasOneLinePerMachineThenOk) {
  apply("hang videoio b");
  apply("drop b");
  auto outcome = apply("status");
  ASSERT_EQ(outcome.answer.size(), 3u);
  EXPECT_EQ(outcome.answer[0],
            "a link=up mode=live engine=ok videoio=ok network=ok diagnostics=ok");
  EXPECT_EQ(outcome.answer[1],
            "b link=dropped mode=live engine=ok videoio=ok(hung) network=ok diagnostics=ok");
  EXPECT_EQ(outcome.answer[2], "ok");
}

TEST_F(FaultCommandApply, QuitAsksToStop) {
  EXPECT_TRUE(apply("quit").quit);
  EXPECT_FALSE(apply("status").quit);
}

}  // namespace
}  // namespace failover::render_sim
