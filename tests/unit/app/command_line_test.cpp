#include "failover/app/command_line.h"

#include <gtest/gtest.h>

namespace failover::app {
namespace {

CommandLine parseOk(const std::vector<std::string>& args) {
  auto result = parseCommandLine(args);
  EXPECT_TRUE(result.isOk()) << result.status().message();
  return result.isOk() ? result.value() : CommandLine{};
}

std::string parseError(const std::vector<std::string>& args) {
  auto result = parseCommandLine(args);
  EXPECT_FALSE(result.isOk());
  return result.isOk() ? "" : result.status().message();
}

TEST(CommandLineTest, RunWithConfig) {
  const auto parsed = parseOk({"--config", "lab.yaml", "--log-level", "debug"});
  EXPECT_EQ(parsed.command, Command::Run);
  EXPECT_EQ(parsed.config_path, "lab.yaml");
  EXPECT_EQ(parsed.log_level, "debug");
}

TEST(CommandLineTest, CheckConfigAcceptsEqualsForm) {
  const auto parsed = parseOk({"--check-config=a.yaml", "--log-format=json"});
  EXPECT_EQ(parsed.command, Command::CheckConfig);
  EXPECT_EQ(parsed.config_path, "a.yaml");
  EXPECT_EQ(parsed.log_format, LogFormat::Json);
}

TEST(CommandLineTest, TestConnectionWithOptions) {
  const auto parsed =
      parseOk({"--test-connection", "127.0.0.1:9990", "--json", "--timeout-ms", "250"});
  EXPECT_EQ(parsed.command, Command::TestConnection);
  EXPECT_EQ(parsed.router_address, "127.0.0.1:9990");
  EXPECT_TRUE(parsed.json);
  EXPECT_EQ(parsed.timeout_ms, 250);
}

TEST(CommandLineTest, TestConnectionDefaultsToThreeSeconds) {
  EXPECT_EQ(parseOk({"--test-connection", "127.0.0.1"}).timeout_ms, 3000);
}

TEST(CommandLineTest, TestConnectionOfAConfigurationsRouters) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--test-connection", "--config", "facility.yaml", "--json"},
           {"--config", "facility.yaml", "--test-connection"},
           {"--test-connection", "--config=facility.yaml"}}) {
    const CommandLine parsed = parseOk(args);
    EXPECT_EQ(parsed.command, Command::TestConnection);
    EXPECT_EQ(parsed.config_path, "facility.yaml");
    EXPECT_TRUE(parsed.router_address.empty());
  }
  EXPECT_NE(parseError({"--test-connection"}).find("needs HOST[:PORT] or --config FILE"),
            std::string::npos);
  EXPECT_NE(parseError({"--test-connection", "h", "--config", "f"}).find("not both"),
            std::string::npos);
  EXPECT_NE(parseError({"--test-connection", "--check-config", "f"}).find("cannot be combined"),
            std::string::npos);
}

TEST(CommandLineTest, VersionAndHelp) {
  EXPECT_EQ(parseOk({"--version"}).command, Command::Version);
  EXPECT_EQ(parseOk({"--help"}).command, Command::Help);
  EXPECT_EQ(parseOk({"-h"}).command, Command::Help);
}

TEST(CommandLineTest, MistakesGetOneClearLine) {
  EXPECT_NE(parseError({}).find("nothing to do"), std::string::npos);
  EXPECT_NE(parseError({"--config"}).find("--config needs a value"), std::string::npos);
  EXPECT_NE(parseError({"--config", "--json"}).find("--config needs a value"), std::string::npos);
  EXPECT_NE(parseError({"--frobnicate"}).find("unknown argument '--frobnicate'"),
            std::string::npos);
  EXPECT_NE(parseError({"--test-connection", "h", "--timeout-ms", "abc"}).find("--timeout-ms"),
            std::string::npos);
  EXPECT_NE(parseError({"--test-connection", "h", "--timeout-ms", "0"}).find("--timeout-ms"),
            std::string::npos);
  EXPECT_NE(parseError({"--test-connection", "h", "--timeout-ms", "99999999999999999999"})
                .find("--timeout-ms"),
            std::string::npos);
  EXPECT_NE(parseError({"--config", "a", "--log-level", "loud"}).find("--log-level"),
            std::string::npos);
  EXPECT_NE(parseError({"--config", "a", "--log-format", "xml"}).find("--log-format"),
            std::string::npos);
  EXPECT_NE(parseError({"--config", "a", "--check-config", "b"}).find("cannot be combined"),
            std::string::npos);
  EXPECT_NE(parseError({"--config", "a", "--json"}).find("only apply to --test-connection"),
            std::string::npos);
  EXPECT_NE(parseError({"--version=1"}).find("takes no value"), std::string::npos);
}

}  // namespace
}  // namespace failover::app
