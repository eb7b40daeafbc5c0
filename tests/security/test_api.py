"""GET /api/v1/mtls: authentication, parameters and the documented shape."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.pipeline import run_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(shop, t0):
    for i in range(2):
        run_cycle(t0 + timedelta(seconds=15 * i), shop, interval_s=15.0)
    return {"window": "1m", "at": (t0 + timedelta(seconds=15)).isoformat()}


def test_it_needs_authentication_in_login_mode(client, settings):
    settings.MESHWATCH_AUTH = "login"
    response = client.get("/api/v1/mtls")
    assert response.status_code == 401 and "detail" in response.json()


def test_it_works_with_a_token(client, settings, alice_token, stored):
    settings.MESHWATCH_AUTH = "login"
    response = client.get("/api/v1/mtls", stored, HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"generated_at", "window", "mesh_wide", "namespaces", "mismatches"}
    assert body["mesh_wide"]["observed_ratio"] == 0.75
    (ns,) = body["namespaces"]
    assert ns["namespace"] == "shop" and ns["observed_ratio"] == 0.75
    api = next(w for w in ns["workloads"] if w["id"] == "workload:shop/api")
    assert api == {
        **api,
        "intended_mode": "PERMISSIVE",
        "ports": {"8080": "PERMISSIVE"},
        "observed_ratio": 0.75,
        "sidecar": "istio",
    }
    assert {m["kind"] for m in body["mismatches"]} == {"missing_sidecar"}


def test_a_viewer_without_grants_is_refused(client, settings, bob):
    settings.MESHWATCH_AUTH = "login"
    client.force_login(bob)
    response = client.get("/api/v1/mtls")
    assert response.status_code == 403 and "detail" in response.json()


def test_a_namespace_limited_token_sees_only_its_namespaces(client, settings, alice, stored):
    from webapp.accounts.tokens import issue_token

    settings.MESHWATCH_AUTH = "login"
    token = issue_token(alice, name="limited", namespaces=["elsewhere"])[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    refused = client.get("/api/v1/mtls", {**stored, "namespaces": "shop"}, **auth)
    assert refused.status_code == 403 and "shop" in refused.json()["detail"]
    body = client.get("/api/v1/mtls", stored, **auth).json()
    assert body["namespaces"] == [] and body["mismatches"] == []


@pytest.mark.parametrize("params, word", [
    ({"window": "nope"}, "window"),
    ({"window": "90d"}, "window"),
    ({"at": "yesterday-ish"}, "at"),
    ({"namespaces": "Not_A_Namespace"}, "namespace"),
])  # fmt: skip
def test_bad_params_are_a_400_with_detail(client, settings, params, word):
    settings.MESHWATCH_AUTH = "anonymous"
    response = client.get("/api/v1/mtls", params)
    assert response.status_code == 400 and word in response.json()["detail"]


def test_namespaces_narrow_the_view(client, settings, stored):
    settings.MESHWATCH_AUTH = "anonymous"
    body = client.get("/api/v1/mtls", {**stored, "namespaces": "elsewhere"}).json()
    assert body["namespaces"] == [] and body["mismatches"] == []


def test_the_schema_documents_it(client, settings):
    settings.MESHWATCH_AUTH = "anonymous"
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/mtls" in schema["paths"]
    assert "MtlsNamespace" in schema["components"]["schemas"]
