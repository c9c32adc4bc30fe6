#pragma once

// The run-state port: where the node keeps the settings an operator changes at run time
// (per pair: mode and armed; per router: enabled), so that they survive a restart.
// FileRunStateStore writes them to the configured state file; tests of the node use a fake.

#include "failover/config/state_file.h"

namespace failover::ports {

class RunStateStore {
 public:
  virtual ~RunStateStore() = default;

  // Keeps `state`, the complete run-time settings, in place of whatever was saved before.
  // Called on the io thread; returns at once and never waits for a disk. A store may write
  // later and skip states that a newer one replaced before they were written. A failure is
  // the store's to report (it logs it); the caller carries on with the settings in memory.
  virtual void save(const config::RunState& state) = 0;
};

}  // namespace failover::ports
