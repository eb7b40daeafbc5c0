"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright, the built
frontend bundle, and the real demo server in a subprocess.

Screenshots and traces go to $MESHWATCH_TEST_OUTPUT (default: test-output/ at the repo root).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP_JS = REPO / "webapp" / "ui" / "static" / "ui" / "dist" / "app.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 120.0
# The environment of the demo server the session started (empty with an external one), so a
# test can run `manage.py` against the same database (say, to add a user or a rule).
DEMO_ENV: dict[str, str] = {}


@pytest.fixture(scope="session")
def e2e_output() -> Path:
    """Where screenshots land; printed so a human can find them after the run."""
    out = Path(os.environ.get("MESHWATCH_TEST_OUTPUT") or REPO / "test-output")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def built_bundle() -> Path:
    """The bundle the pages load; the tests test what `npm run build` produced, not sources."""
    rebuild = "run `cd frontend && npm ci && npm run build` first"
    if not APP_JS.exists():
        pytest.fail(f"{APP_JS} is missing: {rebuild}")
    newest = max(p.stat().st_mtime for p in (REPO / "frontend" / "src").rglob("*.ts"))
    if newest > APP_JS.stat().st_mtime:
        pytest.fail(f"{APP_JS} is older than frontend/src: {rebuild}")
    return APP_JS


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, built_bundle):
    """A fresh page that records console errors and uncaught exceptions on `page.mw_errors`."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"console.{msg.type}: {msg.text}")
        if msg.type == "error"
        else None,
    )
    # The console's 404 message omits the URL; record it so a failure names what is missing.
    page.on(
        "response",
        lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.mw_errors = errors  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"demo server exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(
        f"demo server did not answer {url} within {SERVER_START_TIMEOUT_S:.0f}s:\n"
        f"{log_path.read_text()}"
    )


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[str]:
    """`manage.py demo` on a free loopback port, on its own SQLite file; yields its base URL.

    A 3 s cycle keeps the test short; 10 minutes of backfill keep start-up quick while still
    giving the graph history. One server for the whole session (each start costs the
    backfill); the tests only read, except the alerts test, which adds rules of its own.
    The server always stops, whatever the test did.
    MESHWATCH_E2E_BASE_URL=http://127.0.0.1:8000 runs the tests against a demo already running.
    """
    if os.environ.get("MESHWATCH_E2E_BASE_URL"):
        yield os.environ["MESHWATCH_E2E_BASE_URL"].rstrip("/")
        return
    workdir = tmp_path_factory.mktemp("demo")
    log_path = workdir / "server.log"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "MESHWATCH_INTERVAL": "3s",
        "MESHWATCH_BACKFILL": "10m",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)  # the demo is the in-memory layer by definition
    DEMO_ENV.clear()
    DEMO_ENV.update(env)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "demo", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(f"{base}/healthz", proc, log_path)
        _wait_streaming(base, proc, log_path)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        print(f"\ndemo server log: {log_path}")


def _wait_streaming(base: str, proc: subprocess.Popen, log_path: Path) -> None:
    """Wait until the demo streams a live delta, so no test's page meets a busy server.

    Healthy is not enough: right after start-up the demo's one sync thread catches up cycles,
    and a browser's socket handshake can time out meanwhile (logged as a console error, or a
    snapshot that comes late). A real websocket client that has received a delta proves the
    server is past that.
    """
    from websockets.sync.client import connect

    url = base.replace("http://", "ws://") + "/ws/v1/live"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the demo exited with {proc.returncode}; see {log_path}")
        try:
            with connect(url, origin=base, open_timeout=10) as socket:
                socket.send(json.dumps({"type": "subscribe", "topic": "graph", "params": {}}))
                while time.monotonic() < deadline:
                    if json.loads(socket.recv(timeout=30)).get("type") == "delta":
                        return
        except (OSError, TimeoutError, ValueError) as exc:  # a dropped handshake: try again
            print(f"demo not streaming yet: {exc!r}")
            time.sleep(1.0)
    pytest.fail(f"the demo sent no live delta within {SERVER_START_TIMEOUT_S:.0f}s; see {log_path}")


@pytest.fixture
def demo_manage(demo_server):
    """Runs `manage.py ARGS…` on the demo's own database; skips with an external demo."""
    if not DEMO_ENV:
        pytest.skip("the demo runs elsewhere (MESHWATCH_E2E_BASE_URL): no access to its database")

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=DEMO_ENV,
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    return run
