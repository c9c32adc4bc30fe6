# Helpers for the lab tests (sourced): run scripts/lab unattended with its prompt on a FIFO,
# wait for lines of its output, type commands, and check that it leaves nothing behind.
# Every wait is bounded; on a timeout the lab's output is printed and the test fails.

lab_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lab_files=$(mktemp -d /tmp/failover-lab-test.XXXXXX)
lab_out=$lab_files/out
lab_pid=
cleanup() {
  exec 4>&- 2>/dev/null
  [[ -z "$lab_pid" ]] || kill "$lab_pid" 2>/dev/null || true
  rm -rf "$lab_files"
}
trap cleanup EXIT

# start_lab BUILD_DIR LAB_OPTIONS...: the lab in the background, its prompt reading the FIFO
# that fd 4 writes to (opened read-write, so neither side waits for the other to open it).
start_lab() {
  local build_dir=$1
  shift
  mkfifo "$lab_files/prompt"
  exec 4<>"$lab_files/prompt"
  FAILOVER_BUILD_DIR=$build_dir "$lab_root/scripts/lab" --no-build "$@" <"$lab_files/prompt" \
    >"$lab_out" 2>&1 &
  lab_pid=$!
}

fail() {
  echo "lab test: $*; the lab printed:" >&2
  cat "$lab_out" >&2
  exit 1
}

# The number of lines printed so far: `wait_for PATTERN SECONDS $(mark)` looks only after them.
mark() { wc -l <"$lab_out"; }

wait_for() {  # PATTERN SECONDS [AFTER_LINE]
  local after=${3:-0}
  for _ in $(seq $(($2 * 10))); do
    tail -n +$((after + 1)) "$lab_out" | grep -q -- "$1" && return 0
    kill -0 "$lab_pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "'$1' did not appear within $2 s"
}

type_command() { printf '%s\n' "$1" >&4; }

lab_port() {
  local port
  port=$(sed -n 's/^lab: Mosquitto on 127.0.0.1:\([0-9]*\).*/\1/p' "$lab_out")
  [[ -n "$port" ]] || fail "no broker port in the lab's output"
  echo "$port"
}

# render-sim may still be subscribing to its fault topic; the command is idempotent, so it is
# repeated until the failover shows (at most 15 times, a second apart).
fail_green_main() {
  local port
  port=$(lab_port)
  for _ in $(seq 15); do
    mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t render-sim/all/fault -m 'fail engine green-main'
    for _ in $(seq 10); do
      grep -q "failover green: green-main -> green-backup ok" "$lab_out" && return 0
      sleep 0.1
    done
  done
  fail "green did not fail over on 'fail engine green-main'"
}

# The lab ends (by --duration or `quit`) within SECONDS: exit status 0, none of its processes
# left, its directory removed.
expect_clean_exit() {  # SECONDS
  local status=0 work
  for _ in $(seq $(($1 * 10))); do kill -0 "$lab_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$lab_pid" 2>/dev/null && fail "the lab did not stop within $1 s"
  wait "$lab_pid" || status=$?
  lab_pid=
  [[ $status -eq 0 ]] || fail "the lab exited with $status"
  work=$(sed -n 's/^lab: nodes .*, logs in \(.*\)\/$/\1/p' "$lab_out")
  [[ -n "$work" ]] || fail "no work directory in the lab's output"
  if pgrep -f -- "$work" >/dev/null; then
    pgrep -af -- "$work" >&2
    fail "processes of $work are still running"
  fi
  [[ ! -e "$work" ]] || fail "$work was left behind"
}
