"""Publishing: after a cycle commits, every watched view gets its next snapshot and delta.

Runs synchronously in whatever process ran the cycle (a Celery worker, the demo's scheduler
thread, `manage.py collect`). One-way push: store → commit → group_send → consumers.

Every publish of a newer cycle bumps a watched view's seq by one and sends one delta, even
when no item changed: the delta still carries the new `generated_at` and `window`, so a
client sees its view move on every cycle (DESIGN.md §3: "a delta after every cycle").
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from webapp.live.diff import delta_data
from webapp.live.models import TopicDelta, TopicState
from webapp.live.topics import EVENT_DELTA, TOPICS, Topic, group_name, state_key

log = logging.getLogger("meshwatch.live")

# A view nobody subscribed to or kept alive for this long stops being rebuilt each cycle;
# subscribed sockets keep it alive every KEEP_ALIVE (well inside ACTIVE_FOR).
ACTIVE_FOR = timedelta(minutes=15)
KEEP_ALIVE = timedelta(minutes=5)
# Views unseen this long are deleted with their history.
PRUNE_AFTER = timedelta(days=1)
_ATTEMPTS = 5


def publish_cycle(at: datetime) -> None:
    """Advance every active, unpinned view to cycle `at` and push its delta to its group.

    A failing view is logged and skipped, so one broken builder cannot starve the others.
    """
    now = timezone.now()
    prune_states(now)
    active = TopicState.objects.filter(pinned=False, last_seen_at__gte=now - ACTIVE_FOR)
    for pk in active.order_by("pk").values_list("pk", flat=True):
        try:
            advance(pk, at)
        except Exception:  # noqa: BLE001 - one view's failure must not stop the rest
            log.exception("live: publishing view %s for cycle %s failed", pk, at.isoformat())


def ensure_state(topic: Topic, options: Any) -> TopicState:
    """The state of the view (topic, options), fresh enough to serve a new subscriber.

    1. Absent: build the first snapshot and create it (a concurrent creator may win; then
       its row is used).
    2. Present but inactive (cycles skipped it): catch it up with one delta now.
    3. Mark it seen, so the next cycles keep it current.
    """
    params = options.as_params()
    key = state_key(topic.name, params)
    now = timezone.now()
    state = TopicState.objects.filter(key=key).first()
    if state is None:
        snapshot = to_json(topic.build(options))
        try:
            state = TopicState.objects.create(
                key=key, topic=topic.name, params=params, pinned=topic.is_pinned(options),
                seq=int(time.time() * 1000), snapshot=snapshot, updated_at=now, last_seen_at=now,
            )
        except IntegrityError:
            state = TopicState.objects.get(key=key)
    elif not state.pinned and state.last_seen_at < now - ACTIVE_FOR:
        advance(state.pk, None)
    TopicState.objects.filter(pk=state.pk).update(last_seen_at=now)
    return TopicState.objects.get(pk=state.pk)


def advance(pk: int, at: datetime | None) -> TopicDelta | None:
    """Rebuild view `pk`, store its next seq, snapshot and delta, and send the delta on commit.

    `at` is the cycle being published (None: catch up unconditionally). A cycle not newer
    than the one already published into the view is skipped, so retried or out-of-order
    publishes add no second delta. Two publishers at once: the row lock (PostgreSQL) and the
    conditional update on seq (every database) let exactly one write each seq; the other
    re-reads and diffs against the winner's snapshot.
    """
    state = TopicState.objects.get(pk=pk)
    if _already_published(state, at):
        return None
    topic = TOPICS[state.topic]
    # Built outside the transaction: builders read many rows and must not hold the lock.
    snapshot = to_json(topic.build(topic.parse(state.params)))
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with transaction.atomic():
                current = TopicState.objects.select_for_update().get(pk=pk)
                if _already_published(current, at):
                    return None
                row = _store_next(current, topic, snapshot, at)
                if row is not None:
                    transaction.on_commit(partial(_send, current, row))
                    return row
        except OperationalError:
            # SQLite (the demo) has no row locks: a writer that read before another one
            # committed is refused ("database is locked"); it rolled back, so read again.
            if attempt == _ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    log.warning("live: view %s kept changing under us; skipped cycle %s", pk, at)
    return None


def _already_published(state: TopicState, at: datetime | None) -> bool:
    return at is not None and state.cycle_at is not None and at <= state.cycle_at


def _store_next(state: TopicState, topic: Topic, snapshot: dict, at: datetime | None,
                ) -> TopicDelta | None:
    """Write seq+1 if nobody else did since `state` was read; None when we lost the race."""
    seq = state.seq + 1
    won = TopicState.objects.filter(pk=state.pk, seq=state.seq).update(
        seq=seq, snapshot=snapshot, cycle_at=at or state.cycle_at, updated_at=timezone.now(),
    )
    if not won:
        return None
    row = TopicDelta.objects.create(
        state=state, seq=seq, data=delta_data(state.snapshot, snapshot, topic.collections)
    )
    TopicDelta.objects.filter(state=state, seq__lte=seq - settings.MESHWATCH_LIVE_HISTORY).delete()
    return row


def _send(state: TopicState, row: TopicDelta) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": EVENT_DELTA, "topic": state.topic, "key": state.key, "seq": row.seq,
             "data": row.data}
    try:
        async_to_sync(layer.group_send)(group_name(state.topic, state.key), event)
    except Exception:  # noqa: BLE001 - stored anyway; sockets catch up from the history
        log.exception("live: sending delta %s of view %s failed", row.seq, state.pk)


def prune_states(now: datetime) -> int:
    """Delete views nobody has watched for PRUNE_AFTER, with their history."""
    deleted, _ = TopicState.objects.filter(last_seen_at__lt=now - PRUNE_AFTER).delete()
    return deleted


def to_json(snapshot: dict[str, Any]) -> dict[str, Any]:
    """`snapshot` as the database will give it back, so diffs compare like with like.

    NaN and infinities are refused here, loudly, as the REST renderer refuses them.
    """
    return json.loads(json.dumps(snapshot, cls=DjangoJSONEncoder, allow_nan=False))
