#!/usr/bin/env bash
# nodered_dashboard: the Node-RED health panel (compose/node-red/flows.json) against a real
# node on loopback. Mosquitto, videohub-sim, render-sim, failover-node (tests/nodered/
# facility.yaml: six pairs, one fill+key, two sharing a Backup) and Node-RED are started here
# on free 127.0.0.1 ports; headless Chromium (playwright-core) opens the dashboard, checks that
# every pair the node describes is shown with its signals, presses Switch on chosen pairs and
# checks the router's routing, the page and who the node says asked (dashboard_test.js).
#
# Usage: tests/nodered/run.sh BIN_DIR [CACHE_DIR] [SCREENSHOT]
#   BIN_DIR     where videohub-sim, render-sim and failover-node are (build/bin)
#   CACHE_DIR   npm packages are installed here once and reused (default BIN_DIR/../nodered-cache)
#   SCREENSHOT  where to save the page (default CACHE_DIR/health-panel.png)
# Exits 77 (skipped) when node, npm, chromium or mosquitto are missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:?usage: run.sh BIN_DIR [CACHE_DIR] [SCREENSHOT]}
bin=$(cd "$bin" && pwd)
cache=${2:-$bin/../nodered-cache}
chromium=${CHROMIUM:-/usr/bin/chromium}

skip() { echo "nodered_dashboard: SKIPPED: $*" >&2; exit 77; }
command -v node >/dev/null || skip "node is missing (scripts/setup --browser installs it)"
command -v npm >/dev/null || skip "npm is missing (scripts/setup --browser installs it)"
[[ -x "$chromium" ]] || skip "$chromium is missing (scripts/setup --browser installs it)"
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[[ -x "$mosquitto" ]] || skip "mosquitto is missing (scripts/setup installs it)"
for program in videohub-sim render-sim failover-node; do
  [[ -x "$bin/$program" ]] || { echo "nodered_dashboard: $bin/$program is missing; build it first" >&2; exit 1; }
done

# npm packages, pinned by compose/node-red/package.json, installed once into the cache.
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
screenshot=${3:-$cache/health-panel.png}
pins=$root/compose/node-red/package.json
if ! cmp -s "$pins" "$cache/package.json" || [[ ! -f "$cache/node_modules/.installed" ]]; then
  echo "nodered_dashboard: installing Node-RED, the dashboard and playwright-core into $cache"
  cp "$pins" "$cache/package.json"
  rm -f "$cache/node_modules/.installed"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error >"$cache/npm.log" 2>&1) || {
    cat "$cache/npm.log" >&2
    skip "npm install failed (is the npm registry reachable?)"
  }
  touch "$cache/node_modules/.installed"
fi

work=$(mktemp -d /tmp/failover-nodered.XXXXXX)
chmod 755 "$work"
pids=()
status=1
stop_all() {
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $status -ne 0 ]]; then
    for log in "$work"/*.log "$work"/*.out; do
      [[ -s "$log" ]] || continue
      echo "----- $(basename "$log") (last 40 lines)" >&2
      tail -n 40 "$log" >&2
    done
  fi
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 1' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_for_port() {  # PORT NAME PID: up to 10 s
  for _ in $(seq 500); do
    if node -e 'const c=require("net").connect(+process.argv[1],"127.0.0.1",()=>process.exit(0));c.on("error",()=>process.exit(1))' "$1" 2>/dev/null; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || break
    sleep 0.02
  done
  echo "nodered_dashboard: $2 did not start on 127.0.0.1:$1" >&2
  exit 1
}
wait_for_line() {  # FILE PATTERN NAME PID: prints the first matching line, up to 10 s
  for _ in $(seq 500); do
    if grep -m1 -E "$2" "$1" 2>/dev/null; then return 0; fi
    kill -0 "$4" 2>/dev/null || break
    sleep 0.02
  done
  echo "nodered_dashboard: $3 did not print '$2'" >&2
  exit 1
}

# Broker.
mqtt_port=$(free_port)
cat >"$work/mosquitto.conf" <<CONF
$( [[ $(id -u) -eq 0 ]] && echo "user root" )
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
log_type error
log_type warning
CONF
"$mosquitto" -c "$work/mosquitto.conf" 2>"$work/mosquitto.log" &
pids+=($!)
wait_for_port "$mqtt_port" mosquitto "${pids[-1]}"

# Router: one input per machine signal and the Mains on air, as a facility would have it
# (facility.yaml); its control channel on a free loopback port.
"$bin/videohub-sim" --listen 127.0.0.1:0 --inputs 40 --outputs 40 \
  --model "Blackmagic Videohub 40x40 12G" --friendly-name "Studio Router" \
  --input-label "1=AR Main Fill" --input-label "2=AR Main Key" \
  --input-label "3=AR Backup Fill" --input-label "4=AR Backup Key" \
  --input-label "5=Studio B Main" --input-label "6=Studio B Backup" \
  --input-label "7=News Main" --input-label "8=Sport Main" --input-label "9=Spare" \
  --input-label "10=Weather Main" --input-label "11=Weather Backup" \
  --input-label "12=eSports Main" --input-label "13=eSports Backup" \
  --output-label "1=AR FILL PGM" --output-label "2=AR KEY" --output-label "3=Studio B PGM" \
  --output-label "4=News PGM" --output-label "5=Sport PGM" --output-label "6=Weather PGM" \
  --output-label "7=AR FILL MON" --output-label "8=Weather MON" --output-label "9=eSports PGM" \
  --route 1=1 --route 7=1 --route 2=2 --route 3=5 --route 4=7 --route 5=8 \
  --route 6=10 --route 8=10 --route 9=12 \
  --control 127.0.0.1:0 --duration-s 300 >"$work/router.out" 2>"$work/router.log" &
pids+=($!)
router_port=$(wait_for_line "$work/router.out" '^listening on ' videohub-sim "${pids[-1]}" | sed 's/.*://')
control_port=$(wait_for_line "$work/router.out" '^control on ' videohub-sim "${pids[-1]}" | sed 's/.*://')

# The node: the test facility with this run's ports and a private state file; render-sim
# plays every machine in it.
sed -e "s#tcp://127.0.0.1:18830#tcp://127.0.0.1:$mqtt_port#" \
    -e "s#127.0.0.1:19990#127.0.0.1:$router_port#" \
    -e "s#/tmp/failover-nodered/state.json#$work/state.json#" \
    "$root/tests/nodered/facility.yaml" >"$work/facility.yaml"
"$bin/render-sim" --broker "tcp://127.0.0.1:$mqtt_port" --topics-from "$work/facility.yaml" \
  --control none >"$work/render.out" 2>"$work/render.log" &
pids+=($!)
"$bin/failover-node" --config "$work/facility.yaml" >"$work/node.log" 2>&1 &
pids+=($!)

# Node-RED with the panel's flow and settings, exactly as committed.
base=failover/studio
mkdir -p "$work/nodered"
cp "$root/compose/node-red/flows.json" "$root/compose/node-red/settings.js" "$work/nodered/"
nr_port=$(free_port)
MQTT_HOST=127.0.0.1 MQTT_PORT=$mqtt_port FAILOVER_BASE=$base NODE_RED_PORT=$nr_port \
  node "$cache/node_modules/node-red/red.js" --settings "$work/nodered/settings.js" \
  --userDir "$work/nodered" >"$work/nodered.log" 2>&1 &
pids+=($!)
wait_for_port "$nr_port" node-red "${pids[-1]}"

# The browser part has its own bounds; the whole run stays under ~100 s.
NODE_PATH="$cache/node_modules" DASHBOARD_URL="http://127.0.0.1:$nr_port/dashboard/health" \
  ROUTER_CONTROL_PORT=$control_port CHROMIUM="$chromium" SCREENSHOT="$screenshot" \
  PROFILE_DIR="$work/chromium" MQTT_PORT=$mqtt_port FAILOVER_BASE=$base \
  node "$root/tests/nodered/dashboard_test.js" 2>&1 | tee "$work/browser.out"
status=${PIPESTATUS[0]}
# Node-RED must have bound loopback only.
if [[ $status -eq 0 ]] && command -v ss >/dev/null; then
  if ss -ltnH "sport = :$nr_port" | grep -qv '127.0.0.1:'; then
    echo "nodered_dashboard: FAIL: Node-RED listens beyond 127.0.0.1" >&2
    ss -ltn "sport = :$nr_port" >&2
    status=1
  fi
fi
exit "$status"
