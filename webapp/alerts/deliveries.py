"""Durable delivery: notifications are rows, claimed atomically, retried with backoff.

At least once: a delivery is marked delivered only after a 2xx, so a worker that dies mid-
attempt leaves it pending, and once its claim lapses any worker picks it up again. Receivers
drop the duplicates this can cause by the idempotency key (X-Meshwatch-Delivery). Claiming is
Healthchecks' way: `filter(id=x, claimed_until__lt=now).update(claimed_until=...)` and check
the row count, so two workers never attempt the same delivery at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from webapp.alerts import http
from webapp.alerts.models import (
    EPOCH,
    Alert,
    AlertRule,
    Delivery,
    DeliveryAttempt,
    Receiver,
    Silence,
)
from webapp.alerts.receivers import AlertView, Notification, render
from webapp.alerts.receivers.signing import signed_headers

log = logging.getLogger("meshwatch.alerts")
CLAIM_MARGIN = timedelta(seconds=10)  # a claim outlives the attempt's own timeouts by this


@dataclass(frozen=True)
class Change:
    """An alert that fired or resolved in an evaluation: `event` is firing or resolved."""

    alert: Alert
    event: str


def backoff_s(attempts: int, base_s: float | None = None, cap_s: float | None = None) -> float:
    """Seconds to wait after the `attempts`-th failure: doubling from base, capped, jittered.

    "Equal jitter": half the delay is fixed and half random, so retries after an outage
    spread out without any of them coming back at once.
    """
    base = settings.MESHWATCH_WEBHOOK_BACKOFF_S if base_s is None else base_s
    cap = settings.MESHWATCH_WEBHOOK_BACKOFF_MAX_S if cap_s is None else cap_s
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not secrecy


def delivery_key(receiver_id: int, event: str, group_key: str, alerts: list[Alert]) -> str:
    """The idempotency key: receiver, event, group and each alert's episode."""
    episodes = sorted(
        f"{a.fingerprint}@{a.firing_since.timestamp() if a.firing_since else 0}" for a in alerts
    )
    text = "|".join([str(receiver_id), event, group_key, *episodes])
    return hashlib.sha256(text.encode()).hexdigest()


def alert_view(alert: Alert, event: str) -> AlertView:
    """An alert as a notification of `event` reports it."""
    base = settings.MESHWATCH_EXTERNAL_URL.rstrip("/")
    return AlertView(
        fingerprint=alert.fingerprint, rule=alert.rule.name, subject=alert.subject,
        status="resolved" if event == "resolved" else "firing",
        severity=alert.rule.severity, value=alert.value, starts_at=alert.firing_since,
        ends_at=alert.resolved_at if event == "resolved" else None,
        labels=dict(alert.labels), annotations=dict(alert.annotations),
        evidence=dict(alert.evidence), url=f"{base}/api/v1/alerts/{alert.pk}" if base else "",
    )


def _muted(rule: AlertRule, alert: Alert, at: datetime, silences: list[Silence]) -> bool:
    if rule.muted_until is not None and rule.muted_until > at:
        return True
    return any(s.matches(rule.pk, alert.labels, at) for s in silences)


def queue_notifications(rule: AlertRule, changes: list[Change], at: datetime) -> list[int]:
    """Queue one delivery per (group, event, receiver) for `changes`; returns new ids.

    Call inside the transaction that changed the alerts, so a change and its notification
    commit together. Silenced or muted alerts change state but notify nobody.
    """
    receivers = [r for r in rule.receivers.all() if r.enabled]
    if not changes or not receivers:
        return []
    silences = list(Silence.objects.filter(starts_at__lte=at, ends_at__gt=at))
    groups: dict[tuple[str, tuple[str, ...]], list[Alert]] = defaultdict(list)
    for change in changes:
        if not _muted(rule, change.alert, at, silences):
            values = tuple(str(change.alert.labels.get(k, "")) for k in rule.group_by or [])
            groups[(change.event, values)].append(change.alert)
    created = []
    for (event, values), alerts in sorted(groups.items()):
        group_labels = dict(zip(rule.group_by or [], values, strict=True))
        group_key = f"{rule.name}:{json.dumps(group_labels, sort_keys=True)}"
        for receiver in receivers:
            key = delivery_key(receiver.pk, event, group_key, alerts)
            views = tuple(alert_view(a, event) for a in alerts)
            note = Notification(key, event, receiver.name, group_key, group_labels, views,
                                settings.MESHWATCH_EXTERNAL_URL)
            delivery = create_delivery(receiver, note, rule=rule, alerts=alerts)
            if delivery is not None:
                created.append(delivery.pk)
    return created


def create_delivery(receiver: Receiver, note: Notification, *, rule: AlertRule | None = None,
                    alerts: list[Alert] | None = None) -> Delivery | None:
    """Store the delivery of `note` to `receiver`; None when its key is already queued."""
    body = json.dumps(render(receiver.kind, note), sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                key=note.key, receiver=receiver, rule=rule, event=note.event,
                group_key=note.group_key[:600], body=body, next_attempt_at=now,
                expires_at=now + timedelta(seconds=settings.MESHWATCH_WEBHOOK_MAX_AGE_S),
            )
    except IntegrityError:
        return None  # the same notification was queued by an earlier run
    if alerts:
        delivery.alerts.set(alerts)
    return delivery


def due_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due and that nobody holds, oldest first."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now, claimed_until__lt=now
    )
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def claim(pk: int, now: datetime) -> bool:
    """Take delivery `pk` for one attempt; False when it is not due or another worker has it."""
    lease = now + timedelta(seconds=2 * settings.MESHWATCH_WEBHOOK_TIMEOUT_S) + CLAIM_MARGIN
    return bool(
        Delivery.objects.filter(
            pk=pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now, claimed_until__lt=now
        ).update(claimed_until=lease)
    )


def attempt(pk: int) -> http.Outcome | None:
    """Claim delivery `pk` and make one attempt; None when it was not ours to try.

    1. Claim it (the row count says whether we won).
    2. Sign the stored body with this attempt's timestamp and POST it (SSRF-checked).
    3. Record the attempt; then delivered, or the next attempt after a backoff, or dead
       once the delivery is older than MESHWATCH_WEBHOOK_MAX_AGE. The claim is released.
    """
    now = timezone.now()
    if not claim(pk, now):
        return None
    delivery = Delivery.objects.select_related("receiver").get(pk=pk)
    receiver = delivery.receiver
    body = delivery.body.encode()
    headers = signed_headers(receiver.secret, delivery.key, int(now.timestamp()), body)
    outcome = http.post(receiver.url, body, headers, settings.MESHWATCH_WEBHOOK_TIMEOUT_S)
    _record(delivery, outcome, now)
    return outcome


def _record(delivery: Delivery, outcome: http.Outcome, started: datetime) -> None:
    """Write the attempt and the delivery's next step in one transaction."""
    number = delivery.attempts + 1
    finished = timezone.now()
    fields: dict[str, object] = {"attempts": number, "claimed_until": finished,
                                 "last_error": outcome.error[:500]}
    if outcome.ok:
        fields.update(status=Delivery.Status.DELIVERED, delivered_at=finished)
    else:
        retry_at = finished + timedelta(seconds=backoff_s(number))
        if retry_at > delivery.expires_at:
            fields.update(status=Delivery.Status.DEAD)
        else:
            fields.update(next_attempt_at=retry_at)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, started_at=started, status_code=outcome.status_code,
            latency_ms=outcome.latency_ms, ok=outcome.ok, error=outcome.error[:500],
            response_excerpt=outcome.excerpt[: http.EXCERPT_BYTES],
        )
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
    # The receiver's name and outcome only: URLs can carry tokens and secrets never appear.
    log.log(logging.INFO if outcome.ok else logging.WARNING,
            "alerts: delivery %s to %s attempt %d: %s", delivery.key[:12],
            delivery.receiver.name, number, outcome.error or outcome.status_code)


def retry(delivery: Delivery) -> None:
    """Send a dead (or pending) delivery again from now, with a fresh maximum age."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.DELIVERED).update(
        status=Delivery.Status.PENDING, next_attempt_at=now, claimed_until=EPOCH,
        expires_at=now + timedelta(seconds=settings.MESHWATCH_WEBHOOK_MAX_AGE_S),
    )


def deliver_due(limit: int = 100) -> int:
    """Attempt every due delivery once, in this process; returns how many were attempted.

    One receiver that hangs costs at most its timeout per attempt, and a failing one only
    postpones itself (backoff), so the others are still tried in the same pass.
    """
    done = 0
    for pk in due_ids(limit=limit):
        if attempt(pk) is not None:
            done += 1
    return done
