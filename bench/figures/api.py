"""`GET /api/v1/graph` under 20 concurrent clients (wrk), against the same bytes precomputed.

Both endpoints are served by one Daphne, through one middleware stack (bench/server/urls.py):
the real one authenticates the token, reads the window's rows and builds the graph; the floor
returns the bytes the real one answered, kept in memory.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

from bench.sizes import Size
from bench.stats import Figure, Spread

CONNECTIONS = 20
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
_PERCENTILE = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")


def fetch_graph(url: str, token: str, path: Path) -> int:
    """Ask the real endpoint once; keep its exact bytes for the floor view. Returns the size."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=300) as answer:
        body = answer.read()
    path.write_bytes(body)
    return len(body)


def parse_wrk(output: str) -> dict[str, float]:
    """p50 and p99 latency (ms) and requests/s from `wrk --latency` output."""
    found = {f"p{q}": float(v) * _UNITS[u] for q, v, u in _PERCENTILE.findall(output)}
    rps = _RPS.search(output)
    if "p50" not in found or "p99" not in found or rps is None:
        raise RuntimeError(f"cannot read wrk output:\n{output[-1500:]}")
    return {**found, "rps": float(rps.group(1))}


def run_wrk(url: str, seconds: int, token: str | None) -> dict[str, float]:
    """One wrk run of `seconds` with CONNECTIONS connections."""
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "120s", "--latency"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    done = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 180)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr[-500:]}")
    if "Non-2xx" in done.stdout or "Socket errors" in done.stdout:
        raise RuntimeError(f"wrk saw errors:\n{done.stdout[-1500:]}")
    return parse_wrk(done.stdout)


def measure_api(size: Size, base: str, token: str, graph_path: Path, at: float) -> list[Figure]:
    """p50 and p99 of the real endpoint and of the floor: medians of interleaved wrk runs."""
    if shutil.which("wrk") is None:
        reason = "wrk is not installed (apt-get install wrk)"
        return [Figure("GET /api/v1/graph p99", "ms", skipped=reason, target=2.0)]
    real = f"{base}/api/v1/graph?window=5m&at={at}"
    nbytes = fetch_graph(real, token, graph_path)
    floor_url = f"{base}/api/v1/bench/graph-bytes"
    run_wrk(floor_url, 1, None)  # warm: the floor view reads its file on first use
    ours, floors = [], []
    for _ in range(size.runs):
        ours.append(run_wrk(real, size.wrk_seconds, token))
        floors.append(run_wrk(floor_url, size.wrk_seconds, None))
    figures = []
    for q, target in (("p50", None), ("p99", 2.0)):
        spread = Spread.of([r[q] for r in ours])
        floor = Spread.of([r[q] for r in floors])
        figures.append(Figure(
            f"GET /api/v1/graph {q}, {CONNECTIONS} concurrent", "ms", spread.median,
            floor.median, target, min=spread.min, max=spread.max,
            notes=f"{nbytes / 1e3:.0f} kB body; floor: same bytes precomputed, same server",
            detail={"requests_per_s": Spread.of([r["rps"] for r in ours]).median,
                    "floor_requests_per_s": Spread.of([r["rps"] for r in floors]).median},
        ))  # fmt: skip
    return figures
