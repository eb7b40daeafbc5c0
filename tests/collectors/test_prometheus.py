"""The Prometheus client: parsing, and failures over real sockets (slow, refusing, 5xx, 4xx)."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from collectors.prometheus import (
    PrometheusClient,
    PrometheusError,
    abbreviate,
    parse_names,
    parse_vector,
    split_finite,
)

AT = datetime(2023, 11, 14, 22, 33, 20, tzinfo=UTC)
OK = {"status": "success", "data": {"resultType": "vector", "result": [
    {"metric": {"a": "1"}, "value": [1700000000, "2.5"]}]}}  # fmt: skip


def test_it_parses_an_instant_vector():
    result = [
        {"metric": {"job": "x"}, "value": [1700000000, "1.5"]},
        {"metric": {}, "value": [1700000000, "NaN"]},
        {"metric": {"b": "2"}, "value": [1700000000, "+Inf"]},
    ]
    samples = parse_vector(result)
    assert samples[0].labels == {"job": "x"} and samples[0].value == 1.5
    assert math.isnan(samples[1].value) and math.isinf(samples[2].value)
    kept, dropped = split_finite(samples)
    assert (len(kept), dropped) == (1, 2)


def test_it_refuses_a_malformed_element():
    with pytest.raises(ValueError, match="instant-vector"):
        parse_vector([{"metric": {}, "values": []}])


def test_it_parses_names_and_abbreviates_queries():
    assert parse_names(["a", "b", "a"]) == frozenset({"a", "b"})
    assert abbreviate("sum by (x)\n  (rate(y[1m]))") == "sum by (x) (rate(y[1m]))"
    assert len(abbreviate("x" * 500)) == 120


class Scripted(BaseHTTPRequestHandler):
    """Answers from a script of (status, body) pairs; remembers how often it was asked."""

    script: list[tuple[int, dict]] = []
    calls: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.calls.append(self.path)
        status, body = self.script[min(len(self.calls) - 1, len(self.script) - 1)]
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[Scripted]]]:
    handler = type("Handler", (Scripted,), {"script": [], "calls": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def client(url: str, **kwargs) -> PrometheusClient:
    return PrometheusClient(url, backoff_s=0.001, **kwargs)


def test_it_queries_at_the_given_time(scripted):
    url, handler = scripted
    handler.script = [(200, OK)]
    assert client(url).query("up", AT)[0].value == 2.5
    assert "time=1700001200.000" in handler.calls[0]


def test_it_retries_a_5xx_then_succeeds(scripted):
    url, handler = scripted
    handler.script = [(503, {"status": "error"}), (503, {"status": "error"}), (200, OK)]
    assert len(client(url, retries=2).query("up", AT)) == 1
    assert len(handler.calls) == 3


def test_it_gives_up_after_the_retries(scripted):
    url, handler = scripted
    handler.script = [(502, {"status": "error"})]
    with pytest.raises(PrometheusError, match="502") as failure:
        client(url, retries=2).query("up", AT)
    assert failure.value.status == 502 and len(handler.calls) == 3


def test_it_does_not_retry_a_bad_query(scripted):
    url, handler = scripted
    handler.script = [(400, {"status": "error", "error": "parse error"})]
    with pytest.raises(PrometheusError, match=r"'sum\(' failed: .*400") as failure:
        client(url, retries=3).query("sum(", AT)
    assert failure.value.status == 400 and len(handler.calls) == 1


def test_it_names_the_cause_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(PrometheusError, match="cannot connect.*refused"):
            client(f"http://127.0.0.1:{port}", retries=1).query("up", AT)


def test_a_slow_prometheus_times_out():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # accepts (the kernel does) and never answers
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(PrometheusError, match=r"'up' failed: timed out after 0.3s"):
            client(f"http://127.0.0.1:{port}", timeout_s=0.3, retries=3).query("up", AT)
        assert time.monotonic() - started < 2  # a timeout is not retried


def test_it_lists_metric_names(scripted):
    url, handler = scripted
    handler.script = [(200, {"status": "success", "data": ["up", "istio_requests_total"]})]
    assert client(url).metric_names(end=AT) == {"up", "istio_requests_total"}
    assert "/api/v1/label/__name__/values" in handler.calls[0]
