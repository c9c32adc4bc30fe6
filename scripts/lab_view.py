#!/usr/bin/env python3
"""The lab's live view: what failover-node publishes, per pair, Main above Backup.

Reads the node's topics through mosquitto_sub and redraws a screen twice a second. Lines
typed at the prompt are render-sim fault commands (e.g. `fail engine green-main`), sent over
MQTT to render-sim; `switch green` asks the node for a manual switch. Without a terminal
(unattended runs) it prints one line per change instead.
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

CHECKS = ["status", "engine", "videoio", "network", "diagnostics"]
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

    def on_message(self, topic, payload):
        if topic == f"{self.base}/node/state":
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
                self.events.append(time.strftime("%H:%M:%S ") + line)
                self.events = self.events[-6:]
                return line
        except (ValueError, IndexError):
            return None
        return None

    def render(self, tty_colours):
        out = ["\x1b[H\x1b[2J"]
        router = self.router
        out.append(f"failover lab   node: {self.node_state}   router {router.get('id', '?')}: "
                   f"{router.get('state', '?')} {router.get('model', '')}")
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
        out.append("type a fault and press Enter:  fail engine green-main | hang network blue-main |")
        out.append("  drop green-main | critical green-main | recover green-main | switch green | quit")
        if self.message:
            out.append(self.message)
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
        if words[0] == "switch" and len(words) == 2:
            topic = f"{self.base}/pair/{words[1]}/set/swap"
            subprocess.run(mqtt + ["-t", topic, "-m", "PRESS"], check=False)
        else:
            subprocess.run(mqtt + ["-t", "render-sim/all/fault", "-m", line], check=False)
        self.message = f"sent: {line}"
        return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--duration", type=int, default=0)
    args = parser.parse_args()

    view = View(args)
    subscriber = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(args.port), "-v",
         "-t", f"{args.base}/node/state", "-t", f"{args.base}/router/+/state",
         "-t", f"{args.base}/pair/+/state", "-t", f"{args.base}/pair/+/event"],
        stdout=subprocess.PIPE)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    saved = termios.tcgetattr(sys.stdin) if interactive else None
    if interactive:
        tty.setcbreak(sys.stdin.fileno())
    started = time.monotonic()
    next_draw = 0.0
    pending = b""
    try:
        while True:
            if args.duration and time.monotonic() - started >= args.duration:
                break
            sources = [subscriber.stdout] + ([sys.stdin] if interactive else [])
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
                    if change and not interactive:
                        print(time.strftime("%H:%M:%S ") + change, flush=True)
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
        subscriber.terminate()
        subscriber.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
