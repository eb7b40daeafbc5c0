"""The simulator exporter: counters that integrate the simulator, and a real Prometheus reading
them back through the same collectors production uses.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.mesh import MeshTelemetrySource
from collectors.records import EdgeSample
from collectors.simulator import Simulator
from collectors.simulator.exporter import (
    BUCKET_S,
    CumulativeSeries,
    metrics,
    registry,
)
from tests.support.prometheus import ScrapingPrometheusServer, free_port, scrape_config

REPO = Path(__file__).resolve().parents[2]
SEED = 7
EPOCH = 1_700_000_100.0  # on the 15 s grid (divisible by 15)
EdgeId = tuple[object, object, str]


def _edge_id(edge: EdgeSample) -> EdgeId:
    return (edge.source, edge.destination, edge.protocol)


def _by_edge(edges: Iterable[EdgeSample]) -> dict[EdgeId, EdgeSample]:
    return {_edge_id(e): e for e in edges}


def test_epoch_is_aligned_to_the_simulators_cycle_grid():
    assert CumulativeSeries(SEED, EPOCH + 7.0).epoch == EPOCH


def test_a_bucket_increase_is_the_simulators_own_cycle():
    series = CumulativeSeries(SEED, EPOCH)
    index = 3
    end = EPOCH + (index + 1) * BUCKET_S
    before, after = series.at(end - BUCKET_S), series.at(end)
    cycle = Simulator(SEED).records_at(datetime.fromtimestamp(end, UTC), BUCKET_S)
    web = next(e for e in cycle.edges if e.destination.workload == "voting")
    key = next(k for k in after if k[0] == "request_total" and ("dst_deployment", "voting") in k[1])
    assert after[key] - before.get(key, 0.0) == pytest.approx(web.requests)
    productpage = next(e for e in cycle.edges if e.destination.workload == "productpage-v1")
    total = sum(
        after[k] - before.get(k, 0.0)
        for k in after
        if k[0] == "istio_requests_total"
        and ("destination_workload", "productpage-v1") in k[1]
        and ("reporter", "destination") in k[1]
    )
    assert total == pytest.approx(productpage.requests)


def test_counters_only_grow_and_do_not_depend_on_when_they_were_read():
    walked = CumulativeSeries(SEED, EPOCH)
    previous: dict = {}
    for step in range(0, 200, 7):  # crosses bucket boundaries at odd offsets
        values = walked.at(EPOCH + step)
        for key, value in previous.items():
            assert values[key] >= value - 1e-9, key
        previous = values
    fresh = CumulativeSeries(SEED, EPOCH).at(EPOCH + 196)
    assert fresh == pytest.approx(walked.at(EPOCH + 196))
    # Asking for an earlier time after a later one gives the same answer as a fresh series.
    assert walked.at(EPOCH + 50) == pytest.approx(CumulativeSeries(SEED, EPOCH).at(EPOCH + 50))


def test_nothing_before_the_epoch():
    assert CumulativeSeries(SEED, EPOCH).at(EPOCH - 1) == {}


def test_the_exposition_has_one_type_per_family_and_cumulative_buckets():
    from prometheus_client import generate_latest

    live = CumulativeSeries(SEED, time.time() - 30)  # the registry reads the current time
    text = generate_latest(registry(live)).decode()
    assert "# TYPE istio_requests_total counter" in text
    assert "# TYPE response_latency_ms histogram" in text
    values = CumulativeSeries(SEED, EPOCH).at(EPOCH + 100)
    families = {m.name: m for m in metrics(values)}
    assert families["istio_requests"].type == "counter"
    assert families["response_latency_ms"].type == "histogram"
    buckets = [
        s for s in families["istio_request_duration_milliseconds"].samples
        if s.name.endswith("_bucket")
        and s.labels["destination_workload"] == "details-v1"
        and s.labels["reporter"] == "destination"
    ]  # fmt: skip
    ordered = sorted(buckets, key=lambda s: float(s.labels["le"]))
    counts = [s.value for s in ordered]
    assert counts == sorted(counts) and ordered[-1].labels["le"] == "+Inf"


# --- end to end: the exporter, a real Prometheus scraping it every second, the collectors ----


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=2) as answer:
        return answer.read().decode()


@pytest.fixture
def exporter():
    """`manage.py simulator_exporter` on a free loopback port, its epoch a minute ago."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "simulator_exporter", "--port", str(port),
         "--seed", str(SEED), "--epoch", str(int(time.time()) - 60)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(f"http://127.0.0.1:{port}/metrics")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the exporter did not start: {proc.communicate()[0]}")
            time.sleep(0.2)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.communicate(timeout=20)


def _wait_for_scrapes(url: str, seconds: float, timeout_s: float = 60.0) -> None:
    """Until Prometheus holds `seconds` of 1 s scrapes: a full rate() range, no extrapolation.

    Prometheus takes a few seconds after start-up before its first scrape, so a fixed sleep
    would leave the range's start uncovered and rate() would come out low.
    """
    query = urllib.parse.urlencode({"query": f"count_over_time(up[{int(seconds) + 1}s])"})
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = json.loads(_get(f"{url}/api/v1/query?{query}"))["data"]["result"]
        if result and float(result[0]["value"][1]) >= seconds + 1:
            return
        time.sleep(0.5)
    pytest.fail(f"Prometheus did not scrape the exporter for {seconds}s within {timeout_s}s")


def _expected(at: float) -> dict[EdgeId, dict[str, float]]:
    """Per-second rates over (at - 15, at] from the simulator's own cycles, prorated."""
    sim = Simulator(SEED)
    first_end = math.ceil(at / BUCKET_S) * BUCKET_S  # the bucket holding `at` ends here
    rates: dict[EdgeId, dict[str, float]] = {}
    for end in (first_end - BUCKET_S, first_end):
        overlap = max(0.0, min(at, end) - max(at - BUCKET_S, end - BUCKET_S)) / BUCKET_S
        for edge in sim.records_at(datetime.fromtimestamp(end, UTC), BUCKET_S).edges:
            into = rates.setdefault(_edge_id(edge), {})
            for name in ("requests", "errors_5xx", "errors_grpc", "bytes_sent", "bytes_received"):
                into[name] = into.get(name, 0.0) + getattr(edge, name) * overlap / BUCKET_S
    return rates


@pytest.mark.timeout(120)
def test_prometheus_scraping_the_exporter_gives_back_the_simulators_rates(exporter, tmp_path):
    with ScrapingPrometheusServer(tmp_path, scrape_config([exporter], 1.0)) as prometheus:
        _wait_for_scrapes(prometheus.url, BUCKET_S + 1)
        at = time.time() - 0.5
        source = MeshTelemetrySource(prometheus.url, min_range_s=int(BUCKET_S))
        records = source.fetch(datetime.fromtimestamp(at, UTC), BUCKET_S)
    assert not records.gaps, records.gaps
    found = _by_edge(records.edges)
    expected = _expected(at)
    assert set(found) == set(expected)
    meshes = {e.mesh for e in records.edges}
    assert meshes == {"istio", "linkerd"}
    for edge_id, want in expected.items():
        got = found[edge_id]
        for name in ("requests", "bytes_sent", "bytes_received"):
            rate = getattr(got, name) / BUCKET_S
            assert rate == pytest.approx(want[name], rel=0.10), (edge_id, name)
        if got.requests:
            share_5xx = got.errors_5xx / got.requests
            assert share_5xx == pytest.approx(want["errors_5xx"] / want["requests"], abs=0.03)
            share_grpc = got.errors_grpc / got.requests
            assert share_grpc == pytest.approx(want["errors_grpc"] / want["requests"], abs=0.03)
    # mTLS as the server's proxy saw it: full on meshed edges, none from the plaintext clients.
    by_name = {(e.source.workload, e.destination.workload): e for e in records.edges}
    assert by_name[("productpage-v1", "details-v1")].mtls_requests == pytest.approx(
        by_name[("productpage-v1", "details-v1")].requests
    )
    assert by_name[("unknown", "orders")].mtls_requests == 0.0
    assert by_name[("web", "voting")].mtls_requests == pytest.approx(
        by_name[("web", "voting")].requests
    )
    # The orphan Service is reported by the client's proxy only, whose policy is unknown.
    assert by_name[("storefront", "unknown")].mtls_requests is None
