#!/usr/bin/env bash
# The README's main command, unattended: scripts/lab --duration comes up on loopback, a fault
# injected over MQTT switches a pair (the view reports the failover), and it exits cleanly,
# leaving none of its processes behind.
# Usage: check_lab.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:?usage: check_lab.sh BUILD_DIR}
out=$(mktemp /tmp/failover-lab-test.XXXXXX)
trap 'rm -f "$out"' EXIT

FAILOVER_BUILD_DIR=$build_dir "$root/scripts/lab" --no-build --duration 20 </dev/null >"$out" 2>&1 &
lab=$!

wait_for() {  # PATTERN SECONDS
  for _ in $(seq $(($2 * 10))); do
    grep -q "$1" "$out" && return 0
    kill -0 "$lab" 2>/dev/null || break
    sleep 0.1
  done
  echo "lab test: '$1' did not appear; the lab printed:" >&2
  cat "$out" >&2
  kill "$lab" 2>/dev/null || true
  exit 1
}

wait_for "pair green: active=green-main failover=idle" 15
port=$(sed -n 's/^lab: Mosquitto on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")
[[ -n "$port" ]] || { echo "lab test: no broker port in the lab's output" >&2; exit 1; }
# render-sim may still be subscribing to its fault topic; the command is idempotent, so it is
# repeated until the failover shows (at most 15 times, a second apart).
for _ in $(seq 15); do
  mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t render-sim/all/fault -m 'fail engine green-main'
  for _ in $(seq 10); do
    grep -q "failover green: green-main -> green-backup ok" "$out" && break 2
    sleep 0.1
  done
done
wait_for "failover green: green-main -> green-backup ok" 1
wait_for "pair green: active=green-backup failover=active" 10

# --duration ends the lab by itself; every process it started must be gone afterwards.
status=0
wait "$lab" || status=$?
[[ $status -eq 0 ]] || { echo "lab test: the lab exited with $status" >&2; cat "$out" >&2; exit 1; }
work=$(sed -n 's/^lab: node log \(.*\)\/node.log$/\1/p' "$out")
if pgrep -f -- "$work" >/dev/null; then
  echo "lab test: processes of $work are still running:" >&2
  pgrep -af -- "$work" >&2
  exit 1
fi
[[ ! -e "$work" ]] || { echo "lab test: $work was left behind" >&2; exit 1; }
echo "lab test: the lab came up, switched green on an injected fault and stopped cleanly"
