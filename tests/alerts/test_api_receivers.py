"""/api/v1/receivers: the fixed shape, write-only secrets, SSRF at creation, send test."""

from __future__ import annotations

import pytest

from tests.alerts.api import call
from tests.alerts.conftest import SECRET
from webapp.alerts.models import Receiver
from webapp.alerts.receivers.signing import verify

pytestmark = pytest.mark.django_db
BODY = {"name": "ops", "kind": "webhook", "url": "http://127.0.0.1:9/hook", "secret": SECRET}


def test_it_creates_a_receiver_and_never_returns_the_secret(client, alice_token):
    response = call(client, "post", "/api/v1/receivers", alice_token, BODY)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["name"] == "ops" and created["kind"] == "webhook" and "secret" not in created
    assert Receiver.objects.get().secret == SECRET
    listed = call(client, "get", "/api/v1/receivers", alice_token).json()
    assert "secret" not in listed["results"][0]
    detail = call(client, "get", f"/api/v1/receivers/{created['id']}", alice_token)
    assert SECRET not in detail.content.decode()


def test_a_generated_secret_is_shown_once(client, alice_token):
    body = {k: v for k, v in BODY.items() if k != "secret"}
    created = call(client, "post", "/api/v1/receivers", alice_token, body).json()
    assert len(created["secret"]) >= 32
    again = call(client, "get", f"/api/v1/receivers/{created['id']}", alice_token).json()
    assert "secret" not in again


@pytest.mark.parametrize("url", ["http://169.254.169.254/", "ftp://example.com/x",
                                 "http://10.0.0.1/hook"])
def test_it_refuses_urls_the_guard_refuses(client, alice_token, url):
    response = call(client, "post", "/api/v1/receivers", alice_token, {**BODY, "url": url})
    assert response.status_code == 400 and "url" in response.json()["detail"]


def test_anonymous_mode_cannot_create_receivers(client, settings):
    settings.MESHWATCH_AUTH = "anonymous"
    assert call(client, "post", "/api/v1/receivers", None, BODY).status_code == 401
    assert call(client, "get", "/api/v1/receivers").status_code == 200


def test_send_test_delivers_a_signed_test_notification(client, alice_token, serve,
                                                       make_receiver,
                                                       django_capture_on_commit_callbacks):
    hook = serve()
    receiver = make_receiver(hook.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"/api/v1/receivers/{receiver.pk}/test", alice_token)
    assert response.status_code == 202 and response.json()["event"] == "test"
    (got,) = hook.received
    assert got.json()["event"] == "test"
    assert verify(SECRET, got.headers["X-Meshwatch-Timestamp"], got.body,
                  got.headers["X-Meshwatch-Signature"])
