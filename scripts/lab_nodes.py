"""The lab's failover-node processes: started, killed, frozen and thawed from the live view's
prompt, and stopped when the lab ends.

The view owns these processes (rather than scripts/lab) because `start node fo1` must be able
to bring back a node it killed, and whoever starts a process has to be the one that stops it.
Each node runs `failover-node --config WORK/<node>.yaml`, its output appended to WORK/<node>.log.
"""
import os
import signal
import subprocess
import time


class LabNodes:
    def __init__(self, program, work, names):
        self.program = program
        self.work = work
        self.names = list(names)
        self.processes = {}
        self.thaw_at = {}          # node -> monotonic time of its SIGCONT
        self.expected_exit = set()  # nodes the lab killed on purpose

    def config(self, name):
        return os.path.join(self.work, f"{name}.yaml")

    def log(self, name):
        return os.path.join(self.work, f"{name}.log")

    def running(self, name):
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def process_state(self, name):
        """What the lab did to the node's process: None (running), "frozen" or "not running"."""
        if not self.running(name):
            return "not running"
        return "frozen" if name in self.thaw_at else None

    def start(self, name):
        if name not in self.names:
            return f"no node '{name}' (nodes: {', '.join(self.names)})"
        if self.running(name):
            return f"node {name} is already running"
        with open(self.log(name), "ab") as log:
            self.processes[name] = subprocess.Popen(
                [self.program, "--config", self.config(name)], stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT)
        self.expected_exit.discard(name)
        return f"node {name} started (pid {self.processes[name].pid})"

    def kill(self, name):
        if not self.running(name):
            return self._not_running(name)
        self.expected_exit.add(name)
        self.processes[name].kill()
        self.processes[name].wait()
        self.thaw_at.pop(name, None)
        return f"node {name} killed (SIGKILL); `start node {name}` brings it back"

    def freeze(self, name, seconds):
        if not self.running(name):
            return self._not_running(name)
        if name in self.thaw_at:
            return f"node {name} is already frozen"
        os.kill(self.processes[name].pid, signal.SIGSTOP)
        self.thaw_at[name] = time.monotonic() + seconds
        return f"node {name} frozen (SIGSTOP) for {seconds:g} s"

    def poll(self):
        """Thaws the nodes whose freeze is over; returns a line for each change worth telling."""
        lines = []
        now = time.monotonic()
        for name, due in list(self.thaw_at.items()):
            if now >= due:
                del self.thaw_at[name]
                if self.running(name):
                    os.kill(self.processes[name].pid, signal.SIGCONT)
                    lines.append(f"node {name} resumed (SIGCONT)")
        for name, process in self.processes.items():
            if process.poll() is not None and name not in self.expected_exit:
                self.expected_exit.add(name)  # tell once
                lines.append(f"node {name} stopped by itself (exit status {process.returncode}); "
                             f"its log: {self.log(name)}")
        return lines

    def stop_all(self):
        """SIGTERM to every node (SIGCONT first for a frozen one), then SIGKILL after 5 s."""
        for name, process in self.processes.items():
            if process.poll() is None:
                self.expected_exit.add(name)
                process.send_signal(signal.SIGCONT)
                process.terminate()
        deadline = time.monotonic() + 5
        for process in self.processes.values():
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _not_running(self, name):
        if name not in self.names:
            return f"no node '{name}' (nodes: {', '.join(self.names)})"
        return f"node {name} is not running; `start node {name}` starts it"
