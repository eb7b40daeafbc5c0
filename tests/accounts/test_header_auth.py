"""Header (SSO) mode: the user a trusted proxy names, over HTTP and the live socket.

The proxy is the test client itself, its address set through REMOTE_ADDR (HTTP) and the
scope's `client` (websocket): those are what the code reads, as the real server sets them.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import grant_namespaces
from tests.live.conftest import ORIGIN, receive, subscribe
from webapp.accounts.config import parse_networks
from webapp.accounts.models import AuditEvent, Team
from webapp.accounts.tokens import issue_token

PROXY = "10.1.2.3"
OUTSIDER = "203.0.113.9"


@pytest.fixture
def header_mode(settings):
    settings.MESHWATCH_AUTH = "header"
    settings.MESHWATCH_AUTH_TRUSTED_PROXIES = parse_networks("t", ["10.0.0.0/8"])
    settings.MESHWATCH_AUTH_ADMIN_GROUPS = ["sre-admins"]


def _as(peer: str, **headers: str) -> Client:
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return Client(REMOTE_ADDR=peer, **meta)


@pytest.mark.django_db
def test_a_trusted_proxy_names_the_user_who_is_created_on_first_sight(header_mode):
    Team.objects.create(name="payments")
    response = _as(PROXY, **{"X-Forwarded-User": "erin", "X-Forwarded-Email": "erin@example.org",
                             "X-Forwarded-Groups": "payments,unknown-group"}).get("/api/v1/status")
    assert response.status_code == 200
    erin = get_user_model().objects.get(username="erin")
    assert erin.email == "erin@example.org" and not erin.has_usable_password()
    assert list(erin.teams.values_list("name", flat=True)) == ["payments"]
    assert not erin.is_staff
    assert AuditEvent.objects.filter(action="user.create", username="erin").exists()


@pytest.mark.django_db
def test_groups_follow_the_proxy_and_admin_groups_make_staff(header_mode):
    Team.objects.create(name="payments")
    Team.objects.create(name="search")
    headers = {"X-Forwarded-User": "erin", "X-Forwarded-Groups": "payments,sre-admins"}
    _as(PROXY, **headers).get("/api/v1/status")
    erin = get_user_model().objects.get(username="erin")
    assert erin.is_staff
    _as(PROXY, **{"X-Forwarded-User": "erin", "X-Forwarded-Groups": "search"}).get("/")
    erin.refresh_from_db()
    assert not erin.is_staff
    assert list(erin.teams.values_list("name", flat=True)) == ["search"]


@pytest.mark.django_db
def test_the_header_from_an_untrusted_peer_is_never_believed(header_mode, alice):
    spoofed = _as(OUTSIDER, **{"X-Forwarded-User": "alice", "X-Forwarded-For": PROXY})
    assert spoofed.get("/api/v1/status").status_code in (401, 403)
    page = spoofed.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    assert not get_user_model().objects.filter(username="mallory").exists()


@pytest.mark.django_db
def test_a_trusted_peer_without_the_header_is_anonymous(header_mode):
    response = _as(PROXY).get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert _as(PROXY).get("/api/v1/graph").status_code in (401, 403)
    bad = _as(PROXY, **{"X-Forwarded-User": "a\x01b"}).get("/api/v1/status")
    assert bad.status_code in (401, 403)
    long_name = _as(PROXY, **{"X-Forwarded-User": "x" * 151}).get("/api/v1/status")
    assert long_name.status_code in (401, 403)


@pytest.mark.django_db
def test_bearer_tokens_keep_working_in_header_mode(header_mode, alice_token):
    response = Client(REMOTE_ADDR=OUTSIDER).get(
        "/api/v1/status", HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_header_users_must_send_csrf_for_writes(header_mode):
    client = Client(REMOTE_ADDR=PROXY, enforce_csrf_checks=True,
                    HTTP_X_FORWARDED_USER="ops", HTTP_X_FORWARDED_GROUPS="sre-admins")
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


async def _socket(peer: str, headers: list[tuple[bytes, bytes]]) -> tuple[bool, dict | None]:
    from webapp.asgi import application

    ws = WebsocketCommunicator(application, "/ws/v1/live", headers=[ORIGIN, *headers])
    ws.scope["client"] = (peer, 40000)
    connected, _ = await ws.connect(timeout=5)
    message = None
    if connected:
        await subscribe(ws, {"namespaces": "bookinfo"})
        message = await receive(ws)
    await ws.disconnect()
    return connected, message


@pytest.mark.django_db(transaction=True)
async def test_the_live_socket_believes_only_the_trusted_peer(header_mode, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    await database_sync_to_async(Team.objects.create)(name="bookinfo-viewers")

    def grant() -> None:
        team = Team.objects.get(name="bookinfo-viewers")
        team.grants.create(namespace="bookinfo")

    await database_sync_to_async(grant)()
    named = [(b"x-forwarded-user", b"carol"), (b"x-forwarded-groups", b"bookinfo-viewers")]
    connected, message = await _socket(PROXY, named)
    assert connected and message["type"] == "snapshot"
    assert (await _socket(OUTSIDER, named))[0] is False
    assert (await _socket(PROXY, []))[0] is False
    # An underscore spelling is dropped, as Django drops it for HTTP.
    assert (await _socket(PROXY, [(b"x_forwarded_user", b"carol")]))[0] is False


@pytest.mark.django_db(transaction=True)
async def test_a_token_on_the_socket_works_in_header_mode(header_mode, settings, bob):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    await database_sync_to_async(grant_namespaces)(bob, "bookinfo")
    _, raw = await database_sync_to_async(issue_token)(bob)
    connected, message = await _socket(OUTSIDER, [(b"authorization", f"Bearer {raw}".encode())])
    assert connected and message["type"] == "snapshot"
