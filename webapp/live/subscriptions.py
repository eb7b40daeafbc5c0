"""What a socket needs when it (re)subscribes: a snapshot, or the deltas it missed.

Sync functions over the live app's own tables; the consumer calls them through
`database_sync_to_async`. They never build domain data except through `ensure_state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from webapp.live.broadcast import ensure_state
from webapp.live.models import TopicDelta, TopicState
from webapp.live.topics import Topic


@dataclass(frozen=True)
class Opening:
    """What to send a subscriber: a snapshot at `seq`, or else `deltas` (seq, data) in order."""

    seq: int
    snapshot: dict[str, Any] | None = None
    deltas: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def open_subscription(topic: Topic, options: Any, since: int | None = None) -> Opening:
    """The opening of a subscription to (topic, options) by a client that has seen `since`.

    Missed deltas when the history still holds every one after `since`; otherwise (no
    `since`, too old, or a seq this view never had) a fresh snapshot.
    """
    state = ensure_state(topic, options)
    if since is not None:
        deltas = missed_deltas(state, since)
        if deltas is not None:
            return Opening(state.seq, deltas=deltas)
    return Opening(state.seq, snapshot=state.snapshot)


def missed_deltas(state: TopicState, since: int) -> list[tuple[int, dict[str, Any]]] | None:
    """The deltas after `since` up to `state.seq`, or None when any of them is gone."""
    if since > state.seq:
        return None
    rows = list(
        TopicDelta.objects.filter(state=state, seq__gt=since, seq__lte=state.seq)
        .order_by("seq").values_list("seq", "data")
    )
    if len(rows) != state.seq - since:
        return None
    return [(seq, data) for seq, data in rows]


def keep_alive(key: str) -> None:
    """Mark the view `key` as still watched, so cycles keep rebuilding it."""
    TopicState.objects.filter(key=key).update(last_seen_at=timezone.now())
