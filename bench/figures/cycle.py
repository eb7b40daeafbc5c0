"""The collection cycle against the same PromQL alone, and Prometheus load at 1/10/50 viewers.

Both read one real Prometheus over a TSDB backfilled with the synthetic mesh. A cycle is what
a worker runs (`pipeline.run_cycle`: queries, parse, store in one transaction) plus the graph
build a viewer's snapshot needs; its floor is the same queries sent with a bare HTTP session,
answers read and thrown away. Repeats interleave the two so noise hits both alike.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import requests

from bench.figures import kiali
from bench.mesh import cycle_time, namespace_name
from bench.sizes import Size
from bench.stats import Figure, Spread, timed
from collectors.mesh import MeshTelemetrySource
from collectors.records import CycleRecords

INTERVAL_S = 15.0
PER_MINUTE = 60 / INTERVAL_S  # cycles (and Kiali refreshes at the same refresh) per minute
KIALI_CONCURRENCY = 10  # viewers refreshing at once


@dataclass
class TimedSource:
    """The real source, with the time of each fetch (queries + parse) and its last records."""

    source: MeshTelemetrySource
    name: str = "prometheus"
    fetches: list[float] = field(default_factory=list)
    last: CycleRecords | None = None

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        seconds, records = timed(lambda: self.source.fetch(at, interval_s))
        self.fetches.append(seconds)
        self.last = records
        return records


def _get(session: requests.Session, url: str, params: dict[str, str]) -> None:
    """One GET, its whole answer read; a failed query must not pass for a fast one."""
    answer = session.get(url, params=params, timeout=120)
    answer.raise_for_status()
    len(answer.content)


def promql_alone(
    session: requests.Session, url: str, source: MeshTelemetrySource, at: datetime
) -> tuple[float, int]:
    """(seconds, queries) of the cycle's exact requests, bare: the label-names call, then each
    query at `at`; answers are read in full and not parsed."""
    started = time.perf_counter()
    window = {"start": f"{(at - timedelta(hours=1)).timestamp():.3f}",
              "end": f"{at.timestamp():.3f}"}  # fmt: skip
    _get(session, f"{url}/api/v1/label/__name__/values", window)
    planned = source.queries(at, INTERVAL_S)
    for _, query in planned:
        _get(
            session, f"{url}/api/v1/query", {"query": query.promql, "time": f"{at.timestamp():.3f}"}
        )
    return time.perf_counter() - started, len(planned) + 1  # + the label-names call


def measure_cycle(size: Size, url: str) -> tuple[list[Figure], TimedSource, Spread]:
    """The cycle figure; also the source (its last records feed the store figure) and the
    spread of the bare query set, which the viewers figures reuse."""
    from collectors.pipeline import run_cycle
    from webapp.graph.options import GraphOptions
    from webapp.graph.services import graph_snapshot

    timed_source = TimedSource(MeshTelemetrySource(url, dialect="auto", timeout_s=60,
                                                   max_edges=1_000_000))  # fmt: skip
    session = requests.Session()
    cycles, floors, stores, builds = [], [], [], []
    for i in range(size.repeats):
        at = cycle_time(i)
        floors.append(promql_alone(session, url, timed_source.source, at)[0])
        run_s, result = timed(partial(run_cycle, at, timed_source, publish=False,
                                      interval_s=INTERVAL_S))  # fmt: skip
        if result.status != "ok":
            raise RuntimeError(f"bench cycle {at} {result.status}: {result.error}")
        options = GraphOptions.from_params({"window": "5m", "at": str(at.timestamp())})
        build_s, graph = timed(partial(graph_snapshot, options))
        cycles.append(run_s + build_s)
        stores.append(run_s - timed_source.fetches[-1])
        builds.append(build_s)
    spread, floor = Spread.of(cycles), Spread.of(floors)
    ms = lambda values: round(Spread.of(values).median * 1000, 1)  # noqa: E731
    figure = Figure(
        "collection cycle", "ms", spread.median * 1000, floor.median * 1000, 1.5,
        min=spread.min * 1000, max=spread.max * 1000,
        notes=f"{result.edges} edges, {len(graph['nodes'])} nodes; p50 of {size.repeats}",
        detail={"fetch_ms (queries+parse)": ms(timed_source.fetches), "store_ms": ms(stores),
                "build_ms": ms(builds), "floor_min_ms": floor.min * 1000,
                "floor_max_ms": floor.max * 1000},
    )  # fmt: skip
    return [figure], timed_source, floor


def _refresh_seconds(url: str, queries: list[str], at: datetime) -> float:
    """Summed latency of one viewer's refresh, each query timed as Prometheus answers it."""
    session, total = requests.Session(), 0.0
    for query in queries:
        started = time.perf_counter()
        _get(session, f"{url}/api/v1/query", {"query": query, "time": f"{at.timestamp():.3f}"})
        total += time.perf_counter() - started
    return total


def kiali_seconds(url: str, size: Size, viewers: int, at: datetime) -> tuple[float, int, int]:
    """(query-seconds of one refresh of `viewers` viewers, queries per refresh, viewers run).

    Up to `size.kiali_budget` queries are sent for real, KIALI_CONCURRENCY viewers at a time;
    beyond that the measured viewers' mean is scaled to `viewers`.
    """
    queries = kiali.viewer_refresh([namespace_name(i) for i in range(size.namespaces)], 60)
    run = max(1, min(viewers, size.kiali_budget // len(queries)))
    with ThreadPoolExecutor(min(run, KIALI_CONCURRENCY)) as pool:
        spent = sum(pool.map(lambda _: _refresh_seconds(url, queries, at), range(run)))
    return spent * viewers / run, len(queries), run


def measure_viewers(
    size: Size,
    url: str,
    meshwatch: Spread,
    meshwatch_queries: int,
) -> list[Figure]:
    """Queries and query-seconds per minute at each viewer count: meshwatch vs Kiali's way."""
    figures = []
    at = cycle_time(size.repeats - 1)
    for viewers in size.kiali_viewers:
        seconds, per_viewer, run = kiali_seconds(url, size, viewers, at)
        note = f"{size.namespaces} namespaces; Kiali-way: {run} of {viewers} viewers sent for real"
        figures.append(Figure(
            f"Prometheus queries/min, {viewers} viewers", "queries/min",
            meshwatch_queries * PER_MINUTE, per_viewer * viewers * PER_MINUTE,
            notes=note + "; floor column = Kiali-way", verdict=True,
        ))  # fmt: skip
        figures.append(Figure(
            f"Prometheus seconds/min, {viewers} viewers", "s/min",
            meshwatch.median * PER_MINUTE, seconds * PER_MINUTE,
            min=meshwatch.min * PER_MINUTE, max=meshwatch.max * PER_MINUTE,
            notes=note + "; floor column = Kiali-way", verdict=True,
        ))  # fmt: skip
    # "Constant" is the claim: meshwatch's numbers do not depend on viewers by construction
    # (one cycle per interval); Kiali's must grow. Check the growth really was measured.
    kiali_load = [f.floor or 0 for f in figures if f.unit == "s/min"]
    grows = all(b > a for a, b in zip(kiali_load, kiali_load[1:], strict=False))
    for f in figures:
        f.verdict = grows
    return figures
