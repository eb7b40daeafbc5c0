"""Real meshwatch processes for the deploy tests: a database of their own, Celery workers,
Daphne, `manage.py` runs, and a loopback webhook receiver that can hang.

The processes share PostgreSQL database `mwdeploy2` (created and migrated once per session,
emptied before each test) and Redis db 9; the test reads the database with psycopg, as an
operator would, rather than through the test session's own database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

REPO = Path(__file__).resolve().parents[2]
SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "mwdeploy2"
BROKER = "redis://127.0.0.1:6379/9"
# Emptied before each test; the rest (users, migrations) stays.
TABLES = "traffic_cycle, alerts_delivery, alerts_receiver, live_topicstate"


def sql(query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of one query against the processes' database."""
    with psycopg.connect(f"{SERVER}/{DATABASE}", connect_timeout=5) as conn:
        cursor = conn.execute(query, params or None)
        return list(cursor.fetchall()) if cursor.description else []


@pytest.fixture(scope="session")
def migrated_db() -> dict[str, str]:
    """A fresh `mwdeploy2`, migrated once, and the environment every process gets."""
    try:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "REDIS_URL": BROKER,
        "MESHWATCH_SECRET_KEY": "test-only-deploy-processes",
        "MESHWATCH_LOG_FORMAT": "json",
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
    }
    manage(env, "migrate", "--noinput")
    return env


@pytest.fixture
def mw_env(migrated_db: dict[str, str]) -> dict[str, str]:
    """The environment, over an emptied database and an empty Redis db 9."""
    sql(f"TRUNCATE {TABLES} CASCADE")
    redis.Redis.from_url(BROKER).flushdb()
    return dict(migrated_db)


def manage(env: dict[str, str], *args: str) -> str:
    """Run `manage.py ARGS` to the end; its standard output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    if done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@dataclass
class Proc:
    """A started process and the file its output goes to."""

    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 60.0) -> None:
        if not wait_for(lambda: text in self.output(), timeout):
            raise AssertionError(f"no {text!r} in {self.log}:\n{self.output()[-3000:]}")

    def terminate_and_wait(self, timeout: float = 30.0) -> int:
        """SIGTERM, as Kubernetes and compose send it; the exit status."""
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=timeout)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """`processes(env, argv, name)` starts one; whatever still runs is killed after the test."""
    started: list[Proc] = []

    def start(env: dict[str, str], argv: list[str], name: str) -> Proc:
        log = tmp_path / f"{name}.log"
        popen = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log.open("wb"),
                                 stderr=subprocess.STDOUT)  # fmt: skip
        started.append(Proc(popen, log))
        return started[-1]

    yield start
    for proc in started:
        if proc.popen.poll() is None:
            proc.popen.kill()
            proc.popen.wait(timeout=10)


def worker_argv(name: str, module: str = "celery") -> list[str]:
    """A solo-pool worker (one task at a time, in the main process, as the tests need)."""
    prefix = [sys.executable, "-m", module] + (["-A", "webapp"] if module == "celery" else [])
    return [*prefix, "worker", "--pool=solo", "-n", f"{name}@deploy", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "-l", "info"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_daphne(start: Callable[..., Proc], env: dict[str, str], name: str) -> tuple[Proc, int]:
    """A Daphne web process as the image's entrypoint starts it, once /healthz answers."""
    port = free_port()
    proc = start(env, [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                       "webapp.asgi:application"], name)  # fmt: skip

    def healthy() -> bool:
        if proc.popen.poll() is not None:
            raise AssertionError(f"daphne exited:\n{proc.output()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return True
        except OSError:
            return False

    assert wait_for(healthy, 60), "daphne never answered /healthz"
    return proc, port


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, step: float = 0.2) -> bool:
    """Poll `predicate` until it holds or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@dataclass
class Request:
    """One request a receiver got: when, and its idempotency key."""

    at: float
    key: str


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: answers per `plan` (ok, fail, hang), then ok."""

    plan: list[str]
    hang_s: float = 10.0
    requests: list[Request] = field(default_factory=list)
    hanging: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    """`receiver(plan, hang_s)` starts one; all stop after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(plan: list[str], hang_s: float = 10.0) -> Receiver:
        state = Receiver(list(plan), hang_s)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                key = self.headers.get("X-Meshwatch-Delivery", "")
                state.requests.append(Request(time.time(), key))
                mode = state.plan.pop(0) if state.plan else "ok"
                if mode == "hang":
                    state.hanging.set()
                    time.sleep(state.hang_s)
                code = 500 if mode == "fail" else 200
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        state.server = server
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
