"""Every error under /api/ is RFC 9457 problem details; elsewhere the usual HTML pages.

DRF's own exceptions (parse, 401, 403, 404, 405, 406, 415, 429, validation), Django's 404
and 500, unknown /api/v1/ paths, a view answering `{"detail": ...}` itself, and a bug (500,
no internals in the body, the traceback logged). The walk over the schema's GET operations
holds every endpoint, present and future, to the 401 rule without naming one.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from webapp import urls as site_urls

pytestmark = pytest.mark.django_db
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
SECRET_WORDS = "the-secret-internal-state-0xdeadbeef"


class Boom(APIView):
    """A view with a bug."""

    def get(self, request):
        raise RuntimeError(SECRET_WORDS)


class Closed(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        return False

    def wait(self) -> float:
        return 42.0


class Throttled(APIView):
    throttle_classes = [Closed]

    def get(self, request):
        return Response({})


class OwnShape(APIView):
    """A view that answers an error itself, in the old shape."""

    def get(self, request):
        return Response({"detail": "no such thing here"}, status=404)


def django_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_WORDS)


urlpatterns = [
    path("api/v1/test/boom", Boom.as_view()),
    path("api/v1/test/throttled", Throttled.as_view()),
    path("api/v1/test/own-shape", OwnShape.as_view()),
    path("api/v1/test/django-boom", django_boom),
    *site_urls.urlpatterns,
]
handler400, handler403 = site_urls.handler400, site_urls.handler403
handler404, handler500 = site_urls.handler404, site_urls.handler500


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = __name__


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and isinstance(body["detail"], str) and body["detail"]
    return body


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_401_keeps_www_authenticate(client):
    response = client.get("/api/v1/graph")
    body = _problem(response, 401)
    assert body["instance"] == "/api/v1/graph" and body["title"] == "Unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_bad_token_is_a_401_saying_why(client):
    body = _problem(client.get("/api/v1/graph", **_auth("mw_nope_nope")), 401)
    assert "token" in body["detail"].lower()


def test_graph_parse_errors_carry_the_parsers_sentence(client, alice_token):
    body = _problem(client.get("/api/v1/graph", {"window": "soon"}, **_auth(alice_token)), 400)
    assert "window" in body["detail"]
    body = _problem(client.get("/api/v1/graph", {"graph_type": "x"}, **_auth(alice_token)), 400)
    assert "graph_type must be one of" in body["detail"]


@pytest.mark.parametrize("url", ["/api/v1/heatmap?window=1h", "/api/v1/dns?window=-5m",
                                 "/api/v1/mtls?at=yesterday", "/api/v1/graph?namespaces=Bad_NS"])
def test_the_options_views_answer_400_problems(client, alice_token, url):
    _problem(client.get(url, **_auth(alice_token)), 400)


def test_403_outside_the_grants(client, bob):
    from tests.conftest import grant_namespaces
    from webapp.accounts.tokens import issue_token

    grant_namespaces(bob, "bookinfo")
    token = issue_token(bob)[1]
    for url in ("/api/v1/graph?namespaces=shop", "/api/v1/dns?namespaces=shop",
                "/api/v1/mtls?namespaces=shop"):
        body = _problem(client.get(url, **_auth(token)), 403)
        assert "shop" in body["detail"]


def test_404_of_an_object_and_of_an_unknown_path(client, alice_token):
    body = _problem(client.get("/api/v1/pods/nowhere/nothing", **_auth(alice_token)), 404)
    assert body["instance"] == "/api/v1/pods/nowhere/nothing"
    body = _problem(client.get("/api/v1/no-such-resource", **_auth(alice_token)), 404)
    assert "/api/v1/no-such-resource" in body["detail"]
    _problem(client.get("/api/v2/graph"), 404)


def test_404_outside_the_api_is_still_html(client, alice):
    client.force_login(alice)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/problem+json")


def test_405_406_and_415(client, alice_token):
    response = client.delete("/api/v1/graph", **_auth(alice_token))
    _problem(response, 405)
    assert "GET" in response["Allow"]
    _problem(client.get("/api/v1/status", HTTP_ACCEPT="text/html", **_auth(alice_token)), 406)
    response = client.post("/api/v1/silences", "x=1", content_type="text/plain",
                           **_auth(alice_token))
    assert "text/plain" in _problem(response, 415)["detail"]


def test_malformed_json_is_a_400(client, alice_token):
    response = client.post("/api/v1/silences", "{not json", content_type="application/json",
                           **_auth(alice_token))
    assert "JSON" in _problem(response, 400)["detail"]


def test_validation_errors_keep_the_fields_machine_readable(client, alice_token):
    response = client.post("/api/v1/alert-rules", {"kind": "nope"},
                           content_type="application/json", **_auth(alice_token))
    body = _problem(response, 400)
    assert set(body["errors"]) >= {"name", "kind"}
    assert all(isinstance(m, str) for m in body["errors"]["kind"])
    assert "name:" in body["detail"] and "kind:" in body["detail"]


def test_429_keeps_retry_after(client, alice_token, test_urls):
    response = client.get("/api/v1/test/throttled", **_auth(alice_token))
    body = _problem(response, 429)
    assert response["Retry-After"] == "42" and "42" in body["detail"]


def test_a_bug_is_a_500_that_says_nothing_and_is_logged(alice_token, test_urls, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/test/boom", **_auth(alice_token))
    body = _problem(response, 500)
    assert SECRET_WORDS not in response.content.decode()
    assert "Traceback" not in response.content.decode() and "RuntimeError" not in body["detail"]
    assert any(SECRET_WORDS in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_djangos_own_500_under_the_api_is_a_problem(alice_token, test_urls):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/test/django-boom", **_auth(alice_token))
    _problem(response, 500)
    assert SECRET_WORDS not in response.content.decode()


def test_a_view_answering_its_own_shape_is_rewritten(client, alice_token, test_urls):
    body = _problem(client.get("/api/v1/test/own-shape", **_auth(alice_token)), 404)
    assert body["detail"] == "no such thing here"


def _get_paths() -> list[str]:
    """Every GET operation of the schema, path parameters filled with a placeholder."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for route, item in schema["paths"].items():
        if "get" not in item:
            continue
        for param in item["get"].get("parameters", []):
            if param["in"] == "path":
                value = "1" if param["schema"].get("type") == "integer" else "x"
                route = route.replace("{" + param["name"] + "}", value)
        paths.append(route)
    return paths


def test_every_get_operation_answers_401_as_a_problem(client, settings):
    settings.MESHWATCH_AUTH = "login"
    paths = _get_paths()
    assert len(paths) > 20
    wrong = []
    for url in paths:
        response = client.get(url)
        if response.status_code != 401 or response["Content-Type"] != "application/problem+json":
            wrong.append(f"{url}: {response.status_code} {response['Content-Type']}")
    assert not wrong, "\n".join(wrong)
