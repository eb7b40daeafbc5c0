"""Peak RSS of the web process (the Daphne every HTTP and websocket figure ran against) and of
a real Celery worker running real collection cycles against the bench Prometheus.

Read from /proc/<pid>/status (VmHWM, the high-water mark), so psutil is not needed.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.mesh import FIRST_CYCLE, STEP_S
from bench.servers import Servers, peak_rss_mb
from bench.sizes import Size
from bench.stats import Figure

WORKER_TIMEOUT_S = 900
_OFFSET_S = 7  # off the 15 s grid: these cycles must not collide with the measured ones


def web_rss(pid: int, clients: int) -> Figure:
    """The web figure, read after the API and websocket figures have loaded the server."""
    return Figure(
        "peak RSS, web (daphne)",
        "MB",
        peak_rss_mb(pid),
        target=300,
        absolute=True,
        notes=f"after wrk at 20 concurrent and {clients} websockets (x2 runs)",
    )


def worker_rss(size: Size, servers: Servers, env: dict[str, str], prometheus: str) -> Figure:
    """Start `celery -A webapp worker --pool=solo`, have it run `size.repeats` cycles against
    Prometheus with the live view active, and read its peak RSS."""
    from webapp.celery import app
    from webapp.traffic.models import Cycle

    celery = str(Path(sys.executable).with_name("celery"))
    process, log = servers.spawn("celery", [
        celery, "-A", "webapp", "worker", "--pool=solo", "--without-heartbeat",
        "--without-gossip", "--without-mingle", "-l", "warning",
    ], {**env, "PROMETHEUS_URL": prometheus, "PYTHONUNBUFFERED": "1",
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"})  # fmt: skip
    times = [FIRST_CYCLE + STEP_S * i + _OFFSET_S for i in range(size.repeats)]
    for at in times:
        app.send_task("collectors.tasks.run_cycle", args=[at])
    wanted = [datetime.fromtimestamp(t, tz=UTC) for t in times]
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log.read_text()[-2000:]}")
        done = Cycle.objects.filter(at__in=wanted).exclude(status="running")
        if done.count() == len(wanted):
            break
        time.sleep(0.5)
    else:
        raise RuntimeError(f"celery worker did not finish its cycles: {log.read_text()[-2000:]}")
    failed = list(done.exclude(status="ok").values_list("error", flat=True))
    rss = peak_rss_mb(process.pid)
    servers.stop(process)
    if failed:
        raise RuntimeError(f"worker cycles failed: {failed[:2]}")
    return Figure(
        "peak RSS, worker (celery)",
        "MB",
        rss,
        target=300,
        absolute=True,
        notes=f"{size.repeats} real cycles of {size.edges} edges, publishing",
    )
