#include "failover/daemon/health_payload.h"

#include <random>

#include <gtest/gtest.h>

namespace failover::daemon {
namespace {

using config::Check;
using engine::FieldValue;
using engine::Reported;

HealthTopic topicOf(Check check, const std::string& machine = "green-main") {
  return HealthTopic{machine, check};
}

engine::HealthObserved parseOk(Check check, std::string_view payload,
                               const std::vector<std::string>& fields = {}) {
  auto result = parseHealthPayload(topicOf(check), payload, fields);
  EXPECT_TRUE(result.isOk()) << "payload: " << payload << " -> " << result.status().message();
  return result ? result.value() : engine::HealthObserved{};
}

std::string rejection(Check check, std::string_view payload) {
  auto result = parseHealthPayload(topicOf(check), payload, {});
  return result ? std::string("accepted") : result.status().message();
}

TEST(HealthPayloadTest, JsonStatusOfEveryCheck) {
  for (const Check check : {Check::Engine, Check::VideoIo, Check::Network}) {
    const auto ok = parseOk(check, R"({"status":"ok"})");
    EXPECT_EQ(ok.status, Reported::Ok);
    EXPECT_EQ(ok.machine, "green-main");
    EXPECT_EQ(ok.check, check);
    EXPECT_EQ(parseOk(check, R"({"status":"warn"})").status, Reported::Warn);
    EXPECT_EQ(parseOk(check, R"({"status":"fail"})").status, Reported::Fail);
  }
  EXPECT_EQ(parseOk(Check::Diagnostics, R"({"status":"ok"})").status, Reported::Ok);
  EXPECT_EQ(parseOk(Check::Diagnostics, R"({"status":"warning"})").status, Reported::Warn);
  EXPECT_EQ(parseOk(Check::Diagnostics, R"({"status":"critical"})").status, Reported::Fail);
}

TEST(HealthPayloadTest, PlainStatusOfEveryCheck) {
  for (const Check check : {Check::Engine, Check::VideoIo, Check::Network, Check::Diagnostics}) {
    EXPECT_EQ(parseOk(check, "ok").status, Reported::Ok);
    EXPECT_EQ(parseOk(check, "warn").status, Reported::Warn);
    EXPECT_EQ(parseOk(check, "fail").status, Reported::Fail);
    EXPECT_EQ(parseOk(check, "warning").status, Reported::Warn);
    EXPECT_EQ(parseOk(check, "critical").status, Reported::Fail);
    // Surrounding whitespace (a trailing newline from a shell) is tolerated.
    EXPECT_EQ(parseOk(check, " fail\n").status, Reported::Fail);
  }
}

TEST(HealthPayloadTest, AgentStatusSpeaksOnlineAndOffline) {
  const auto online = parseOk(Check::Status, "online");
  EXPECT_EQ(online.status, Reported::Ok);
  EXPECT_EQ(online.check, Check::Status);
  const auto offline = parseOk(Check::Status, "offline");
  EXPECT_EQ(offline.status, Reported::Fail);
  EXPECT_EQ(offline.detail, "offline");
  EXPECT_EQ(parseOk(Check::Status, R"({"status":"online"})").status, Reported::Ok);
  EXPECT_EQ(parseOk(Check::Status, R"({"status":"offline"})").status, Reported::Fail);
  // online/offline belong to the status topic only.
  EXPECT_EQ(rejection(Check::Engine, "online"), kUnknownStatus);
  EXPECT_EQ(rejection(Check::Network, R"({"status":"offline"})"), kUnknownStatus);
}

TEST(HealthPayloadTest, EngineModeIsReadFromEnginePayloadsOnly) {
  const auto engine = parseOk(Check::Engine, R"({"status":"ok","mode":"live"})");
  ASSERT_TRUE(engine.engine_mode);
  EXPECT_EQ(*engine.engine_mode, "live");
  EXPECT_FALSE(parseOk(Check::Engine, R"({"status":"ok"})").engine_mode);
  EXPECT_FALSE(parseOk(Check::Engine, R"({"status":"ok","mode":3})").engine_mode);
  EXPECT_FALSE(parseOk(Check::VideoIo, R"({"status":"ok","mode":"live"})").engine_mode);
  EXPECT_FALSE(parseOk(Check::Engine, "ok").engine_mode);
}

TEST(HealthPayloadTest, DetailIsTakenAndCut) {
  EXPECT_EQ(parseOk(Check::Engine, R"({"status":"fail","detail":"gpu hang"})").detail, "gpu hang");
  EXPECT_EQ(parseOk(Check::VideoIo, R"({"status":"fail","reason":"no signal"})").detail,
            "no signal");
  EXPECT_EQ(parseOk(Check::Network, R"({"status":"ok"})").detail, "");

  const std::string long_detail(kMaxDetailLength + 57, 'x');
  const auto cut = parseOk(Check::Engine, R"({"status":"fail","detail":")" + long_detail + R"("})");
  EXPECT_EQ(cut.detail, std::string(kMaxDetailLength, 'x'));

  const std::string long_mode(kMaxDetailLength + 1, 'm');
  const auto mode = parseOk(Check::Engine, R"({"status":"ok","mode":")" + long_mode + R"("})");
  ASSERT_TRUE(mode.engine_mode);
  EXPECT_EQ(mode.engine_mode->size(), kMaxDetailLength);
}

TEST(HealthPayloadTest, ExtractsOnlyTheRuleFieldsThatArePresent) {
  const std::vector<std::string> fields = {
      "parameters.gpu_temp_c.value",
      "build.channel",
      "live",
      "missing",
      "parameters.nothing.value",
      "parameters.gpu_temp_c",  // an object: not a comparable value
      "status.deeper",          // through a string: absent
  };
  const auto observed = parseOk(Check::Diagnostics, R"({
      "status":"ok",
      "live":true,
      "build":{"channel":"beta"},
      "parameters":{"gpu_temp_c":{"value":97.5,"level":"warning"}}})",
                                fields);
  ASSERT_EQ(observed.fields.size(), 3u);
  EXPECT_EQ(observed.fields[0].path, "parameters.gpu_temp_c.value");
  EXPECT_EQ(observed.fields[0].value, FieldValue(97.5));
  EXPECT_EQ(observed.fields[1].path, "build.channel");
  EXPECT_EQ(observed.fields[1].value, FieldValue(std::string("beta")));
  EXPECT_EQ(observed.fields[2].path, "live");
  EXPECT_EQ(observed.fields[2].value, FieldValue(true));
}

TEST(HealthPayloadTest, IntegerFieldsBecomeNumbers) {
  const auto observed =
      parseOk(Check::Engine, R"({"status":"ok","fps":50,"drops":-3})", {"fps", "drops"});
  ASSERT_EQ(observed.fields.size(), 2u);
  EXPECT_EQ(observed.fields[0].value, FieldValue(50.0));
  EXPECT_EQ(observed.fields[1].value, FieldValue(-3.0));
}

TEST(HealthPayloadTest, PlainPayloadsCarryNoFields) {
  EXPECT_TRUE(parseOk(Check::Engine, "ok", {"fps"}).fields.empty());
}

TEST(HealthPayloadTest, ListsCriticalParametersOfDiagnostics) {
  const auto observed = parseOk(Check::Diagnostics, R"({"status":"critical","parameters":{
      "gpu_temp_c":{"value":99,"level":"critical"},
      "fan_rpm":{"value":1200,"level":"ok"},
      "psu":{"level":"critical"},
      "odd":42,
      "other":{"level":"warning"}}})");
  EXPECT_EQ(observed.status, Reported::Fail);
  std::vector<std::string> names = observed.critical_parameters;
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"gpu_temp_c", "psu"}));

  // Other checks do not report parameters, even when the payload has them.
  EXPECT_TRUE(
      parseOk(Check::Engine, R"({"status":"ok","parameters":{"gpu_temp_c":{"level":"critical"}}})")
          .critical_parameters.empty());
  EXPECT_TRUE(parseOk(Check::Diagnostics, R"({"status":"ok","parameters":[1,2]})")
                  .critical_parameters.empty());
}

TEST(HealthPayloadTest, TooLargeAtTheBoundAndOneOver) {
  const std::string head = R"({"status":"ok","pad":")";
  const std::string tail = R"("})";
  std::string at_bound =
      head + std::string(kMaxHealthPayloadBytes - head.size() - tail.size(), 'p') + tail;
  ASSERT_EQ(at_bound.size(), kMaxHealthPayloadBytes);
  EXPECT_EQ(rejection(Check::Engine, at_bound), "accepted");

  std::string over =
      head + std::string(kMaxHealthPayloadBytes - head.size() - tail.size() + 1, 'p') + tail;
  ASSERT_EQ(over.size(), kMaxHealthPayloadBytes + 1);
  EXPECT_EQ(rejection(Check::Engine, over), kTooLarge);

  const std::string megabyte(1024 * 1024, '{');
  EXPECT_EQ(rejection(Check::Engine, megabyte), kTooLarge);
}

TEST(HealthPayloadTest, InvalidJson) {
  for (const std::string payload :
       {"{", R"({"status":"ok")", R"({"status":"ok"} trailing)", R"({"status":ok})",
        R"({status:"ok"})", "{\"status\":\"ok\",}"}) {
    EXPECT_EQ(rejection(Check::Engine, payload), kInvalidJson) << payload;
  }
}

TEST(HealthPayloadTest, WrongType) {
  for (const std::string payload :
       {"", "   ", "[]", R"(["ok"])", R"("ok")", R"({})", R"({"status":1})", R"({"status":null})",
        R"({"status":["ok"]})", R"({"status":{"value":"ok"}})", R"({"status":true})",
        R"({"detail":"no status"})"}) {
    EXPECT_EQ(rejection(Check::Engine, payload), kWrongType) << "[" << payload << "]";
  }
}

// A payload that is a bare JSON number is not a status word: it is the wrong type, like an
// array. parseHealthPayload reports it as unknown_status instead (see the report).
TEST(HealthPayloadTest, BareNumbersAreTheWrongType) {
  for (const std::string payload : {"42", "-1.5", "0"}) {
    EXPECT_EQ(rejection(Check::Engine, payload), kWrongType) << payload;
  }
}

TEST(HealthPayloadTest, UnknownStatus) {
  for (const std::string payload : {"OK", "bad", "online", "green", R"({"status":"OK"})",
                                    R"({"status":"broken"})", R"({"status":""})"}) {
    EXPECT_EQ(rejection(Check::Engine, payload), kUnknownStatus) << payload;
  }
  EXPECT_EQ(rejection(Check::Status, "maybe"), kUnknownStatus);
  EXPECT_EQ(rejection(Check::Diagnostics, R"({"status":"severe"})"), kUnknownStatus);
}

TEST(HealthPayloadTest, DeeplyNestedPayloadsAreHandled) {
  // As deep as fits the size bound: closed (valid) and unclosed (invalid).
  const std::size_t depth = (kMaxHealthPayloadBytes - 40) / 6;
  std::string open;
  for (std::size_t i = 0; i < depth; ++i) {
    open += R"({"a":)";
  }
  const std::string closed = R"({"status":"ok","x":)" + open + "1" + std::string(depth, '}') + "}";
  ASSERT_LE(closed.size(), kMaxHealthPayloadBytes);
  EXPECT_EQ(rejection(Check::Engine, closed), "accepted");
  const auto with_field = parseHealthPayload(topicOf(Check::Engine), closed, {"x.a.a.a"});
  ASSERT_TRUE(with_field.isOk());
  EXPECT_TRUE(with_field->fields.empty());  // an object, not a value
  EXPECT_EQ(rejection(Check::Engine, "{\"status\":\"ok\",\"x\":" + open), kInvalidJson);
  EXPECT_EQ(rejection(Check::Engine, std::string(kMaxHealthPayloadBytes, '[')), kWrongType);
}

TEST(HealthPayloadTest, RandomBytesNeverCrash) {
  std::mt19937 random(20261125);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 300);
  const std::vector<std::string> fields = {"a.b", "parameters.x.value"};
  for (int round = 0; round < 2000; ++round) {
    std::string payload(static_cast<std::size_t>(length(random)), '\0');
    for (auto& c : payload) {
      c = static_cast<char>(byte(random));
    }
    if (round % 3 == 0) {
      payload.insert(0, "{\"status\":\"ok\",");  // get past the first gate now and then
    }
    for (const Check check : {Check::Status, Check::Engine, Check::Diagnostics}) {
      auto result = parseHealthPayload(topicOf(check), payload, fields);
      if (!result) {
        const std::string reason = result.status().message();
        EXPECT_TRUE(reason == kInvalidJson || reason == kWrongType || reason == kUnknownStatus)
            << reason;
      }
    }
  }
}

}  // namespace
}  // namespace failover::daemon
