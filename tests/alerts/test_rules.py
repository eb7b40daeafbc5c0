"""Rule kinds on hand-built contexts: no database, injected values for data not stored yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from webapp.alerts.rules import KINDS
from webapp.alerts.rules.base import CycleHealth, RuleSpec, Scope
from webapp.alerts.rules.sources import DnsObservation, InsightFinding, StrictTarget


def node(ns: str, name: str, kind: str = "workload", **extra: Any) -> dict[str, Any]:
    return {"id": f"{kind}:{ns}/{name}", "kind": kind, "namespace": ns, "name": name,
            "app": name, "labels": extra.pop("labels", {}), **extra}


def link(src: dict, dst: dict, **numbers: Any) -> dict[str, Any]:
    values = {"rps": 10.0, "error_ratio": 0.0, "p95_ms": 10.0, "p99_ms": 20.0,
              "mtls_ratio": 1.0, "protocol": "http", "health": "healthy", **numbers}
    return {"id": f"{src['id']}>{dst['id']}", "source": src["id"], "target": dst["id"], **values}


WEB, API, DB = node("shop", "web"), node("shop", "api", labels={"tier": "backend"}), node(
    "data", "db")


@dataclass
class FakeContext:
    at: datetime
    graphs: dict[float, dict] = field(default_factory=dict)
    baseline: dict = field(default_factory=dict)
    health: CycleHealth | None = None
    dns_rows: tuple = ()
    findings: tuple = ()
    strict: tuple = ()

    def graph(self, window_s: float, end: datetime | None = None) -> dict:
        return self.baseline if end is not None and end != self.at else self.graphs[window_s]

    def cycle_health(self) -> CycleHealth:
        assert self.health is not None
        return self.health

    def dns(self, window_s: float) -> tuple:
        return self.dns_rows

    def insights(self) -> tuple:
        return self.findings

    def strict_mtls(self) -> tuple:
        return self.strict


def spec(kind: str, threshold: float, scope: Scope | None = None, **params: Any) -> RuleSpec:
    return RuleSpec(1, "r", kind, scope or Scope(), threshold, 60.0, params=params)


def graph(*edges: dict) -> dict:
    return {"nodes": [WEB, API, DB], "edges": list(edges)}


def test_edge_error_ratio_fires_above_the_threshold_only_in_scope(t0):
    ctx = FakeContext(t0, {60.0: graph(link(WEB, API, error_ratio=0.3),
                                       link(API, DB, error_ratio=0.5))})
    result = KINDS["edge_error_ratio"](spec("edge_error_ratio", 0.1, Scope(("shop",))), ctx)
    breached = {o.subject: o for o in result.observations if o.breached}
    # api → db leaves the namespace but starts in it: in scope.
    assert set(breached) == {"workload:shop/web>workload:shop/api",
                             "workload:shop/api>workload:data/db"}
    first = breached["workload:shop/web>workload:shop/api"]
    assert first.value == 0.3 and first.labels["destination_workload"] == "api"


def test_selectors_and_min_rps_narrow_the_edges(t0):
    ctx = FakeContext(t0, {60.0: graph(link(WEB, API, error_ratio=0.3),
                                       link(API, DB, error_ratio=0.5, rps=0.01))})
    scope = Scope(workload_selector={"tier": "backend"})
    result = KINDS["edge_error_ratio"](spec("edge_error_ratio", 0.1, scope, min_rps=0.1), ctx)
    assert [o.subject for o in result.observations] == ["workload:shop/web>workload:shop/api"]


def test_latency_kinds_read_p95_and_p99(t0):
    ctx = FakeContext(t0, {60.0: graph(link(WEB, API, p95_ms=80.0, p99_ms=400.0))})
    p99 = KINDS["edge_latency_p99"](spec("edge_latency_p99", 250), ctx).observations[0]
    p95 = KINDS["edge_latency_p95"](spec("edge_latency_p95", 250), ctx).observations[0]
    assert (p99.breached, p99.value) == (True, 400.0) and (p95.breached, p95.value) == (False, 80)


def test_request_rate_drop_compares_with_the_baseline(t0):
    ctx = FakeContext(t0, {60.0: graph(link(WEB, API, rps=2.0))},
                      baseline=graph(link(WEB, API, rps=10.0), link(API, DB, rps=5.0)))
    result = KINDS["request_rate_drop"](spec("request_rate_drop", 0.5), ctx)
    drops = {o.subject: o.value for o in result.observations}
    assert drops == {"workload:shop/web>workload:shop/api": 0.8,
                     "workload:shop/api>workload:data/db": 1.0}


def test_mtls_coverage_is_per_namespace_and_fires_below(t0):
    ctx = FakeContext(t0, {60.0: graph(link(WEB, API, rps=30.0, mtls_ratio=0.5),
                                       link(API, DB, mtls_ratio=None))})
    result = KINDS["mtls_coverage"](spec("mtls_coverage", 0.9), ctx)
    (shop,) = result.observations
    assert shop.subject == "namespace:shop" and shop.value == 0.5 and shop.breached
    assert shop.evidence["plaintext_edges"] == ["workload:shop/web>workload:shop/api"]


def test_plaintext_where_strict_needs_policy_data_and_uses_it_when_given(t0):
    ctx = FakeContext(t0, {60.0: graph(link(WEB, API, mtls_ratio=0.75))})
    result = KINDS["plaintext_where_strict"](spec("plaintext_where_strict", 0.0), ctx)
    assert result.observations == () and "needs mTLS policy data" in result.note
    ctx.strict = (StrictTarget("shop", policy="PeerAuthentication shop/default"),)
    (seen,) = KINDS["plaintext_where_strict"](spec("plaintext_where_strict", 0.0), ctx).observations
    assert seen.breached and seen.value == 0.25 and "PeerAuthentication" in seen.evidence["policy"]


def test_dns_kinds_judge_injected_observations(t0):
    ctx = FakeContext(t0)
    assert KINDS["dns_servfail_ratio"](spec("dns_servfail_ratio", 0.05), ctx).note
    ctx.dns_rows = (DnsObservation("kube-system/coredns", "cluster.local.", 100.0, 0.2, 0.01, 5.0),
                    DnsObservation("kube-system/coredns", ".", 10.0, 0.0, 0.3, 90.0))
    servfail = KINDS["dns_servfail_ratio"](spec("dns_servfail_ratio", 0.05), ctx).observations
    assert [o.breached for o in servfail] == [True, False]
    nx = KINDS["dns_nxdomain_ratio"](spec("dns_nxdomain_ratio", 0.1), ctx).observations
    assert [o.labels["zone"] for o in nx if o.breached] == ["."]
    slow = KINDS["dns_latency_p99"](spec("dns_latency_p99", 50), ctx).observations
    assert [o.value for o in slow if o.breached] == [90.0]


def test_insight_severity_fires_at_or_above_the_floor(t0):
    ctx = FakeContext(t0, findings=(InsightFinding("a", "ndots", "warning", "ndots 5", "shop"),
                                    InsightFinding("b", "orphan", "info", "orphan svc", "shop")))
    result = KINDS["insight_severity"](spec("insight_severity", 0, min_severity="warning"), ctx)
    assert {o.subject: o.breached for o in result.observations} == {
        "insight:a": True, "insight:b": False}


def test_no_data_fires_when_the_newest_good_cycle_is_too_old_or_cycles_fail(t0):
    health = CycleHealth(t0 - timedelta(seconds=60), 15.0, ("ok",), "simulator")
    ctx = FakeContext(t0, health=health)
    (stalled,) = KINDS["no_data"](spec("no_data", 3), ctx).observations
    assert stalled.breached and stalled.value == 4.0
    ctx.health = CycleHealth(t0, 15.0, ("failed", "failed", "failed"), "prometheus")
    (down,) = KINDS["no_data"](spec("no_data", 3), ctx).observations
    assert down.breached and down.labels == {"collector": "prometheus"}
    ctx.health = CycleHealth(t0, 15.0, ("ok", "failed"), "prometheus")
    assert not KINDS["no_data"](spec("no_data", 3), ctx).observations[0].breached
