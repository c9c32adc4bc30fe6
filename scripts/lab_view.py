#!/usr/bin/env python3
"""The lab's live view: what failover-node publishes, per pair, Main above Backup, and in a
cluster which node is in charge.

Reads the nodes' topics through mosquitto_sub and redraws a screen twice a second. It starts
the lab's failover-node processes itself (lab_nodes.py), so that the prompt can kill, freeze and
restart them. Lines typed at the prompt are lab commands (`help` lists them) or render-sim fault
commands (e.g. `fail engine green-main`), sent over MQTT to render-sim. Without a terminal
(unattended runs) it prints one line per change instead, and reads commands from its input, one
a line.
"""
import argparse
import json
import os
import select
import signal
import subprocess
import sys
import termios
import time
import tty

from lab_cluster import ClusterState
from lab_nodes import LabNodes

CHECKS = ["status", "engine", "videoio", "network", "diagnostics"]
HELP = [
    "render machines: fail engine green-main | hang network blue-main | drop green-main |",
    "  critical green-main | recover green-main   (any render-sim fault command)",
    "pairs: switch green",
    "nodes: kill node fo1 | start node fo1 | freeze node fo1 3",
    "cluster: handover fo2",
    "help | quit",
]
COLOURS = {"ok": "32", "warn": "33", "fail": "31", "stale": "31", "unknown": "90",
           "critical": "35"}


def colour(text, code, enabled):
    return f"\x1b[{code}m{text}\x1b[0m" if enabled and code else text


class View:
    def __init__(self, args):
        self.args = args
        self.base = args.base
        self.pairs = {}
        self.router = {}
        self.node_state = "?"
        self.events = []
        self.typed = ""
        self.message = ""
        self.nodes = LabNodes(args.failover_node, args.work, args.node)
        self.cluster = ClusterState(self.base, args.node) if args.cluster else None

    def topics(self):
        own = self.cluster.topics() if self.cluster else [f"{self.base}/node/state"]
        return own + [f"{self.base}/router/+/state", f"{self.base}/pair/+/state",
                      f"{self.base}/pair/+/event"]

    def note(self, line):
        self.events.append(time.strftime("%H:%M:%S ") + line)
        self.events = self.events[-6:]

    def on_message(self, topic, payload):
        if self.cluster:
            change, event = self.cluster.on_message(topic, payload)
            if event:
                self.note(event)
            if change:
                return change
        if not self.cluster and topic == f"{self.base}/node/state":
            self.node_state = payload
            return f"node {payload}"
        parts = topic[len(self.base) + 1:].split("/")
        try:
            if parts[0] == "router" and parts[-1] == "state":
                self.router = json.loads(payload)
                return f"router {self.router.get('state')}"
            if parts[0] == "pair" and parts[-1] == "state":
                old = self.pairs.get(parts[1], {})
                self.pairs[parts[1]] = json.loads(payload)
                new = self.pairs[parts[1]]
                if old.get("active") != new.get("active") or old.get("failover") != new.get("failover"):
                    return f"pair {parts[1]}: active={new.get('active')} failover={new.get('failover')}"
            if parts[0] == "pair" and parts[-1] == "event":
                event = json.loads(payload)
                total = (event.get("latency_ms") or {}).get("total")
                line = (f"{event.get('event_type')} {event.get('pair')}: {event.get('from')} -> "
                        f"{event.get('to')} {event.get('result')}"
                        + (f" in {total} ms" if total is not None else "")
                        + f" ({event.get('description') or event.get('reason')})")
                self.note(line)
                return line
        except (ValueError, IndexError):
            return None
        return None

    def render(self, tty_colours):
        out = ["\x1b[H\x1b[2J"]
        router = self.router
        node = "" if self.cluster else f"node: {self.node_state}   "
        out.append(f"failover lab   {node}router {router.get('id', '?')}: "
                   f"{router.get('state', '?')} {router.get('model', '')}")
        if self.cluster:
            out.extend(self.cluster.header(self.nodes.process_state))
        out.append("")
        for name, pair in self.pairs.items():
            last = pair.get("last_switch") or {}
            latency = (last.get("latency_ms") or {}).get("total")
            out.append(f"pair {name}   mode {pair.get('mode')}   armed {'ON' if pair.get('armed') else 'OFF'}   "
                       f"failover {pair.get('failover')}"
                       + ("   SWITCH ADVISED" if pair.get("switch_advised") else ""))
            for role in ("main", "backup"):
                machine_id = pair.get(role)
                machine = pair.get("machines", {}).get(machine_id, {})
                marker = ">>" if pair.get("active") == machine_id else "  "
                checks = machine.get("checks", {})
                cells = []
                for check in CHECKS:
                    status = checks.get(check, {}).get("status", "?")
                    cells.append(f"{check}:" + colour(f"{status:<7}", COLOURS.get(status), tty_colours))
                out.append(f" {marker} {role:<6} {machine_id:<16} {machine.get('status', '?'):<8} " + " ".join(cells))
            signals = (pair.get("router") or {}).get("signals") or []
            if signals:
                routed = []
                for signal in signals:
                    outputs = ",".join(str(o) for o in signal.get("outputs", []))
                    routed.append(f"{signal.get('signal')} out {outputs} <- in {signal.get('input') or '?'}")
                out.append("    signals: " + "   ".join(routed))
            if last:
                out.append(f"    last switch: {last.get('event_type')} {last.get('from')} -> {last.get('to')}"
                           + (f", {latency} ms" if latency is not None else ""))
            out.append("")
        out.append("recent events:")
        out.extend("  " + event for event in self.events[-6:])
        out.append("")
        out.append("type a command and press Enter:  fail engine green-main | recover green-main |")
        out.append("  switch green | kill node fo1 | start node fo1 | freeze node fo1 3 |")
        out.append("  handover fo2 | help | quit")
        if self.message:
            out.extend(self.message.split("\n"))
        out.append("> " + self.typed)
        sys.stdout.write("\n".join(out))
        sys.stdout.flush()

    def command(self, line):
        line = line.strip()
        if not line:
            return True
        if line in ("quit", "exit", "q"):
            return False
        words = line.split()
        mqtt = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.args.port), "-q", "1"]
        if words[0] == "help":
            self.message = "\n".join(HELP)
        elif words[0] == "switch" and len(words) == 2:
            topic = f"{self.base}/pair/{words[1]}/set/swap"
            subprocess.run(mqtt + ["-t", topic, "-m", "PRESS"], check=False)
            self.message = f"sent: {line}"
        elif words[:2] == ["kill", "node"] and len(words) == 3:
            self.message = self.nodes.kill(words[2])
        elif words[:2] == ["start", "node"] and len(words) == 3:
            self.message = self.nodes.start(words[2])
        elif words[:2] == ["freeze", "node"] and len(words) in (3, 4):
            seconds = seconds_from(words[3] if len(words) == 4 else "3")
            self.message = (self.nodes.freeze(words[2], seconds) if seconds is not None else
                            f"'{words[3]}' is not a number of seconds from 0.1 to 600")
        elif words[0] == "handover" and len(words) == 2:
            if self.cluster is None:
                self.message = "handover needs a cluster (this lab runs one node: --single)"
            else:
                topic, payload = self.cluster.handover_request(words[1])
                subprocess.run(mqtt + ["-t", topic, "-m", payload], check=False)
                self.message = f"sent: {line} (asked the node in charge; its answer follows)"
        elif words[0] in ("kill", "start", "freeze", "handover"):
            self.message = ("usage: kill node NODE | start node NODE | freeze node NODE SECONDS | "
                            "handover NODE")
        else:
            subprocess.run(mqtt + ["-t", "render-sim/all/fault", "-m", line], check=False)
            self.message = f"sent: {line}"
        return True

    def poll(self):
        """Changes that time brings: nodes thawed or stopped, nodes silent, handovers unanswered."""
        lines = self.nodes.poll() + (self.cluster.poll() if self.cluster else [])
        for line in lines:
            self.note(line)
        return lines


def seconds_from(text):
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if 0.1 <= seconds <= 600 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--base", required=True,
                        help="where the pairs and routers are: B of one node, C of a cluster")
    parser.add_argument("--cluster", action="store_true",
                        help="the nodes form a cluster whose topics are under --base")
    parser.add_argument("--failover-node", required=True, help="the failover-node program")
    parser.add_argument("--work", required=True, help="the directory of <node>.yaml and <node>.log")
    parser.add_argument("--node", action="append", required=True,
                        help="a node to run, in the order of their ranks")
    parser.add_argument("--duration", type=int, default=0)
    args = parser.parse_args()

    view = View(args)
    subscriber = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(args.port), "-v"]
        + [option for topic in view.topics() for option in ("-t", topic)],
        stdout=subprocess.PIPE)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    # Unattended, commands come from the input one a line until it ends (/dev/null: none).
    reading = not interactive
    saved = termios.tcgetattr(sys.stdin) if interactive else None
    if interactive:
        tty.setcbreak(sys.stdin.fileno())

    def say(line):
        if not interactive:
            print(time.strftime("%H:%M:%S ") + line, flush=True)

    started = time.monotonic()
    next_draw = 0.0
    pending = b""
    typed = b""
    # The first node starts alone and the others once it is in charge (or after 10 s), so the
    # best-ranked node is the one in charge when the lab comes up.
    later = list(args.node[1:])
    start_later_at = started + 10
    try:
        say(view.nodes.start(args.node[0]))
        while True:
            now = time.monotonic()
            if args.duration and now - started >= args.duration:
                break
            if later and (now >= start_later_at or not view.cluster or view.cluster.active):
                for name in later:
                    say(view.nodes.start(name))
                later = []
            sources = [subscriber.stdout] + ([sys.stdin] if interactive or reading else [])
            ready, _, _ = select.select(sources, [], [], 0.2)
            if subscriber.stdout in ready:
                # Raw reads: a buffered readline() would hide lines already read from the pipe
                # from select(), and the screen would lag behind the node.
                chunk = os.read(subscriber.stdout.fileno(), 65536)
                if not chunk:
                    print("lab: lost the broker", file=sys.stderr)
                    return 1
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    topic, _, payload = raw.decode(errors="replace").partition(" ")
                    change = view.on_message(topic, payload)
                    if change:
                        say(change)
            # After the messages already waiting: a late view must not call a live node silent.
            for line in view.poll():
                say(line)
            if reading and sys.stdin in ready:
                chunk = os.read(sys.stdin.fileno(), 4096)
                if not chunk:
                    reading = False
                typed += chunk
                *lines, typed = typed.split(b"\n")
                for raw in lines:
                    line = raw.decode(errors="replace").strip()
                    if not line:
                        continue
                    say(f"> {line}")
                    if not view.command(line):
                        return 0
                    for message in view.message.split("\n"):
                        say(message)
            if interactive and sys.stdin in ready:
                char = os.read(sys.stdin.fileno(), 1).decode(errors="replace")
                if char in ("\n", "\r"):
                    if not view.command(view.typed):
                        break
                    view.typed = ""
                elif char in ("\x7f", "\b"):
                    view.typed = view.typed[:-1]
                elif char.isprintable():
                    view.typed += char
                next_draw = 0.0
            if interactive and time.monotonic() >= next_draw:
                view.render(True)
                next_draw = time.monotonic() + 0.5
    finally:
        if saved is not None:
            termios.tcsetattr(sys.stdin, termios.TCSADRAIN, saved)
            sys.stdout.write("\n")
        view.nodes.stop_all()
        subscriber.terminate()
        subscriber.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
