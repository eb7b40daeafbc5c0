"""The websocket-clients gauge of /metrics follows sockets as they open and close."""

import pytest

from tests.live.conftest import live
from webapp.ui.metrics import WEBSOCKET_CLIENTS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("anonymous")]


async def test_open_sockets_are_counted():
    before = WEBSOCKET_CLIENTS._value.get()
    async with live():
        assert WEBSOCKET_CLIENTS._value.get() == before + 1
    assert WEBSOCKET_CLIENTS._value.get() == before


async def test_a_refused_socket_is_not_counted(settings):
    from channels.testing import WebsocketCommunicator

    from tests.live.conftest import ORIGIN
    from webapp.asgi import application

    settings.MESHWATCH_AUTH = "login"
    before = WEBSOCKET_CLIENTS._value.get()
    ws = WebsocketCommunicator(application, "/ws/v1/live", headers=[ORIGIN])
    connected, _ = await ws.connect()
    assert not connected
    await ws.disconnect()
    assert WEBSOCKET_CLIENTS._value.get() == before
