"""The processes the harness starts: Prometheus over a backfilled TSDB, and Daphne.

Every process is started through `Servers`, which stops all of them (terminate, then kill)
however the run ends; nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
REPO = Path(__file__).resolve().parent.parent
PROMETHEUS_CONFIG = "global:\n  scrape_interval: 15s\nscrape_configs: []\n"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Poll `url` until it answers 200; fail with the log's tail if the process dies first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{process.args!r} exited: {log.read_text(errors='replace')[-2000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout_s:.0f}s: {log.read_text()[-2000:]}")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MiB, read from /proc: psutil is not needed."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def backfill(openmetrics: Path, tsdb: Path) -> None:
    """A TSDB directory made by promtool from an OpenMetrics file."""
    subprocess.run(
        [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(tsdb)],
        check=True, capture_output=True, timeout=3600,
    )  # fmt: skip


class Servers:
    """Starts processes and stops every one of them on exit (a context manager)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []

    def spawn(
        self,
        name: str,
        args: list[str],
        env: dict[str, str] | None = None,
    ) -> tuple[subprocess.Popen[bytes], Path]:
        """Start `args` with output to <workdir>/<name>.log."""
        log = self.workdir / f"{name}.log"
        if env is not None:  # this checkout's code, whatever the venv's editable install says
            env = {**env, "PYTHONPATH": str(REPO)}
        with log.open("wb") as out:
            process = subprocess.Popen(
                args,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=env,
                start_new_session=True,
            )
        self.processes.append(process)
        return process, log

    def prometheus(self, tsdb: Path) -> str:
        """Prometheus over `tsdb` on a free port; returns its URL once ready."""
        port = free_port()
        config = self.workdir / "prometheus.yml"
        config.write_text(PROMETHEUS_CONFIG)
        process, log = self.spawn("prometheus", [
            PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
            f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y",
            "--query.max-samples=200000000",
        ])  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        wait_ready(f"{url}/-/ready", process, log, 120)
        return url

    def daphne(self, env: dict[str, str]) -> tuple[str, int]:
        """Daphne serving the bench settings (webapp plus the floor views); (URL, pid)."""
        port = free_port()
        env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.server.settings",
               "PYTHONUNBUFFERED": "1"}  # fmt: skip
        daphne = str(Path(sys.executable).with_name("daphne"))
        process, log = self.spawn(
            "daphne",
            [daphne, "-b", "127.0.0.1", "-p", str(port), "bench.server.asgi:application"],
            env,
        )
        url = f"http://127.0.0.1:{port}"
        wait_ready(f"{url}/healthz", process, log, 60)
        return url, process.pid

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """Terminate `process`, killing it after 10 s."""
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def __enter__(self) -> Servers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for process in reversed(self.processes):
            self.stop(process)
