"""GET /api/v1/insights, /insights/<id> and /insights/checks: shape, filters, scoping."""

from __future__ import annotations

import pytest

from tests.conftest import grant_namespaces
from tests.insights.helpers import draft, scripted
from webapp.accounts.tokens import issue_token
from webapp.insights.engine import evaluate
from webapp.insights.models import Finding

pytestmark = pytest.mark.django_db
FIELDS = {"id", "check", "severity", "title", "message", "book_row", "subject", "namespace",
          "evidence", "remedy", "first_seen", "last_seen", "resolved_at", "state"}


@pytest.fixture
def findings(t0):
    """shop: web (critical), db (warning); bank: vault (info); a cluster-wide node finding;
    and one resolved finding in shop."""
    first = scripted("alpha", lambda ctx: [
        draft("alpha", "web", "critical"), draft("alpha", "old", "warning")])
    evaluate(t0, [first])
    alpha = scripted("alpha", lambda ctx: [draft("alpha", "web", "critical")])
    beta = scripted("beta", lambda ctx: [
        draft("beta", "db", "warning"),
        draft("beta", "vault", "info", namespace="bank"),
        draft("beta", "node-1", "critical", namespace="", kind="node"),
    ])
    evaluate(t0.replace(minute=1), [alpha, beta])


@pytest.fixture
def api(client, alice_token):
    def get(path: str = "", token: str | None = alice_token, **params: str):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.get(f"/api/v1/insights{path}", params, **headers)

    return get


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [f["subject"]["name"] for f in response.json()["results"]]


def test_it_lists_open_findings_in_the_agreed_shape(api, findings):
    body = api().json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 4
    web = next(f for f in body["results"] if f["subject"]["name"] == "web")
    assert set(web) == FIELDS
    assert web["subject"] == {"kind": "service", "id": "service:shop/web", "namespace": "shop",
                              "name": "web"}
    assert web["remedy"] == {"text": "fix it", "snippet": "kubectl get svc web",
                             "language": "shell"}
    assert (web["check"], web["state"], web["resolved_at"], web["book_row"]) == (
        "alpha", "open", None, "alpha row")
    # most severe first, then by namespace ("" first)
    assert _names(api()) == ["node-1", "web", "db", "vault"]


def test_login_mode_needs_a_login_or_a_token(api, findings):
    assert api(token=None).status_code in (401, 403)


@pytest.mark.parametrize(("params", "expected"), [
    ({"severity": "warning,info"}, ["db", "vault"]),
    ({"min_severity": "warning"}, ["node-1", "web", "db"]),
    ({"namespace": "bank"}, ["vault"]),
    ({"namespace": "bank,shop"}, ["web", "db", "vault"]),
    ({"check": "alpha"}, ["web"]),
    ({"subject_kind": "node"}, ["node-1"]),
    ({"state": "resolved"}, ["old"]),
    ({"state": "all", "check": "alpha"}, ["web", "old"]),
    ({"ordering": "severity,subject"}, ["vault", "db", "node-1", "web"]),
])
def test_filters(api, findings, params, expected):
    assert _names(api(**params)) == expected


@pytest.mark.parametrize(("params", "word"), [
    ({"severity": "fatal"}, "severity"),
    ({"min_severity": "high"}, "min_severity"),
    ({"namespace": "Not_A_Namespace"}, "namespace"),
    ({"state": "closed"}, "state"),
    ({"subject_kind": "galaxy"}, "subject_kind"),
    ({"ordering": "-password"}, "ordering"),
    ({"check": "<script>"}, "check"),
])
def test_bad_filters_are_a_400_naming_the_parameter(api, findings, params, word):
    response = api(**params)
    assert response.status_code == 400
    assert word in response.json()["detail"]


def test_detail_and_a_missing_id(api, findings):
    finding = Finding.objects.get(subject_name="old")
    body = api(f"/{finding.id}").json()
    assert (body["id"], body["state"]) == (finding.id, "resolved")
    assert body["resolved_at"] is not None
    assert api("/alpha:000000000000000000000000").status_code == 404


def test_a_viewer_sees_only_granted_namespaces_and_no_cluster_findings(api, bob, findings):
    grant_namespaces(bob, "shop")
    token = issue_token(bob, name="t")[1]
    assert _names(api(token=token)) == ["web", "db"]
    node = Finding.objects.get(subject_kind="node")
    vault = Finding.objects.get(subject_name="vault")
    assert api(f"/{node.id}", token=token).status_code == 404
    assert api(f"/{vault.id}", token=token).status_code == 404
    assert _names(api(token=token, namespace="bank")) == []


def test_an_outsider_sees_nothing(api, django_user_model, findings):
    outsider = django_user_model.objects.create_user("eve", password="eve-password-1")
    token = issue_token(outsider, name="t")[1]
    assert api(token=token).json()["count"] == 0
    checks = api("/checks", token=token).json()
    assert all(c["open_count"] == 0 for c in checks)


def test_checks_lists_every_check_with_its_last_run(api, findings, bob):
    from webapp.insights.checks import all_checks
    from webapp.insights.models import CheckRun

    CheckRun.objects.create(check_id=all_checks()[0].id, status="error", error="Boom: no")
    body = api("/checks").json()
    assert [c["id"] for c in body] == [c.id for c in all_checks()]
    first = body[0]
    assert set(first) == {"id", "title", "book_row", "description", "last_run", "open_count"}
    assert first["last_run"]["status"] == "error" and first["last_run"]["error"] == "Boom: no"
    assert all(c["book_row"] for c in body)


def test_list_queries_do_not_grow_with_rows(api, t0, django_assert_max_num_queries):
    many = scripted("many", lambda ctx: [draft("many", f"svc-{i}") for i in range(60)])
    evaluate(t0, [many])
    with django_assert_max_num_queries(6):
        assert api().json()["count"] == 60


def test_the_schema_documents_the_insights(client, alice_token):
    schema = client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    text = schema.content.decode()
    for word in ("/api/v1/insights/checks", "/api/v1/insights/{id}", "min_severity",
                 "The troubleshooting-table row it automates.", "What to change, or null."):
        assert word in text


def test_an_edge_findings_end_in_a_hidden_namespace_is_opaque_to_a_viewer(api, bob, t0):
    # A finding of shop about an edge from bank: bank's caller is the graph's external node.
    from webapp.insights.checks.base import Draft, Subject
    from webapp.insights.filters import FindingQuery
    from webapp.insights.live import build_insights
    from webapp.insights.scope import scope_findings

    src, dst = "workload:bank/teller", "workload:shop/cart"
    subject = Subject("edge", f"edge:{src}>{dst}", "shop", "bank/teller → shop/cart")
    edge = Draft("gamma", "warning", subject, "bank/teller → shop/cart fails 9%",
                 f"{src} calls {dst}; bank/teller-2 is another workload",
                 evidence={"source": src, "target": dst, "labels": ["bank/teller"]})
    evaluate(t0, [scripted("gamma", lambda ctx: [edge])])
    grant_namespaces(bob, "shop")
    (admin_view,) = api().json()["results"]
    assert admin_view["subject"]["id"] == f"edge:{src}>{dst}", "an admin sees both ends"
    (seen,) = api(token=issue_token(bob, name="t")[1]).json()["results"]
    opaque = seen["subject"]["id"].removeprefix("edge:").split(">")[0]
    assert opaque.startswith("external:") and seen["subject"]["id"].endswith(f">{dst}")
    assert seen["title"] == f"{opaque} → shop/cart fails 9%"
    assert seen["message"] == f"{opaque} calls {dst}; bank/teller-2 is another workload"
    assert seen["evidence"] == {"source": opaque, "target": dst, "labels": [opaque]}
    detail = api(f"/{seen['id']}", token=issue_token(bob, name="t2")[1]).json()
    assert detail["subject"] == seen["subject"]
    # The live view is shared by every socket asking the same params, so it stays whole; a
    # limited socket's copy is rewritten the same way (live/consumers.py, test_topic.py).
    doc = build_insights(FindingQuery.from_params({"namespaces": "shop"}))
    assert doc["findings"][0]["subject"]["id"] == f"edge:{src}>{dst}"
    (live,) = scope_findings(doc, {"shop"})["findings"]
    assert live["subject"] == seen["subject"] and live["title"] == seen["title"]
    delta = {"seen_at": None, "upsert": {"findings": doc["findings"]}, "remove": {"findings": []}}
    (upserted,) = scope_findings(delta, {"shop"})["upsert"]["findings"]
    assert upserted["evidence"] == seen["evidence"]
