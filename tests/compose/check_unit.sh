#!/usr/bin/env bash
# Checks config/failover-node.service, the systemd unit of docs/operations.md:
#   1. `systemd-analyze verify` reads it without a single complaint (it exits 0 even for unknown
#      keys or bad values, so any output counts as a failure);
#   2. it keeps the settings the operations guide relies on (command line, user, restart
#      policy, state directory, sandbox);
#   3. `systemd-analyze security --offline` rates its exposure at 2.0 or lower.
# Usage: tests/compose/check_unit.sh [REPOSITORY_ROOT]
# Exit 0 when all holds, 1 with the problems, 77 (skipped) without systemd-analyze.
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
unit=$root/config/failover-node.service

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze is not installed"
  exit 77
fi
[[ -f "$unit" ]] || { echo "FAIL: $unit does not exist"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# verify insists that ExecStart names an executable; the node need not be installed here.
sed 's#^ExecStart=/usr/local/bin/failover-node #ExecStart=/bin/true #' "$unit" \
  >"$work/failover-node.service"

status=0
if ! systemd-analyze verify "$work/failover-node.service" >"$work/verify.log" 2>&1 ||
   [[ -s "$work/verify.log" ]]; then
  echo "FAIL: systemd-analyze verify complains:"
  sed "s#$work/##" "$work/verify.log"
  status=1
fi

required=(
  "User=failover-node"
  "ExecStart=/usr/local/bin/failover-node --config /etc/failover-node/config.yaml --log-format json"
  "Restart=always"
  "RestartSec=1"
  "StateDirectory=failover-node"
  "ReadWritePaths=/var/lib/failover-node"
  "NoNewPrivileges=yes"
  "ProtectSystem=strict"
  "ProtectHome=yes"
  "CapabilityBoundingSet="
)
for line in "${required[@]}"; do
  if ! grep -qxF -- "$line" "$unit"; then
    echo "FAIL: the unit lacks the line '$line'"
    status=1
  fi
done

# The overall exposure is the last line: "→ Overall exposure level for X: 1.2 OK".
if systemd-analyze security --offline=true "$work/failover-node.service" >"$work/security.log" 2>&1; then
  exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/security.log")
  if [[ -z "$exposure" ]]; then
    echo "FAIL: no exposure level in systemd-analyze security's output:"
    tail -n 5 "$work/security.log"
    status=1
  elif ! awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    echo "FAIL: exposure level $exposure is above 2.0:"
    grep '✗' "$work/security.log" || true
    status=1
  fi
else
  echo "note: systemd-analyze security --offline is not available here; exposure not rated"
fi

[[ $status -eq 0 ]] && echo "OK: config/failover-node.service${exposure:+, exposure $exposure}"
exit $status
