"""The live socket: subscriptions in, snapshots and deltas out.

One socket per client, any number of topics on it, one subscription per topic (subscribing
again replaces it). The consumer never builds domain data: it reads the live app's stored
views and forwards the deltas publishers send to the views' groups.

Slow clients: each socket's channel holds a bounded number of events (the channel layer's
capacity); past it the layer drops them. A socket that sees a seq gap, for that or any other
reason, resyncs from the stored history, or with one fresh snapshot, instead of replaying an
unbounded backlog.

Subscription ids (an addition to the DESIGN.md §3 contract; every field there stays): a
subscribe message may carry `"id"`, an integer or a string of at most 64 characters. The
server echoes it as `"id"` in every snapshot, delta and error frame it sends for that
subscription (an error about the subscribe message itself included). Frames name only their
topic, and a client that changes its params quickly (live → pinned → live) still receives the
answers to the subscriptions it has already replaced; different views of a topic count their
seqs independently, so without the id a late snapshot of a replaced view would set the
client's seq base to another view's numbering. With the id the client drops every frame whose
id is not that of its newest subscribe. A subscribe without an id gets frames without one.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from webapp.graph.scope import scope_delta, scope_graph
from webapp.insights.scope import scope_findings
from webapp.live.broadcast import KEEP_ALIVE
from webapp.live.permissions import connect_denied, socket_namespaces, subscription_denied
from webapp.live.subscriptions import Opening, keep_alive, open_subscription
from webapp.live.topics import TOPICS, Topic, get_topic, group_name, state_key
from webapp.ui.metrics import WEBSOCKET_CLIENTS

log = logging.getLogger("meshwatch.live")

MAX_MESSAGE_BYTES = 64 * 1024
MAX_ID_CHARS = 64
# Topics a socket limited to some namespaces reads rewritten for itself: the graph (ends in
# other namespaces become opaque external nodes) and insights (the same ends in findings).
# The views themselves are shared by every socket with the same params, so they stay whole.
SCOPED_PER_SOCKET = ("graph", "insights")
PROTOCOL_VERSION = 1

# A client's name for one of its subscribes, echoed in that subscription's frames.
SubscribeId = int | str


class RequestError(ValueError):
    """A client message that cannot be honoured; the text goes back in an error message."""


@dataclass
class Subscription:
    """What a socket watches on one topic, and the newest seq it has been sent."""

    topic: Topic
    options: Any
    key: str
    group: str
    id: SubscribeId | None = None
    seq: int = 0
    kept_alive_at: Any = None
    # On the graph topic, for a socket that sees only some namespaces: what it may see,
    # the view's unscoped graph, and the scoped graph it was last sent.
    visible: set[str] | None = None
    full: dict[str, Any] | None = None
    scoped: dict[str, Any] | None = None


@dataclass(frozen=True)
class SubscribeRequest:
    """A parsed, valid subscribe message."""

    topic: Topic
    options: Any
    since: int | None
    id: SubscribeId | None = None


def parse_subscribe(content: dict[str, Any]) -> SubscribeRequest:
    """Validate a subscribe message; raises RequestError naming what is wrong."""
    if content.get("id") is not None and subscribe_id(content) is None:
        raise RequestError(f"id must be an integer or a string of up to {MAX_ID_CHARS} characters")
    topic = _topic_of(content)
    params = content.get("params")
    params = {} if params is None else params
    if not isinstance(params, dict):
        raise RequestError("params must be an object")
    since = content.get("since")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
        raise RequestError("since must be an integer seq")
    try:
        options = topic.parse(params)
    except ValueError as exc:  # the topic's OptionsError: its text is written for the client
        raise RequestError(str(exc)) from exc
    return SubscribeRequest(topic, options, since, subscribe_id(content))


def subscribe_id(content: dict[str, Any]) -> SubscribeId | None:
    """The message's valid `id` (see the module docstring), or None."""
    value = content.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and len(value) <= MAX_ID_CHARS):
        return value
    return None


def _topic_of(content: dict[str, Any]) -> Topic:
    topic = get_topic(content.get("topic"))
    if topic is None:
        known = ", ".join(sorted(TOPICS))
        raise RequestError(f"unknown topic {str(content.get('topic'))[:40]!r}; known: {known}")
    return topic


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/v1/live`: see the module docstring and DESIGN.md §3."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subscriptions: dict[str, Subscription] = {}
        self.counted = False

    async def connect(self) -> None:
        """Accept, or refuse before accepting so the handshake answers 403."""
        if connect_denied(self.scope):
            await self.close()
            return
        await self.accept()
        WEBSOCKET_CLIENTS.inc()
        self.counted = True

    async def disconnect(self, code: int) -> None:
        """Leave every group this socket joined."""
        for name in list(self.subscriptions):
            await self._drop(name)
        if self.counted:
            WEBSOCKET_CLIENTS.dec()
            self.counted = False

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        """Size and JSON checks first; a bad message gets an error and the socket stays open."""
        if text_data is None:
            await self.send_error("send JSON in text frames")
            return
        if len(text_data) > MAX_MESSAGE_BYTES or len(text_data.encode()) > MAX_MESSAGE_BYTES:
            await self.send_error(f"message larger than {MAX_MESSAGE_BYTES} bytes")
            return
        try:
            content = json.loads(text_data)
        except ValueError as exc:
            await self.send_error(f"malformed JSON: {exc}")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Dispatch subscribe and unsubscribe."""
        if not isinstance(content, dict):
            await self.send_error("a message must be a JSON object")
            return
        try:
            if content.get("type") == "subscribe":
                await self.subscribe(parse_subscribe(content))
            elif content.get("type") == "unsubscribe":
                await self._drop(_topic_of(content).name)
            else:
                raise RequestError("type must be subscribe or unsubscribe")
        except RequestError as exc:
            await self.send_error(str(exc), content.get("topic"), subscribe_id(content))

    async def subscribe(self, request: SubscribeRequest) -> None:
        """Check permission, join the view's group, then send its snapshot or missed deltas.

        Joining before reading the view means no delta committed after the read can be
        missed; deltas the read already covers are dropped by their seq.
        """
        topic, options = request.topic, request.options
        denied = await database_sync_to_async(subscription_denied)(self.scope, topic, options)
        if denied:
            raise RequestError(denied)
        await self._drop(topic.name)
        key = state_key(topic.name, options.as_params())
        sub = Subscription(
            topic,
            options,
            key,
            group_name(topic.name, key),
            id=request.id,
            kept_alive_at=timezone.now(),
        )
        if topic.name in SCOPED_PER_SOCKET:
            sub.visible = await database_sync_to_async(socket_namespaces)(self.scope)
        await self.channel_layer.group_add(sub.group, self.channel_name)
        self.subscriptions[topic.name] = sub
        await self._open(sub, request.since)

    async def _open(self, sub: Subscription, since: int | None) -> None:
        if sub.visible is not None and sub.topic.name == "graph":
            since = None  # a scoped socket rewrites deltas against the full graph it holds
        try:
            opening = await database_sync_to_async(open_subscription)(sub.topic, sub.options, since)
        except Exception:  # noqa: BLE001 - a failing builder must not take the socket down
            log.exception("live: opening %s %s failed", sub.topic.name, sub.key[:12])
            await self._drop(sub.topic.name)
            await self.send_error(
                f"could not build {sub.topic.name}; try again", sub.topic.name, sub.id
            )
            return
        await self._send_opening(sub, opening)

    async def _send_opening(self, sub: Subscription, opening: Opening) -> None:
        if opening.snapshot is not None:
            snapshot = opening.snapshot
            if sub.visible is not None and sub.topic.name == "insights":
                snapshot = scope_findings(snapshot, sub.visible)
            elif sub.visible is not None:
                sub.full = snapshot
                sub.scoped = snapshot = scope_graph(snapshot, sub.visible, settings.SECRET_KEY)
            await self.send_json(_frame(sub, "snapshot", opening.seq, snapshot))
        for seq, data in opening.deltas:
            await self._send_delta(sub, seq, data)
        sub.seq = opening.seq

    async def _send_delta(self, sub: Subscription, seq: int, data: dict[str, Any]) -> None:
        if sub.visible is not None and sub.topic.name == "insights":
            data = scope_findings(data, sub.visible)
        elif sub.visible is not None and sub.full is not None and sub.scoped is not None:
            sub.full, sub.scoped, data = scope_delta(
                sub.full, sub.scoped, data, sub.visible, settings.SECRET_KEY, sub.topic.collections
            )
        await self.send_json(_frame(sub, "delta", seq, data))
        sub.seq = seq

    async def live_delta(self, event: dict[str, Any]) -> None:
        """A publisher's delta: forward it if this socket watches that view and needs it."""
        sub = self.subscriptions.get(event.get("topic", ""))
        if sub is None or sub.key != event.get("key") or event["seq"] <= sub.seq:
            return
        if event["seq"] == sub.seq + 1:
            await self._send_delta(sub, event["seq"], event["data"])
        else:  # a gap: events were dropped (slow socket) or raced; resync from the history
            await self._open(sub, sub.seq)
        await self._keep_alive(sub)

    async def _keep_alive(self, sub: Subscription) -> None:
        now = timezone.now()
        if now - sub.kept_alive_at >= KEEP_ALIVE:
            sub.kept_alive_at = now
            await database_sync_to_async(keep_alive)(sub.key)

    async def _drop(self, topic: str) -> None:
        sub = self.subscriptions.pop(topic, None)
        if sub is not None:
            await self.channel_layer.group_discard(sub.group, self.channel_name)

    async def send_error(
        self, detail: str, topic: object = None, sub_id: SubscribeId | None = None
    ) -> None:
        """An error message, naming the topic and subscribe id it answers; the socket stays open."""
        message: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": "error", "detail": detail}
        if isinstance(topic, str) and topic in TOPICS:
            message["topic"] = topic
        if sub_id is not None:
            message["id"] = sub_id
        await self.send_json(message)


def _frame(sub: Subscription, kind: str, seq: int, data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot or delta frame of `sub`, with its subscribe id when the client gave one."""
    frame: dict[str, Any] = {
        "v": PROTOCOL_VERSION,
        "type": kind,
        "topic": sub.topic.name,
        "seq": seq,
        "data": data,
    }
    if sub.id is not None:
        frame["id"] = sub.id
    return frame
