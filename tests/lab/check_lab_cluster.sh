#!/usr/bin/env bash
# Two nodes (scripts/lab as the README runs it), driven at the prompt: fo1 comes up in charge
# with fo2 ready to take over; a fault switches a pair (pair states from the cluster's topics);
# `kill node fo1` makes fo2 take charge; `start node fo1` brings fo1 back as a standby;
# `handover fo1` gives it control again; `freeze node fo1 3` makes fo2 take charge and fo1,
# thawed, stand by; `quit` ends the lab cleanly, leaving none of its processes behind.
# Usage: check_lab_cluster.sh BUILD_DIR
set -euo pipefail
source "$(dirname "$0")/lab_test_lib.sh"

start_lab "${1:?usage: check_lab_cluster.sh BUILD_DIR}"
wait_for "cluster: fo1 in charge" 20
wait_for "node fo2 ready to take over" 15
wait_for "pair green: active=green-main failover=idle" 15
fail_green_main
wait_for "pair green: active=green-backup failover=active" 10

from=$(mark)
type_command "help"
wait_for "nodes: kill node fo1 | start node fo1 | freeze node fo1 3" 5 "$from"

from=$(mark)
type_command "kill node fo1"
wait_for "node fo1 killed (SIGKILL); \`start node fo1\` brings it back" 5 "$from"
wait_for "takeover fo1 -> fo2 (active_offline) in [0-9]* ms" 10 "$from"
wait_for "cluster: fo2 in charge" 5 "$from"

from=$(mark)
type_command "start node fo1"
wait_for "node fo1 started" 5 "$from"
wait_for "node fo1 ready to take over" 15 "$from"

from=$(mark)
type_command "handover fo1"
wait_for "handover to fo1: ok" 5 "$from"
wait_for "takeover fo2 -> fo1 (handover) in [0-9]* ms" 5 "$from"
wait_for "cluster: fo1 in charge" 5 "$from"

from=$(mark)
type_command "freeze node fo1 3"
wait_for "node fo1 frozen (SIGSTOP) for 3 s" 5 "$from"
wait_for "takeover fo1 -> fo2 (active_silent) in [0-9]* ms" 10 "$from"
wait_for "node fo1 resumed (SIGCONT)" 10 "$from"
wait_for "node fo1 role standby" 10 "$from"

type_command "quit"
expect_clean_exit 20
grep -q "stopped by itself" "$lab_out" && fail "a node stopped without being told to"
echo "lab test: two nodes came up, fo2 took charge when fo1 was killed and when it was frozen," \
     "and fo1 took control back on a handover"
