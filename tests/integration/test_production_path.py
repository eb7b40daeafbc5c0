"""The production path end to end: Daphne configured by the environment alone, PostgreSQL,
the Redis channel layer, `collect --once` in another process, and a real websocket client.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from webapp.accounts.tokens import issue_token

REPO = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/12"

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_env() -> dict[str, str]:
    if connection.vendor != "postgresql":
        pytest.fail("this test needs DATABASE_URL to name PostgreSQL (make test does)")
    redis.Redis.from_url(REDIS).flushdb()
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=REDIS,
        MESHWATCH_AUTH="login",
        MESHWATCH_SECRET_KEY="test-only-secret-key-for-the-production-path-test",
        DJANGO_SETTINGS_MODULE="webapp.settings",
    )
    return env


@pytest.fixture
def daphne(production_env):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "webapp.asgi:application",
        ],
        cwd=REPO,
        env=production_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"daphne exited: {proc.stdout.read()}")
            time.sleep(0.3)
    yield port
    proc.terminate()
    try:
        proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _collect(env: dict[str, str], at: float) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collect", "--once", "--at", str(int(at))],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _receive(ws, kind: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} within {timeout}s")


def test_a_cycle_in_another_process_reaches_a_websocket_client(production_env, daphne, alice, t0):
    _, token = issue_token(alice)
    _collect(production_env, t0.timestamp())
    url = f"ws://127.0.0.1:{daphne}/ws/v1/live?token={token}"
    with connect(url, origin=f"http://127.0.0.1:{daphne}", open_timeout=10) as ws:
        ws.send(
            json.dumps(
                {
                    "type": "subscribe",
                    "topic": "graph",
                    "params": {"namespaces": "bookinfo", "window": "1m"},
                }
            )
        )
        snapshot = _receive(ws, "snapshot")
        assert any(n["id"] == "workload:bookinfo/productpage-v1" for n in snapshot["data"]["nodes"])
        _collect(production_env, (t0 + timedelta(seconds=15)).timestamp())
        delta = _receive(ws, "delta")
        assert delta["seq"] == snapshot["seq"] + 1
        assert delta["data"]["upsert"]["edges"], "the new cycle changed no edge"


def test_rest_answers_with_a_token_and_refuses_without(production_env, daphne, alice, t0):
    _, token = issue_token(alice)
    _collect(production_env, t0.timestamp())
    request = urllib.request.Request(
        f"http://127.0.0.1:{daphne}/api/v1/graph?namespaces=bookinfo&window=1m&at={int(t0.timestamp())}",
        headers={"Authorization": f"Bearer {token}"},
    )
    body = json.load(urllib.request.urlopen(request, timeout=10))
    assert any(edge["rps"] > 0 for edge in body["edges"])
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{daphne}/api/v1/graph", timeout=10)
    assert refused.value.code == 401


def test_an_unauthenticated_socket_is_refused(daphne):
    with pytest.raises(InvalidStatus) as refused:
        connect(
            f"ws://127.0.0.1:{daphne}/ws/v1/live",
            origin=f"http://127.0.0.1:{daphne}",
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403
