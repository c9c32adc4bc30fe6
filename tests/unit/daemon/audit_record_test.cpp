// The audit trail's lines: the common members first and always present, then what only one
// type of record has; the records of the daemon itself (start, stop, reload, takeover).

#include "failover/daemon/audit_record.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace failover::daemon {
namespace {

using Json = nlohmann::json;

const core::WallTime kAt = core::WallTime{} + std::chrono::milliseconds(1'795'601'730'123);

Json lineOf(const AuditRecord& record) {
  return Json::parse(auditLine(record, "fo1", kAt));
}

TEST(AuditRecordTest, EveryLineHasTheCommonMembersFirst) {
  const std::string text = auditLine(nodeStopAuditRecord("signal 15"), "fo1", kAt);
  EXPECT_EQ(text, R"({"ts":"2026-11-25T10:15:30.123Z","node_id":"fo1","event_type":"node_stop",)"
                  R"("pair":null,"router":null,"from":null,"to":null,"reason":"signal 15",)"
                  R"("requested_by":null,"transaction":null,"result":"ok"})");
}

TEST(AuditRecordTest, StartCarriesTheVersionAndTheConfigurationHash) {
  const Json line = lineOf(nodeStartAuditRecord("1.2.3", "abc123"));
  EXPECT_EQ(line["event_type"], "node_start");
  EXPECT_EQ(line["version"], "1.2.3");
  EXPECT_EQ(line["config_hash"], "abc123");
}

TEST(AuditRecordTest, ReloadSaysWhoAskedAndWhetherItWasApplied) {
  const Json applied = lineOf(reloadAuditRecord(true, "command", "ops:ana", "rl-1"));
  EXPECT_EQ(applied["event_type"], "reload");
  EXPECT_EQ(applied["result"], "ok");
  EXPECT_EQ(applied["requested_by"], "ops:ana");
  EXPECT_EQ(applied["transaction"], "rl-1");
  const Json refused =
      lineOf(reloadAuditRecord(false, "pairs.green.router: unknown router", "SIGHUP", {}));
  EXPECT_EQ(refused["result"], "failed");
  EXPECT_EQ(refused["reason"], "pairs.green.router: unknown router");
}

TEST(AuditRecordTest, TakeoverNamesBothNodesAndTheTerm) {
  const Json line = lineOf(takeoverAuditRecord("fo1", "fo2", "heartbeat_lost", 7));
  EXPECT_EQ(line["event_type"], "takeover");
  EXPECT_EQ(line["from"], "fo1");
  EXPECT_EQ(line["to"], "fo2");
  EXPECT_EQ(line["term"], 7);
}

TEST(AuditRecordTest, DetailsNeverReplaceTheCommonMembers) {
  AuditRecord record = nodeStopAuditRecord("signal 2");
  record.details = {{"result", "overwritten"}, {"extra", 1}};
  const Json line = lineOf(record);
  EXPECT_EQ(line["result"], "ok");
  EXPECT_EQ(line["extra"], 1);
}

TEST(AuditRecordTest, TextThatIsNotUtf8DoesNotLoseTheRecord) {
  AuditRecord record = nodeStopAuditRecord("bad \xff byte");
  EXPECT_NO_THROW(lineOf(record));
}

}  // namespace
}  // namespace failover::daemon
