"""Alertmanager webhook payloads (version "4") received at POST /api/v1/alertmanager.

Parsing is a pure function that says exactly what is wrong with a bad body. Storing drops
the duplicates an HA pair of Alertmanagers sends (each member notifies on its own): one row
per (groupKey, fingerprint, status, startsAt).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from webapp.alerts.models import InboundAlert
from webapp.timeparse import parse_time

# Firing inbound alerts never resolved are dropped from the overlay after this long.
STALE_AFTER = timedelta(days=7)
_ZERO_TIME_PREFIX = "0001-01-01"


class PayloadError(ValueError):
    """A body that is not an Alertmanager webhook payload; the message says why."""


@dataclass(frozen=True)
class InboundItem:
    """One alert of a payload, normalized."""

    group_key: str
    receiver: str
    external_url: str
    fingerprint: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime | None
    ends_at: datetime | None
    generator_url: str

    @property
    def dedupe_key(self) -> str:
        starts = self.starts_at.isoformat() if self.starts_at else ""
        text = "\n".join([self.group_key, self.fingerprint, self.status, starts])
        return hashlib.sha256(text.encode()).hexdigest()


def _strings(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(f"{where} must be an object of strings")
    return {str(k): str(v) for k, v in value.items()}


def _time(value: Any, where: str) -> datetime | None:
    if value in (None, "") or str(value).startswith(_ZERO_TIME_PREFIX):
        return None  # Alertmanager's zero time means "not set"
    try:
        return parse_time(str(value))
    except ValueError as exc:
        raise PayloadError(f"{where} is not an RFC 3339 time: {value!r}") from exc


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """A fingerprint for payloads without one (older Alertmanagers): a digest of the labels."""
    canonical = json.dumps(dict(sorted(labels.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def parse_payload(data: Any) -> list[InboundItem]:
    """The alerts of a version 4 payload; PayloadError names the first problem found."""
    if not isinstance(data, Mapping):
        raise PayloadError("the body must be a JSON object (an Alertmanager webhook payload)")
    if str(data.get("version", "")) != "4":
        raise PayloadError('unsupported payload: "version" must be "4" (Alertmanager webhook)')
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        raise PayloadError('"alerts" must be a list')
    group_status = str(data.get("status", "firing"))
    items = []
    for index, raw in enumerate(alerts):
        where = f"alerts[{index}]"
        if not isinstance(raw, Mapping):
            raise PayloadError(f"{where} must be an object")
        labels = _strings(raw.get("labels"), f"{where}.labels")
        if not labels:
            raise PayloadError(f"{where}.labels must name the alert (at least alertname)")
        status = str(raw.get("status") or group_status)
        if status not in ("firing", "resolved"):
            raise PayloadError(f'{where}.status must be "firing" or "resolved"')
        items.append(InboundItem(
            group_key=str(data.get("groupKey", ""))[:1000],
            receiver=str(data.get("receiver", ""))[:200],
            external_url=str(data.get("externalURL", ""))[:2000],
            fingerprint=str(raw.get("fingerprint") or label_fingerprint(labels))[:64],
            status=status, labels=labels,
            annotations=_strings(raw.get("annotations"), f"{where}.annotations"),
            starts_at=_time(raw.get("startsAt"), f"{where}.startsAt"),
            ends_at=_time(raw.get("endsAt"), f"{where}.endsAt"),
            generator_url=str(raw.get("generatorURL", ""))[:2000],
        ))
    return items


def store(items: list[InboundItem]) -> tuple[int, int]:
    """Store new reports; returns (accepted, duplicates)."""
    now = timezone.now()
    accepted = 0
    for item in items:
        try:
            with transaction.atomic():
                InboundAlert.objects.create(
                    dedupe_key=item.dedupe_key, group_key=item.group_key,
                    fingerprint=item.fingerprint, status=item.status, receiver=item.receiver,
                    labels=item.labels, annotations=item.annotations, starts_at=item.starts_at,
                    ends_at=item.ends_at, generator_url=item.generator_url,
                    external_url=item.external_url, received_at=now,
                )
        except IntegrityError:
            continue  # the other member of the HA pair (or a repeat) sent it already
        accepted += 1
    return accepted, len(items) - accepted


def firing_inbound(now: datetime | None = None) -> list[InboundAlert]:
    """Inbound alerts whose newest report is firing and not past its end or stale."""
    now = now or timezone.now()
    rows = InboundAlert.objects.filter(received_at__gte=now - STALE_AFTER).order_by(
        "-received_at", "-pk")
    newest: dict[str, InboundAlert] = {}
    for row in rows:
        newest.setdefault(row.fingerprint, row)
    return [row for row in newest.values()
            if row.status == "firing" and (row.ends_at is None or row.ends_at > now)]
