#pragma once

// The audit-trail port: where the node appends one line per auditable event (a switch, a
// failed switch, a changed setting, a reload, a takeover, its start and stop). FileAuditTrail
// appends them to the configured audit_log on its own thread; tests of the node use a fake.

#include <cstdint>
#include <string>

namespace failover::ports {

// What became of the lines appended so far, for B/node/stats.
struct AuditTrailCounters {
  uint64_t written = 0;       // lines that reached the file
  uint64_t dropped = 0;       // lines lost: the queue was full, or their write failed
  uint64_t write_errors = 0;  // failed file operations (open, write, rotate)
};

class AuditTrail {
 public:
  virtual ~AuditTrail() = default;

  // Appends `line` (one JSON object, without the newline). Called on the io thread; returns at
  // once and never waits for a disk, never fails: a line that cannot be kept is dropped and
  // counted, and the trail reports it (it logs it).
  virtual void append(std::string line) = 0;

  // May be called from any thread.
  virtual AuditTrailCounters counters() const = 0;
};

}  // namespace failover::ports
