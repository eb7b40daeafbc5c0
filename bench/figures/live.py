"""A cycle's delta from commit to 1,000 websocket clients, against a raw `group_send`.

Real clients (bench/wsclients.py, another process) hold real sockets to the Daphne the harness
started, through the Redis channel layer. meshwatch's path: a new cycle is stored, then
`publish_cycle` rebuilds the view and commits its delta; the clock starts when the commit
hook sends (`broadcast._send`) and stops at each client's arrival. The floor: the same
message, serialized once, sent with `group_send` to 1,000 sockets of a consumer that forwards
text as is (bench/server/asgi.py).
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from typing import Any

from bench.mesh import SyntheticSource, after, cycle_time, namespace_name
from bench.servers import REPO
from bench.sizes import Size
from bench.stats import Figure, Spread, percentile

READY_TIMEOUT_S = 900
DELTA_TIMEOUT_S = 120
RAW_SEQ = 1_000_000_000_000_000  # above any seq meshwatch hands out (milliseconds-based)


class ClientProcess:
    """bench.wsclients in a subprocess, its stdout lines read by a thread."""

    def __init__(self, url: str, origin: str, count: int, subscribe: dict | None) -> None:
        args = [sys.executable, "-m", "bench.wsclients", url, origin, str(count)]
        if subscribe is not None:
            args.append(json.dumps(subscribe))
        self.process = subprocess.Popen(args, cwd=REPO, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)  # fmt: skip
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def expect(self, key: str, timeout_s: float) -> Any:
        """The value of the next line that has `key`."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if key in line:
                return line[key]
        raise RuntimeError(f"websocket clients: no {key!r} within {timeout_s:.0f}s")

    def finish(self) -> dict[int, list[float]]:
        """Stop the clients; their arrival times by seq."""
        assert self.process.stdin is not None
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        results = self.expect("results", 120)
        self.process.wait(timeout=60)
        return {int(k): v for k, v in results.items()}

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _meshwatch_deltas(size: Size, clients: ClientProcess) -> tuple[dict[int, float], Any]:
    """Store and publish `size.repeats` cycles; commit times by seq, and the last delta data."""
    from collectors.pipeline import run_cycle
    from webapp.live import broadcast
    from webapp.live.models import TopicDelta

    commits: dict[int, float] = {}
    original = broadcast._send

    def recording(state: Any, row: Any) -> None:
        commits[row.seq] = time.time()
        original(state, row)

    source = SyntheticSource(size)
    broadcast._send = recording  # the commit hook looks the name up when it fires
    try:
        for i in range(size.repeats):
            at = after(cycle_time(size.repeats), 40 + i)  # after every stored cycle
            run_cycle(at, source, publish=False, interval_s=15.0)
            broadcast.publish_cycle(at)
            clients.expect("complete", DELTA_TIMEOUT_S)
    finally:
        broadcast._send = original
    return commits, TopicDelta.objects.order_by("-pk").values_list("data", flat=True)[0]


def _raw_sends(size: Size, clients: ClientProcess, data: Any) -> dict[int, float]:
    """The floor: the same delta message, serialized once, group_sent to the raw sockets."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from bench.server.asgi import RAW_GROUP

    layer = get_channel_layer()
    sends: dict[int, float] = {}
    for i in range(size.repeats):
        seq = RAW_SEQ + i
        text = json.dumps({"v": 1, "type": "delta", "topic": "graph", "seq": seq, "data": data})
        sends[seq] = time.time()
        async_to_sync(layer.group_send)(RAW_GROUP, {"type": "bench.raw", "text": text})
        clients.expect("complete", DELTA_TIMEOUT_S)
    return sends


def _latencies(starts: dict[int, float], arrivals: dict[int, list[float]]) -> dict[str, Spread]:
    """p50 and p99 over clients of each send, then median/min/max over sends (ms)."""
    p50s, p99s = [], []
    for seq, started in starts.items():
        delays = [(t - started) * 1000 for t in arrivals.get(seq, [])]
        if delays:
            p50s.append(percentile(delays, 0.5))
            p99s.append(percentile(delays, 0.99))
    return {"p50": Spread.of(p50s), "p99": Spread.of(p99s)}


def _run(url: str, origin: str, count: int, subscribe: dict | None, work: Any) -> tuple:
    clients = ClientProcess(url, origin, count, subscribe)
    try:
        clients.expect("ready", READY_TIMEOUT_S)
        outcome = work(clients)
        return outcome, clients.finish()
    finally:
        clients.kill()


def measure_live(size: Size, base: str, token: str) -> list[Figure]:
    """Figures for p50 and p99 of the delta's fan-out; floor: the raw group_send."""
    ws = base.replace("http://", "ws://", 1)
    params = {"namespaces": namespace_name(0), "window": "5m"}
    subscribe = {"type": "subscribe", "topic": "graph", "params": params}
    (commits, data), ours = _run(f"{ws}/ws/v1/live?token={token}", base, size.ws_clients,
                                 subscribe, lambda c: _meshwatch_deltas(size, c))  # fmt: skip
    sends, raw = _run(f"{ws}/ws/bench/raw", base, size.ws_clients, None,
                      lambda c: _raw_sends(size, c, data))  # fmt: skip
    mine, floor = _latencies(commits, ours), _latencies(sends, raw)
    nbytes = len(json.dumps(data))
    return [Figure(
        f"delta commit → {size.ws_clients} websockets {q}", "ms", mine[q].median,
        floor[q].median, target, min=mine[q].min, max=mine[q].max,
        notes=f"view of one namespace, delta {nbytes / 1e3:.0f} kB; floor: raw group_send, "
        "same message, forwarding consumer",
    ) for q, target in (("p50", None), ("p99", 1.5))]  # fmt: skip
