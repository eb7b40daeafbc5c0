"""meshwatch's ASGI app as deployed, plus the websocket floor: a consumer that forwards text.

`/ws/bench/raw` joins one group and sends each event's pre-serialized text as it is: no
authentication, no subscription, no seq bookkeeping, no JSON encoding per socket. The delta
floor is a raw `group_send` to 1,000 of these.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.server.settings")

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from webapp.asgi import application as meshwatch  # noqa: E402
from webapp.asgi import django_asgi_app  # noqa: E402

RAW_PATH = "/ws/bench/raw"
RAW_GROUP = "bench.raw"


class RawConsumer(AsyncWebsocketConsumer):
    """Joins RAW_GROUP and forwards `event["text"]`."""

    async def connect(self) -> None:
        await self.channel_layer.group_add(RAW_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(RAW_GROUP, self.channel_name)

    async def bench_raw(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


_raw = AllowedHostsOriginValidator(RawConsumer.as_asgi())
_live = meshwatch.application_mapping["websocket"]


async def _websocket(scope: dict[str, Any], receive: Any, send: Any) -> None:
    app = _raw if scope["path"] == RAW_PATH else _live
    await app(scope, receive, send)


application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": _websocket})
