"""Who may open the live socket: users and token holders in login mode, anyone in anonymous."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from tests.conftest import grant_namespaces
from tests.live.conftest import live, receive, subscribe
from webapp.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db(transaction=True)


def _session_cookie(username: str, password: str) -> tuple[bytes, bytes]:
    client = Client()
    assert client.login(username=username, password=password)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def test_it_refuses_an_anonymous_socket_in_login_mode(login_mode):
    async with live(expect_refused=True):
        pass


async def test_it_accepts_everyone_in_anonymous_mode(anonymous):
    async with live() as ws:
        await subscribe(ws)
        assert (await receive(ws))["type"] == "snapshot"


async def test_it_accepts_a_logged_in_session(login_mode, bob):
    await database_sync_to_async(grant_namespaces)(bob, "shop")
    cookie = await database_sync_to_async(_session_cookie)("bob", "bob-password-1")
    async with live(headers=[cookie]) as ws:
        await subscribe(ws, {"namespaces": "shop"})
        assert (await receive(ws))["type"] == "snapshot"


async def test_it_accepts_a_token_in_the_query_string(login_mode, alice_token):
    async with live(query=f"token={alice_token}") as ws:
        await subscribe(ws)
        assert (await receive(ws))["type"] == "snapshot"


async def test_it_accepts_a_bearer_header(login_mode, alice_token):
    async with live(headers=[(b"authorization", f"Bearer {alice_token}".encode())]) as ws:
        await subscribe(ws)
        assert (await receive(ws))["type"] == "snapshot"


@pytest.mark.parametrize("mode", ["login", "anonymous"])
async def test_it_refuses_a_bad_token_in_either_mode(settings, mode, alice_token):
    settings.MESHWATCH_AUTH = mode
    async with live(query="token=mw_nope_nope", expect_refused=True):
        pass
    async with live(headers=[(b"authorization", b"Bearer " + alice_token[:-2].encode())],
                    expect_refused=True):
        pass


async def test_it_refuses_an_expired_token(login_mode, alice):
    expired = timezone.now() - timedelta(days=1)
    _, raw = await database_sync_to_async(issue_token)(alice, expires_at=expired)
    async with live(query=f"token={raw}", expect_refused=True):
        pass


async def test_a_token_limited_to_namespaces_may_only_watch_those(login_mode, bob):
    await database_sync_to_async(grant_namespaces)(bob, "shop", "bank")
    _, raw = await database_sync_to_async(issue_token)(bob, namespaces=["shop"])
    async with live(query=f"token={raw}") as ws:
        await subscribe(ws)
        assert (await receive(ws))["detail"].startswith("this token may only watch namespaces shop")
        await subscribe(ws, {"namespaces": "shop,bank"})
        assert (await receive(ws))["type"] == "error"
        await subscribe(ws, {"namespaces": "shop"})
        assert (await receive(ws))["type"] == "snapshot"
