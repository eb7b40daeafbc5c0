"""/api/v1/docs/: Swagger UI from local files, logged in like every page, no inline script."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client, settings):
    settings.MESHWATCH_AUTH = "login"
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/v1/schema/").status_code == 401


def test_the_page_loads_its_script_from_a_file_and_the_bundle_locally(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style>" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)  # no inline script
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()


def test_the_schema_is_served_to_a_logged_in_user(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200 and response.json()["openapi"].startswith("3.")


def test_other_methods_are_a_problem_not_a_crash(client, alice):
    client.force_login(alice)
    response = client.options("/api/v1/docs/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
