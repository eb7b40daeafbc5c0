"""The traffic totals appender."""

from __future__ import annotations

import pytest

from webapp.graph.appenders import traffic_totals

from .helpers import context, peer, sample, traffic_map


def test_rates_in_and_out_and_error_share_in() -> None:
    ctx = context()
    samples = [
        sample(peer("a/web"), peer("a/api"), requests=300, errors_5xx=30),  # 3 rps
        sample(peer("a/cron"), peer("a/api"), requests=100, errors_4xx=10),  # 1 rps
        sample(peer("a/api"), peer("a/db"), requests=50, interval_s=50),  # 1 rps
    ]
    result = traffic_map(samples, ctx)
    traffic_totals.apply(result, ctx)
    api = result.nodes["workload:a/api"].traffic
    assert (api.rps_in, api.rps_out) == (4.0, 1.0)
    assert api.error_ratio_in == pytest.approx(40 / 400)
    web = result.nodes["workload:a/web"].traffic
    assert (web.rps_in, web.rps_out, web.error_ratio_in) == (0.0, 3.0, 0.0)
