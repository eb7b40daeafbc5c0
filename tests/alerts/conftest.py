"""Fixtures for alerting: real HTTP receivers on loopback, a scripted fault, fast retries.

The receivers are real servers on 127.0.0.1 (the only address the tests allow through the
SSRF guard): one answers 200, one fails three times then answers, one hangs past the
timeout, one closes the connection without answering. Each records what it was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from collectors.records import CycleRecords, EdgeSample, Inventory, NamespaceRecord, Peer

SECRET = "s3cret-for-tests-0123456789"
INTERVAL = timedelta(seconds=15)


@dataclass
class Received:
    """One request a receiver got."""

    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Behaviour:
    """How a receiver answers: `plan` is consumed per request; then `default`."""

    plan: list[str] = field(default_factory=list)
    default: str = "ok"  # ok, fail, hang or close
    hang_s: float = 3.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(Received(dict(self.headers.items()), body))
        plan = self.server.behaviour.plan
        mode = plan.pop(0) if plan else self.server.behaviour.default
        if mode == "close":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if mode == "hang":
            time.sleep(self.server.behaviour.hang_s)
        code = 500 if mode == "fail" else 200
        payload = b'{"ok": true}' if code == 200 else b"receiver is down"
        self.send_response(code)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    received: list[Received]
    behaviour: Behaviour


@dataclass
class Receiving:
    """A running receiver: its URL, what it got, and how it behaves."""

    server: _Server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def received(self) -> list[Received]:
        return self.server.received


@pytest.fixture
def serve() -> Iterator[Callable[..., Receiving]]:
    """`serve(Behaviour(...))` starts a receiver on 127.0.0.1; all stop after the test."""
    servers: list[_Server] = []

    def start(behaviour: Behaviour | None = None) -> Receiving:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.received, server.behaviour = [], behaviour or Behaviour()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return Receiving(server)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    """Loopback 127.0.0.1 only, a short timeout, and retries within milliseconds."""
    settings.MESHWATCH_WEBHOOK_ALLOW = ["127.0.0.1/32"]
    settings.MESHWATCH_WEBHOOK_TIMEOUT_S = 0.5
    settings.MESHWATCH_WEBHOOK_BACKOFF_S = 0.01
    settings.MESHWATCH_WEBHOOK_BACKOFF_MAX_S = 0.05
    settings.MESHWATCH_WEBHOOK_MAX_AGE_S = 3600.0
    settings.REDIS_URL = ""
    # The personas' passwords: a fast hasher keeps the API tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def edge(source: str, destination: str, requests: float = 150.0, errors_5xx: float = 0.0,
         namespace: str = "shop", mtls: float | None = None) -> EdgeSample:
    """An HTTP edge between two workloads of `namespace`, over one 15 s interval."""
    return EdgeSample(Peer(namespace, source, app=source),
                      Peer(namespace, destination, app=destination, service=destination),
                      "http", "istio", 15.0, requests=requests, errors_5xx=errors_5xx,
                      mtls_requests=requests if mtls is None else mtls)


@dataclass
class ScriptedSource:
    """A source whose next cycles say whatever the test sets in `edges` (the planted fault)."""

    edges: tuple[EdgeSample, ...]
    name: str = "scripted"

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        inventory = Inventory(namespaces=(NamespaceRecord("shop", mesh="istio"),))
        return CycleRecords(at, self.name, inventory,
                            tuple(replace(e, interval_s=interval_s) for e in self.edges))


HEALTHY = (edge("web", "api"), edge("api", "db"))
FAULTY = (edge("web", "api", errors_5xx=60.0), edge("api", "db"))


@pytest.fixture
def source() -> ScriptedSource:
    return ScriptedSource(HEALTHY)


@pytest.fixture
def cycles(t0, source) -> Callable[[int], datetime]:
    """`cycles(n)` stores the next n cycles from `source` (unpublished) and returns the last."""
    from collectors.pipeline import run_cycle

    state = {"next": t0}

    def run(n: int = 1) -> datetime:
        for _ in range(n):
            result = run_cycle(state["next"], source, publish=False, interval_s=15.0)
            assert result.status == "ok", result
            state["next"] += INTERVAL
        return state["next"] - INTERVAL

    return run


@pytest.fixture
def make_receiver(db):
    from webapp.alerts.models import Receiver

    def make(url: str, kind: str = "webhook", name: str | None = None) -> Receiver:
        return Receiver.objects.create(name=name or f"r{Receiver.objects.count()}", kind=kind,
                                       url=url, secret=SECRET)

    return make


@pytest.fixture
def make_rule(db):
    from webapp.alerts.models import AlertRule

    def make(receivers=(), **fields: Any) -> AlertRule:
        fields.setdefault("name", f"rule{AlertRule.objects.count()}")
        fields.setdefault("kind", "edge_error_ratio")
        fields.setdefault("threshold", 0.1)
        fields.setdefault("window_seconds", 60)
        rule = AlertRule.objects.create(**fields)
        rule.receivers.set(receivers)
        return rule

    return make


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `predicate` until it holds or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()
