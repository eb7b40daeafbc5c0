"""A real Prometheus for tests: backfill a TSDB with promtool, serve it on a free loopback port.

    with PrometheusServer.backfilled(series.openmetrics(), tmp_dir) as server:
        client = PrometheusClient(server.url)

The process is always terminated on exit. Backfilled data is old, so retention is set to
100 years, and tests must query at an explicit time inside the data (see openmetrics.QUERY_AT).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

import pytest

PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
CONFIG = "global:\n  scrape_interval: 15s\nscrape_configs: []\n"


def require_binaries() -> None:
    """Skip (with the reason) where Debian's prometheus package is not installed."""
    for binary in (PROMETHEUS, PROMTOOL):
        if not Path(binary).exists():
            pytest.skip(f"{binary} is missing: install Debian's prometheus package")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def backfill(openmetrics: str, workdir: Path) -> Path:
    """A TSDB directory holding the samples of `openmetrics`."""
    source = workdir / "series.om"
    source.write_text(openmetrics)
    tsdb = workdir / "tsdb"
    subprocess.run(
        [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(source), str(tsdb)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return tsdb


class PrometheusServer:
    """One Prometheus process over a TSDB directory."""

    def __init__(self, tsdb: Path, workdir: Path) -> None:
        self.tsdb = tsdb
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def backfilled(cls, openmetrics: str, workdir: Path) -> PrometheusServer:
        """A server (not started yet) over a fresh TSDB made from `openmetrics`."""
        require_binaries()
        return cls(backfill(openmetrics, workdir), workdir)

    def copy(self, workdir: Path) -> PrometheusServer:
        """A second server over a copy of this TSDB (a TSDB directory admits one process)."""
        tsdb = workdir / "tsdb"
        shutil.copytree(
            self.tsdb, tsdb, ignore=shutil.ignore_patterns("lock", "wal", "chunks_head")
        )
        return PrometheusServer(tsdb, workdir)

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the process and wait until /-/ready answers 200."""
        config = self.workdir / "prometheus.yml"
        config.write_text(CONFIG)
        log = (self.workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.tsdb}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--storage.tsdb.retention.time=100y",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout_s)

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"prometheus not ready after {timeout_s}s: {self.log_tail()}")

    def log_tail(self, chars: int = 2000) -> str:
        """The end of the server's log, for failure messages."""
        path = self.workdir / "prometheus.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        """Terminate the process (kill it if it does not exit within 10 s)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> PrometheusServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def scrape_config(targets: list[str], interval_s: float = 1.0) -> str:
    """A configuration scraping `targets` (host:port) every `interval_s`, honouring their labels.

    `honor_labels`: the simulator exporter's Linkerd series carry their own `namespace` label,
    which Prometheus must keep rather than rename to `exported_namespace`.
    """
    interval = f"{int(interval_s * 1000)}ms"
    quoted = ", ".join(f'"{t}"' for t in targets)
    return (
        f"global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\n"
        "scrape_configs:\n"
        f"  - job_name: simulator\n    honor_labels: true\n    scrape_interval: {interval}\n"
        f"    scrape_timeout: {interval}\n    static_configs:\n      - targets: [{quoted}]\n"
    )


class ScrapingPrometheusServer(PrometheusServer):
    """A Prometheus over an empty TSDB that scrapes live targets (not a backfilled one)."""

    def __init__(self, workdir: Path, config: str) -> None:
        require_binaries()
        super().__init__(workdir / "tsdb", workdir)
        self.config = config

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the process with the scrape configuration and wait until it is ready."""
        config = self.workdir / "prometheus.yml"
        config.write_text(self.config)
        log = (self.workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.tsdb}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout_s)
