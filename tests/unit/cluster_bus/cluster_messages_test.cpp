// The cluster payload codecs: round trips, and every way a payload can be wrong giving a
// clear error instead of a crash or a half-read heartbeat.

#include "failover/cluster_bus/cluster_messages.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace failover::cluster_bus {
namespace {

cluster::Heartbeat sampleHeartbeat() {
  cluster::Heartbeat heartbeat;
  heartbeat.node_id = "fo1";
  heartbeat.instance = 0x9f3c00000000abcdULL;
  heartbeat.rank = 1;
  heartbeat.role = cluster::Role::Active;
  heartbeat.term = 7;
  heartbeat.active = "fo1";
  heartbeat.candidate = false;
  heartbeat.routers_ok = true;
  heartbeat.fenced = false;
  heartbeat.handover_to = "fo2";
  heartbeat.handover_reason = "handover";
  heartbeat.sent_ms = 123456789;
  return heartbeat;
}

// The sample heartbeat as JSON, with `key` replaced by `value` (or removed when null).
std::string heartbeatWith(const std::string& key, const nlohmann::json& value) {
  auto json = nlohmann::json::parse(encodeHeartbeat(sampleHeartbeat()));
  if (value.is_null()) {
    json.erase(key);
  } else {
    json[key] = value;
  }
  return json.dump();
}

std::string errorOf(const std::string& payload) {
  const auto decoded = decodeHeartbeat(payload);
  EXPECT_FALSE(decoded.isOk()) << payload;
  return decoded.status().message();
}

TEST(ClusterTopicsTest, NamesFollowTheSpec) {
  const ClusterTopics topics("failover/studio");
  EXPECT_EQ(topics.heartbeat("fo1"), "failover/studio/nodes/fo1/heartbeat");
  EXPECT_EQ(topics.role("fo1"), "failover/studio/nodes/fo1/role");
  EXPECT_EQ(topics.state("fo1"), "failover/studio/nodes/fo1/state");
  EXPECT_EQ(topics.active(), "failover/studio/cluster/active");
  EXPECT_EQ(topics.event(), "failover/studio/cluster/event");
  EXPECT_EQ(topics.handoverRequest(), "failover/studio/cluster/request/handover");
  EXPECT_EQ(topics.handoverResponse(), "failover/studio/cluster/response/handover");
  EXPECT_EQ(topics.heartbeatFilter(), "failover/studio/nodes/+/heartbeat");
}

TEST(ClusterTopicsTest, HeartbeatSenderIsTheNodeLevelOnly) {
  const ClusterTopics topics("failover/studio");
  EXPECT_EQ(topics.heartbeatSender("failover/studio/nodes/fo2/heartbeat"), "fo2");
  EXPECT_EQ(topics.heartbeatSender("failover/studio/nodes//heartbeat"), std::nullopt);
  EXPECT_EQ(topics.heartbeatSender("failover/studio/nodes/a/b/heartbeat"), std::nullopt);
  EXPECT_EQ(topics.heartbeatSender("failover/studio/nodes/fo2/role"), std::nullopt);
  EXPECT_EQ(topics.heartbeatSender("failover/other/nodes/fo2/heartbeat"), std::nullopt);
  EXPECT_EQ(topics.heartbeatSender("failover/studio/cluster/active"), std::nullopt);
}

TEST(HeartbeatCodecTest, RoundTripsEveryField) {
  const auto heartbeat = sampleHeartbeat();
  const auto decoded = decodeHeartbeat(encodeHeartbeat(heartbeat));
  ASSERT_TRUE(decoded.isOk()) << decoded.status().message();
  EXPECT_EQ(*decoded, heartbeat);
}

TEST(HeartbeatCodecTest, WritesTheDocumentedFields) {
  const auto json = nlohmann::json::parse(encodeHeartbeat(sampleHeartbeat()));
  EXPECT_EQ(json["instance"], "9f3c00000000abcd");
  EXPECT_EQ(json["role"], "active");
  EXPECT_EQ(json["term"], 7);
  EXPECT_EQ(json["sent_ms"], 123456789);
  for (const char* key : {"node_id", "rank", "active", "candidate", "routers_ok", "fenced",
                          "handover_to", "handover_reason"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
}

TEST(HeartbeatCodecTest, ExtremeValuesRoundTrip) {
  auto heartbeat = sampleHeartbeat();
  heartbeat.instance = UINT64_MAX;
  heartbeat.term = UINT64_MAX;
  heartbeat.rank = INT32_MAX;
  heartbeat.sent_ms = INT64_MIN;
  const auto decoded = decodeHeartbeat(encodeHeartbeat(heartbeat));
  ASSERT_TRUE(decoded.isOk()) << decoded.status().message();
  EXPECT_EQ(*decoded, heartbeat);
}

TEST(HeartbeatCodecTest, OptionalFieldsDefault) {
  const auto decoded = decodeHeartbeat(
      R"({"node_id":"fo2","instance":"1","rank":2,"role":"standby","term":0,"sent_ms":5,"future":1})");
  ASSERT_TRUE(decoded.isOk()) << decoded.status().message();
  EXPECT_EQ(decoded->instance, 1u);
  EXPECT_TRUE(decoded->routers_ok);
  EXPECT_FALSE(decoded->candidate);
  EXPECT_FALSE(decoded->fenced);
  EXPECT_EQ(decoded->active, "");
}

TEST(HeartbeatCodecTest, MalformedPayloadsAreRefused) {
  EXPECT_EQ(errorOf(""), "payload is not valid JSON");
  EXPECT_EQ(errorOf("{\"node_id\":"), "payload is not valid JSON");
  EXPECT_EQ(errorOf("not json"), "payload is not valid JSON");
  EXPECT_EQ(errorOf("[1,2]"), "payload is not a JSON object");
  EXPECT_EQ(errorOf("\"fo1\""), "payload is not a JSON object");
  EXPECT_EQ(errorOf("null"), "payload is not a JSON object");
  EXPECT_NE(errorOf(std::string(5000, '[')).find("larger than"), std::string::npos);
  EXPECT_NE(errorOf(std::string(3000, '[') + std::string(3000, ']')).find("larger than"),
            std::string::npos);
  EXPECT_EQ(errorOf(std::string(2000, '[')), "payload is not valid JSON");
}

TEST(HeartbeatCodecTest, MissingRequiredFieldsAreNamed) {
  for (const char* key : {"node_id", "instance", "rank", "role", "term", "sent_ms"}) {
    EXPECT_EQ(errorOf(heartbeatWith(key, nullptr)), std::string("'") + key + "' is missing");
  }
}

TEST(HeartbeatCodecTest, WrongTypesAreRefused) {
  EXPECT_EQ(errorOf(heartbeatWith("node_id", 5)), "'node_id' must be a string");
  EXPECT_EQ(errorOf(heartbeatWith("node_id", "")), "'node_id' must not be empty");
  EXPECT_EQ(errorOf(heartbeatWith("instance", 12)), "'instance' must be a string");
  EXPECT_EQ(errorOf(heartbeatWith("instance", "xyz")), "'instance' must be 1 to 16 hex digits");
  EXPECT_EQ(errorOf(heartbeatWith("instance", "")), "'instance' must be 1 to 16 hex digits");
  EXPECT_EQ(errorOf(heartbeatWith("rank", "1")), "'rank' must be an integer from 1 to 2147483647");
  EXPECT_EQ(errorOf(heartbeatWith("rank", 1.5)), "'rank' must be an integer from 1 to 2147483647");
  EXPECT_EQ(errorOf(heartbeatWith("rank", 0)), "'rank' must be an integer from 1 to 2147483647");
  EXPECT_EQ(errorOf(heartbeatWith("role", "leader")), "'role' must be active, standby or isolated");
  EXPECT_EQ(errorOf(heartbeatWith("role", true)), "'role' must be a string");
  EXPECT_EQ(errorOf(heartbeatWith("term", -1)), "'term' must be a non-negative integer");
  EXPECT_EQ(errorOf(heartbeatWith("term", "7")), "'term' must be a non-negative integer");
  EXPECT_EQ(errorOf(heartbeatWith("candidate", 1)), "'candidate' must be true or false");
  EXPECT_EQ(errorOf(heartbeatWith("routers_ok", "yes")), "'routers_ok' must be true or false");
  EXPECT_EQ(errorOf(heartbeatWith("fenced", nlohmann::json::array())),
            "'fenced' must be true or false");
  EXPECT_EQ(errorOf(heartbeatWith("active", 1)), "'active' must be a string");
  EXPECT_EQ(errorOf(heartbeatWith("handover_to", nlohmann::json::object())),
            "'handover_to' must be a string");
  EXPECT_NE(errorOf(heartbeatWith("sent_ms", 1.0)).find("'sent_ms' must be an integer"),
            std::string::npos);
}

TEST(HeartbeatCodecTest, HugeValuesAreRefused) {
  EXPECT_EQ(errorOf(heartbeatWith("instance", "10000000000000000")),
            "'instance' must be 1 to 16 hex digits");
  EXPECT_EQ(errorOf(heartbeatWith("rank", 2147483648LL)),
            "'rank' must be an integer from 1 to 2147483647");
  // Beyond uint64: the JSON number is read as a float.
  EXPECT_EQ(errorOf(R"({"node_id":"fo1","instance":"1","rank":1,"role":"standby",)"
                    R"("term":18446744073709551616,"sent_ms":0})"),
            "'term' must be a non-negative integer");
  EXPECT_NE(errorOf(heartbeatWith("sent_ms", UINT64_MAX)).find("'sent_ms' must be an integer"),
            std::string::npos);
  EXPECT_NE(errorOf(heartbeatWith("node_id", std::string(201, 'n'))).find("longer than 200"),
            std::string::npos);
}

TEST(RoleCodecTest, RoundTripsAndRefusesOthers) {
  for (const auto role : {cluster::Role::Active, cluster::Role::Standby, cluster::Role::Isolated}) {
    const auto decoded = decodeRole(encodeRole(role));
    ASSERT_TRUE(decoded.isOk());
    EXPECT_EQ(*decoded, role);
  }
  EXPECT_FALSE(decodeRole("").isOk());
  EXPECT_FALSE(decodeRole("Active").isOk());
  EXPECT_FALSE(decodeRole(std::string(100000, 'a')).isOk());
}

TEST(ActiveCodecTest, IsAPlainNodeId) {
  EXPECT_EQ(*decodeActive("fo1"), "fo1");
  EXPECT_FALSE(decodeActive("").isOk());
  EXPECT_FALSE(decodeActive(std::string(201, 'x')).isOk());
}

TEST(TakeoverEventCodecTest, RoundTripsAndWritesTheDocumentedShape) {
  cluster::TakeoverEvent event{"fo1", "fo2", "active_silent", 7, 612};
  const auto payload = encodeTakeoverEvent(event, "2026-12-06T03:00:00.000Z");
  const auto json = nlohmann::json::parse(payload);
  EXPECT_EQ(json["event_type"], "takeover");
  EXPECT_EQ(json["from"], "fo1");
  EXPECT_EQ(json["to"], "fo2");
  EXPECT_EQ(json["reason"], "active_silent");
  EXPECT_EQ(json["term"], 7);
  EXPECT_EQ(json["takeover_ms"], 612);
  EXPECT_EQ(json["ts"], "2026-12-06T03:00:00.000Z");
  const auto decoded = decodeTakeoverEvent(payload);
  ASSERT_TRUE(decoded.isOk()) << decoded.status().message();
  EXPECT_EQ(decoded->event.from, "fo1");
  EXPECT_EQ(decoded->event.term, 7u);
  EXPECT_EQ(decoded->ts, "2026-12-06T03:00:00.000Z");
}

TEST(TakeoverEventCodecTest, NoPreviousNodeIsNull) {
  const auto json = nlohmann::json::parse(
      encodeTakeoverEvent({"", "fo1", "startup", 1, 900}, "2026-12-06T03:00:00.000Z"));
  EXPECT_TRUE(json["from"].is_null());
  const auto decoded = decodeTakeoverEvent(json.dump());
  ASSERT_TRUE(decoded.isOk());
  EXPECT_EQ(decoded->event.from, "");
}

TEST(TakeoverEventCodecTest, BadEventsAreRefused) {
  EXPECT_FALSE(decodeTakeoverEvent("{}").isOk());
  EXPECT_FALSE(decodeTakeoverEvent(R"({"event_type":"switch","to":"fo1"})").isOk());
  EXPECT_FALSE(decodeTakeoverEvent(
                   R"({"event_type":"takeover","to":"fo1","reason":"x","term":1,"takeover_ms":-1})")
                   .isOk());
  EXPECT_FALSE(decodeTakeoverEvent(
                   R"({"event_type":"takeover","to":3,"reason":"x","term":1,"takeover_ms":1})")
                   .isOk());
}

TEST(HandoverRequestCodecTest, ReadsToTransactionAndRequester) {
  const auto decoded =
      decodeHandoverRequest(R"({"to":"fo2","transaction":"t-1","requested_by":"ops"})");
  ASSERT_TRUE(decoded.isOk()) << decoded.status().message();
  EXPECT_EQ(*decoded, (HandoverRequest{"fo2", "t-1", "ops"}));
  const auto plain = decodeHandoverRequest(R"({"to":"fo2"})");
  ASSERT_TRUE(plain.isOk());
  EXPECT_EQ(plain->transaction, std::nullopt);
  const auto again = decodeHandoverRequest(encodeHandoverRequest(*decoded));
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(*again, *decoded);
}

TEST(HandoverRequestCodecTest, BadRequestsAreRefusedWithAReason) {
  EXPECT_EQ(decodeHandoverRequest("fo2").status().message(), "payload is not valid JSON");
  EXPECT_EQ(decodeHandoverRequest("{}").status().message(), "'to' is missing");
  EXPECT_EQ(decodeHandoverRequest(R"({"to":""})").status().message(), "'to' must not be empty");
  EXPECT_EQ(decodeHandoverRequest(R"({"to":2})").status().message(), "'to' must be a string");
  EXPECT_EQ(decodeHandoverRequest(R"({"to":"fo2","transaction":5})").status().message(),
            "'transaction' must be a string");
}

TEST(HandoverResponseCodecTest, OkAndErrorShapes) {
  const auto ok =
      nlohmann::json::parse(encodeHandoverResponse({true, "fo2", ""}, std::string("t-1")));
  EXPECT_EQ(ok["status"], "ok");
  EXPECT_EQ(ok["data"]["to"], "fo2");
  EXPECT_EQ(ok["transaction"], "t-1");
  const auto refused = nlohmann::json::parse(
      encodeHandoverResponse({false, "fo9", "unknown node 'fo9'"}, std::nullopt));
  EXPECT_EQ(refused["status"], "error");
  EXPECT_EQ(refused["code"], "handover_refused");
  EXPECT_EQ(refused["error"], "unknown node 'fo9'");
  EXPECT_TRUE(refused["transaction"].is_null());
  const auto bad = nlohmann::json::parse(encodeBadHandoverRequest("'to' is missing", "t"));
  EXPECT_EQ(bad["code"], "bad_request");
}

}  // namespace
}  // namespace failover::cluster_bus
