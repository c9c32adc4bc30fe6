"""The cluster part of the lab's live view: which node is in charge, each node's role and
heartbeat, takeover events, and handover requests with their answers.

Topics (C = <base_topic>/<cluster id>, e.g. failover/studio): C/cluster/active,
C/cluster/event, C/cluster/response/handover, C/nodes/<node>/{state,role,heartbeat}.
"""
import json
import time

# A node unheard for longer than this is shown as silent: several heartbeats are missing, so it
# is not a scheduling hiccup but a frozen, killed or cut-off node.
SILENT_AFTER_S = 1.0
HANDOVER_ANSWER_WITHIN_S = 3.0


class ClusterState:
    def __init__(self, base, names):
        self.base = base
        self.names = list(names)
        self.active = None
        self.nodes = {name: {"state": "?", "role": "?"} for name in names}
        self.pending = {}  # transaction -> (target, deadline)
        self.sequence = 0

    def topics(self):
        return [f"{self.base}/cluster/active", f"{self.base}/cluster/event",
                f"{self.base}/cluster/response/handover", f"{self.base}/nodes/+/state",
                f"{self.base}/nodes/+/role", f"{self.base}/nodes/+/heartbeat"]

    def on_message(self, topic, payload):
        """Returns (change, event): a line for each change, and one for the event list."""
        if not topic.startswith(self.base + "/"):
            return None, None
        parts = topic[len(self.base) + 1:].split("/")
        if parts == ["cluster", "active"]:
            if payload != self.active:
                self.active = payload
                return f"cluster: {payload} in charge", None
            return None, None
        if parts == ["cluster", "event"]:
            event = parse(payload)
            if event is None or event.get("event_type") != "takeover":
                return None, None
            line = (f"takeover {event.get('from') or '-'} -> {event.get('to')} "
                    f"({event.get('reason')}) in {event.get('takeover_ms')} ms, "
                    f"term {event.get('term')}")
            return line, line
        if parts == ["cluster", "response", "handover"]:
            return self._answer(parse(payload)), None
        if len(parts) == 3 and parts[0] == "nodes":
            return self._node_message(parts[1], parts[2], payload), None
        return None, None

    def _node_message(self, name, leaf, payload):
        node = self.nodes.setdefault(name, {"state": "?", "role": "?"})
        if leaf in ("state", "role"):
            if node.get(leaf) == payload:
                return None
            node[leaf] = payload
            return f"node {name} {payload}" if leaf == "state" else f"node {name} role {payload}"
        if leaf == "heartbeat":
            heartbeat = parse(payload)
            if heartbeat is None:
                return None
            was_silent = node.get("silent", False)
            was_ready = node.get("candidate")
            node.update(heard=time.monotonic(), silent=False, term=heartbeat.get("term"),
                        candidate=bool(heartbeat.get("candidate")),
                        fenced=bool(heartbeat.get("fenced")),
                        routers_ok=heartbeat.get("routers_ok", True))
            if was_silent:
                return f"node {name} heard again"
            if was_ready != node["candidate"]:
                return f"node {name} {'ready' if node['candidate'] else 'not ready'} to take over"
        return None

    def poll(self):
        """Lines for nodes that went silent and handover requests left unanswered."""
        lines = []
        now = time.monotonic()
        for name, node in self.nodes.items():
            heard = node.get("heard")
            if heard is not None and not node.get("silent") and now - heard > SILENT_AFTER_S:
                node["silent"] = True
                lines.append(f"node {name} silent (no heartbeat for {SILENT_AFTER_S:g} s)")
        for transaction, (target, deadline) in list(self.pending.items()):
            if now >= deadline:
                del self.pending[transaction]
                lines.append(f"handover to {target}: no answer within "
                             f"{HANDOVER_ANSWER_WITHIN_S:g} s (is a node in charge?)")
        return lines

    def handover_request(self, target):
        """The topic and payload asking the node in charge to hand over to `target`."""
        self.sequence += 1
        transaction = f"lab-{self.sequence}"
        self.pending[transaction] = (target, time.monotonic() + HANDOVER_ANSWER_WITHIN_S)
        payload = json.dumps({"to": target, "transaction": transaction, "requested_by": "lab"})
        return f"{self.base}/cluster/request/handover", payload

    def _answer(self, answer):
        if answer is None:
            return None
        target, _ = self.pending.pop(answer.get("transaction"), (None, None))
        target = target or (answer.get("data") or {}).get("to") or "?"
        if answer.get("status") == "ok":
            return f"handover to {target}: ok"
        return f"handover to {target}: refused, {answer.get('error')} ({answer.get('code')})"

    def header(self, process_state):
        """The lines at the top of the screen: who is in charge, then one line per node.
        process_state(node) says what the lab did to its process: None, "frozen", "not running"."""
        lines = [f"in charge: {self.active or '(nobody yet)'}"]
        now = time.monotonic()
        for name in sorted(self.nodes):
            node = self.nodes[name]
            heard = node.get("heard")
            # A stopped node's retained role is the last one it published, no longer true.
            role = node.get("role", "?") if node.get("state") != "offline" else "-"
            held = process_state(name)
            if held and (held != "frozen" or node.get("silent")):
                heard_text = held
            elif heard is None:
                heard_text = "no heartbeat yet"
            elif node.get("silent"):
                heard_text = f"SILENT for {now - heard:.1f} s"
            else:
                heard_text = "heartbeats ok"
            flags = []
            if node.get("candidate"):
                flags.append("ready to take over")
            if node.get("fenced"):
                flags.append("FENCED")
            if node.get("routers_ok") is False:
                flags.append("routers lost")
            marker = ">>" if name == self.active else "  "
            lines.append(f" {marker} {name:<6} {node.get('state', '?'):<8} {role:<9} "
                         f"term {node.get('term', '?')!s:<4} {heard_text:<18} {', '.join(flags)}")
        return lines


def parse(payload):
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
