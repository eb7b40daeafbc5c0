"""traffic_response_flags: Envoy flags on an edge become a finding with a remedy per flag."""

from __future__ import annotations

from collectors.records import EdgeSample, Peer
from tests.conftest import T0
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.traffic_response_flags import CHECK

STOREFRONT = Peer("shop", "storefront", "storefront", "v1")


def _edge(dst: Peer, requests: float, flags: dict[str, float], **counts: float) -> EdgeSample:
    return EdgeSample(STOREFRONT, dst, "http", "istio", 300.0, requests=requests,
                      response_flags=flags, **counts)  # fmt: skip


def test_it_reports_no_healthy_upstream_with_the_endpoint_commands():
    orphan = _edge(Peer("shop", "unknown", service="recommendations"), 600.0, {"UH": 600.0},
                   errors_5xx=600.0)  # fmt: skip
    [draft] = drafts_of(CHECK, context(T0, edges=(orphan,)))
    assert draft.severity == "critical"
    assert draft.subject.id == "edge:workload:shop/storefront>service:shop/recommendations"
    assert draft.evidence["flags"]["UH"] == {"requests": 600.0, "share": 1.0,
                                             "meaning": "no healthy upstream: the cluster has "
                                             "no ready endpoint"}  # fmt: skip
    assert draft.evidence["rps"] == 2.0
    assert "kubectl get endpointslices -n shop -l kubernetes.io/service-name=recommendations" in (
        draft.remedy.snippet
    )
    assert "subsets" in draft.remedy.text


def test_each_flag_family_gets_its_remedy():
    payments = Peer("shop", "payments-v1", "payments", "v1", "payments")
    edge = _edge(payments, 1000.0, {"UF": 30.0, "URX": 30.0, "UO": 5.0}, errors_5xx=35.0)
    [draft] = drafts_of(CHECK, context(T0, edges=(edge,)))
    assert draft.severity == "warning"  # 3 %: past 1 %, under 10 %
    assert list(draft.evidence["flags"]) == ["UF", "URX", "UO"]
    assert "outlier detection" in draft.remedy.text and "connectionPool" in draft.remedy.text
    assert "kubectl get pods -n shop -l app=payments -o wide" in draft.remedy.snippet


def test_names_reach_the_shell_quoted():
    evil = Peer("shop", "unknown", service="x;rm -rf ~")
    [draft] = drafts_of(CHECK, context(T0, edges=(_edge(evil, 50.0, {"NR": 50.0}),)))
    assert "kubernetes.io/service-name='x;rm -rf ~'" in draft.remedy.snippet


def test_it_stays_quiet_without_flags_below_the_share_or_on_a_trickle():
    api = Peer("shop", "api", "api", "v1", "api")
    edges = (
        _edge(api, 10_000.0, {}),  # no flags at all (Linkerd, or a healthy Istio edge)
        _edge(Peer("shop", "orders"), 10_000.0, {"DC": 50.0}),  # 0.5 %: clients giving up
        _edge(Peer("shop", "cart"), 5.0, {"UH": 5.0}),  # five requests say little
    )
    assert drafts_of(CHECK, context(T0, edges=edges)) == []
