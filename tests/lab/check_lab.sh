#!/usr/bin/env bash
# One node (scripts/lab --single), unattended: the lab comes up on loopback, a fault injected
# over MQTT switches a pair (the view reports the failover), and --duration ends it cleanly,
# leaving none of its processes behind.
# Usage: check_lab.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/lab_test_lib.sh"

start_lab "${1:?usage: check_lab.sh BUILD_DIR}" --single --duration 20
wait_for "pair green: active=green-main failover=idle" 15
fail_green_main
wait_for "pair green: active=green-backup failover=active" 10
expect_clean_exit 30
echo "lab test: the lab came up, switched green on an injected fault and stopped cleanly"
