"""Heatmap options and the pure builder: columns, union bounds, +Inf last, percentiles."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest

from collectors.records import Histogram
from webapp.graph.options import OptionsError
from webapp.traffic.heatmap import HeatmapOptions, build_heatmap, parse_node

T = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
ISTIO = Histogram((5.0, 10.0, 25.0, math.inf), (1.0, 2.0, 1.0, 0.0))
LINKERD = Histogram((4.0, 10.0, 20.0, math.inf), (2.0, 0.0, 0.0, 2.0))


def test_subjects_parse_every_way():
    edge = HeatmapOptions.from_params(
        {"edge": "workload:shop/web>service:shop/api|http", "window": "5m"}
    )
    assert edge.source.id == "workload:shop/web" and edge.target.id == "service:shop/api"
    assert HeatmapOptions.from_params({"workload": "shop/api"}).target.id == "workload:shop/api"
    assert HeatmapOptions.from_params({"service": "shop/api"}).target.kind == "service"
    app = HeatmapOptions.from_params({"source": "app:shop/web/v2"})
    assert (app.source.name, app.source.version, app.target) == ("web", "v2", None)
    assert HeatmapOptions.from_params({"target": "unknown"}).target.kind == "unknown"
    assert edge.namespaces == ("shop",)


@pytest.mark.parametrize(
    "params, word",
    [
        ({}, "subject"),
        ({"workload": "Shop/api"}, "node id"),
        ({"edge": "workload:a/b"}, "edge"),
        ({"workload": "a/<script>"}, "node id"),
        ({"workload": "a/b", "window": "forever"}, "window"),
        ({"workload": "a/b", "window": "1d", "step": "1s"}, "columns"),
        ({"source": "workload:a/b/v1"}, "version"),
    ],
)
def test_bad_requests_say_why(params, word):
    with pytest.raises(OptionsError, match=word):
        HeatmapOptions.from_params(params)


def test_columns_are_aligned_whole_cycles_oldest_first():
    options = HeatmapOptions.from_params({"workload": "a/b", "window": "1h"})
    columns = options.columns(T + timedelta(seconds=20), interval_s=15)
    assert len(columns) == 60
    assert all((end - start) == timedelta(minutes=1) for start, end in columns)
    assert columns[-1][1] == T + timedelta(minutes=1)  # aligned to the step, covers `end`
    assert columns[0][0] < columns[1][0]
    odd = HeatmapOptions.from_params({"workload": "a/b", "window": "5m", "step": "20s"})
    start, end = odd.columns(T, interval_s=15)[-1]
    assert (end - start) == timedelta(seconds=30)  # rounded up to whole 15 s cycles


def test_builder_unions_bounds_and_keeps_inf_last():
    options = HeatmapOptions.from_params({"workload": "a/b", "window": "3m"})
    columns = options.columns(T, 60)
    heatmap = build_heatmap(options, columns, [ISTIO, None, LINKERD], T)
    assert heatmap["bounds_ms"] == [4, 5, 10, 20, 25, "+Inf"]
    first, quiet, last = heatmap["columns"]
    assert first["counts"] == [0, 1, 2, 0, 1, 0] and first["total"] == 4
    assert quiet["counts"] == [0] * 6 and quiet["p50_ms"] is None
    assert last["counts"] == [2, 0, 0, 0, 0, 2]
    # p50 of ISTIO: rank 2 of 4 falls in (5, 10], halfway: 7.5 ms.
    assert first["p50_ms"] == pytest.approx(7.5)
    # p99 of LINKERD lands in +Inf: histogram_quantile answers the highest finite bound.
    assert last["p99_ms"] == 20
    json.dumps(heatmap, allow_nan=False)
    assert heatmap["subject"] == {"source": None, "target": "workload:a/b"}


def test_an_empty_window_is_well_formed():
    options = HeatmapOptions.from_params({"workload": "a/b", "window": "2m"})
    heatmap = build_heatmap(options, options.columns(T, 60), [None, None], T)
    assert heatmap["bounds_ms"] == [] and [c["counts"] for c in heatmap["columns"]] == [[], []]


def test_node_ids_round_trip():
    for text in ("workload:ns/w", "service:ns/s", "app:ns/a", "app:ns/a/v1", "unknown"):
        assert parse_node(text).id == text


def test_canonical_params_parse_back_to_the_same_options():
    options = HeatmapOptions.from_params(
        {"edge": "workload:a/b>workload:a/c|http", "window": "1h", "step": "2m", "at": "1793628000"}
    )
    assert HeatmapOptions.from_params(options.as_params()) == options
