#!/usr/bin/env bash
# Validates the Docker Compose lab without a Docker engine:
#   1. `docker-compose config -q` accepts compose/docker-compose.yml (schema, types, references);
#   2. every build context, Dockerfile, bind-mounted file or directory, env file and config or
#      secret file it names exists inside the repository (read from the normalised
#      `docker-compose config` output, where relative paths are already resolved);
#   3. every named volume is declared, every service has a health check, and every published
#      port is bound to 127.0.0.1 on the host;
#   4. the Node-RED image installs the dashboard version compose/node-red/package.json asks for;
#   5. the two nodes' configurations differ only in node_id and cluster.rank.
#
# Usage: tests/compose/check_compose.sh [REPOSITORY_ROOT]
# Exit 0 when all holds, 1 with one line per problem, 77 (skipped) when docker-compose is not
# installed (`scripts/setup --compose` installs it).
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
root=$(cd "$root" && pwd)
compose_file=$root/compose/docker-compose.yml

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "SKIP: docker-compose is not installed (scripts/setup --compose installs it)"
  exit 77
fi
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  echo "SKIP: python3 with the yaml module is needed to read docker-compose's output"
  exit 77
fi
[[ -f "$compose_file" ]] || { echo "FAIL: $compose_file does not exist"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# No engine is needed for these two; COMPOSE_* variables from the caller must not change the
# result, and .env files are not part of the lab.
unset COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PATH_SEPARATOR
if ! docker-compose -f "$compose_file" config -q 2>"$work/errors"; then
  echo "FAIL: docker-compose rejects $compose_file:"
  cat "$work/errors"
  exit 1
fi
docker-compose -f "$compose_file" config >"$work/normalised.yml" 2>"$work/errors" || {
  echo "FAIL: docker-compose config could not print the normalised file:"
  cat "$work/errors"
  exit 1
}

python3 - "$root" "$work/normalised.yml" <<'PY'
import json
import os
import re
import sys

import yaml

root = os.path.realpath(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as stream:
    config = yaml.safe_load(stream)

problems = []
checked = 0


def inside_repository(path):
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


def must_exist(what, path, kind):
    """kind: 'file', 'dir' or 'any'."""
    global checked
    checked += 1
    shown = os.path.relpath(path, root) if inside_repository(path) else path
    if not inside_repository(path):
        problems.append(f"{what}: {path} is outside the repository")
    elif kind == "file" and not os.path.isfile(path):
        problems.append(f"{what}: file {shown} does not exist")
    elif kind == "dir" and not os.path.isdir(path):
        problems.append(f"{what}: directory {shown} does not exist")
    elif kind == "any" and not os.path.exists(path):
        problems.append(f"{what}: {shown} does not exist")


services = config.get("services") or {}
if not services:
    problems.append("the compose file defines no services")
named_volumes = set((config.get("volumes") or {}).keys())

for name, service in services.items():
    build = service.get("build")
    if build is not None:
        if isinstance(build, str):
            build = {"context": build}
        context = build.get("context", ".")
        must_exist(f"{name}: build context", context, "dir")
        dockerfile = build.get("dockerfile", "Dockerfile")
        must_exist(f"{name}: Dockerfile", os.path.join(context, dockerfile), "file")
    elif "image" not in service:
        problems.append(f"{name}: neither build nor image")

    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            source, kind = volume.get("source"), volume.get("type", "volume")
        else:
            # Short syntax SOURCE:TARGET[:MODE]; a source is a path when it is absolute.
            parts = volume.split(":")
            source = parts[0] if len(parts) > 1 else None
            kind = "bind" if source and source.startswith("/") else "volume"
        if not source:
            continue  # an anonymous volume names nothing
        if kind == "bind":
            must_exist(f"{name}: mounted path", source, "any")
        elif source not in named_volumes:
            problems.append(f"{name}: volume '{source}' is not declared under volumes:")

    for env_file in service.get("env_file") or []:
        must_exist(f"{name}: env_file", env_file, "file")

    if not (service.get("healthcheck") or {}).get("test"):
        problems.append(f"{name}: no health check")

    for port in service.get("ports") or []:
        if isinstance(port, dict):
            host_ip = port.get("host_ip")
            shown = json.dumps(port)
        else:
            text = str(port)
            host_ip = text.split(":")[0] if text.count(":") == 2 else None
            shown = text
        if host_ip != "127.0.0.1":
            problems.append(f"{name}: port {shown} is not published on 127.0.0.1 only")

for section in ("configs", "secrets"):
    for name, item in (config.get(section) or {}).items():
        if item and item.get("file"):
            must_exist(f"{section}.{name}", item["file"], "file")

# The Node-RED image pins the dashboard nodes; they must be the ones the flow was made with.
dockerfile = os.path.join(root, "compose", "node-red.Dockerfile")
package = os.path.join(root, "compose", "node-red", "package.json")
if os.path.isfile(dockerfile) and os.path.isfile(package):
    with open(dockerfile, encoding="utf-8") as stream:
        pinned = re.search(r"^ARG DASHBOARD_VERSION=(\S+)", stream.read(), re.M)
    with open(package, encoding="utf-8") as stream:
        wanted = (json.load(stream).get("dependencies") or {}).get("@flowfuse/node-red-dashboard")
    if wanted and (not pinned or pinned.group(1) != wanted.lstrip("^~=")):
        problems.append(
            f"compose/node-red.Dockerfile installs dashboard "
            f"{pinned.group(1) if pinned else '(none)'}, compose/node-red/package.json wants {wanted}")

# The lab's two nodes run one facility: their configurations differ only in who they are.
nodes = [os.path.join(root, "compose", f"failover-node-{node}.yaml") for node in ("fo1", "fo2")]
if all(os.path.isfile(path) for path in nodes):
    loaded = []
    for path in nodes:
        with open(path, encoding="utf-8") as stream:
            node = yaml.safe_load(stream)
        node.pop("node_id", None)
        (node.get("cluster") or {}).pop("rank", None)
        loaded.append(node)
    if loaded[0] != loaded[1]:
        problems.append("compose/failover-node-fo1.yaml and -fo2.yaml differ in more than "
                        "node_id and cluster.rank")

if problems:
    for problem in problems:
        print(f"FAIL: {problem}")
    sys.exit(1)
print(f"OK: {len(services)} services, {checked} paths checked")
PY
