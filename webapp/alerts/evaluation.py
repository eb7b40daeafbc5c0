"""Evaluating rules after a cycle: stored data in, alert states and queued deliveries out.

Each rule is judged at an evaluation time `at` (a cycle's time, or now for the stall check),
from stored rows only, so the demo, production and replay tests run the same code. Running
the same evaluation twice is harmless: a rule is claimed for `at` in the transaction that
writes its states and deliveries, and a rule already evaluated at `at` or later is skipped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from webapp.alerts import states, templates
from webapp.alerts.deliveries import Change, queue_notifications
from webapp.alerts.models import Alert, AlertEvent, AlertRule
from webapp.alerts.rules import KINDS
from webapp.alerts.rules import sources as extra
from webapp.alerts.rules.base import CycleHealth, KindResult, Observation, RuleSpec, Scope

log = logging.getLogger("meshwatch.alerts")


class LiveContext:
    """The real data for an evaluation at `at`; each graph window is built once and shared."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self._graphs: dict[tuple[float, datetime], dict[str, Any]] = {}

    def graph(self, window_s: float, end: datetime | None = None) -> dict[str, Any]:
        """The workload graph of every namespace over `window_s` ending at `end` (or `at`)."""
        from webapp.graph.options import GraphOptions
        from webapp.graph.services import graph_snapshot, health_thresholds

        key = (window_s, end or self.at)
        if key not in self._graphs:
            options = GraphOptions(window_s=window_s, window_text=f"{int(window_s)}s",
                                   at=key[1], health=health_thresholds())
            self._graphs[key] = graph_snapshot(options, now=self.at)
        return self._graphs[key]

    def cycle_health(self) -> CycleHealth:
        """The newest good cycle and the statuses of the last ten, as of `at`."""
        from webapp.traffic.models import Cycle

        cycles = Cycle.objects.filter(at__lte=self.at).exclude(status=Cycle.Status.RUNNING)
        recent = list(cycles.order_by("-at").values_list("status", "interval_s", "source")[:10])
        latest = cycles.filter(status=Cycle.Status.OK).order_by("-at").values_list(
            "at", flat=True).first()
        interval = recent[0][1] if recent else settings.MESHWATCH_INTERVAL_S
        source = recent[0][2] if recent else ""
        return CycleHealth(latest, interval, tuple(r[0] for r in recent), source)

    def dns(self, window_s: float) -> tuple[Any, ...]:
        return extra.dns_observations(self.at - timedelta(seconds=window_s), self.at)

    def insights(self) -> tuple[Any, ...]:
        return extra.insight_findings()

    def strict_mtls(self) -> tuple[Any, ...]:
        return extra.strict_mtls_targets()


@dataclass
class Report:
    """What an evaluation did."""

    evaluated: int = 0
    skipped: int = 0
    changes: list[Change] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)


def spec_of(rule: AlertRule) -> RuleSpec:
    """The rule as plain data for its kind."""
    return RuleSpec(rule.pk, rule.name, rule.kind, Scope.from_json(rule.scope or {}),
                    rule.threshold, float(rule.window_seconds), rule.severity, rule.params or {})


def fingerprint(rule_id: int, subject: str) -> str:
    """The stable identity of (rule, subject): one alert per pair, across episodes."""
    return hashlib.sha256(f"{rule_id}\n{subject}".encode()).hexdigest()


def evaluate_rules(at: datetime, *, kinds: Iterable[str] | None = None,
                   context: Any = None) -> Report:
    """Judge every enabled rule (of `kinds`, if given) at `at`; a failing rule is logged.

    1. Skip rules already evaluated at `at` or later (a replayed task, an older cycle).
    2. Run the kind on the shared context (graphs are built once per window).
    3. In one transaction: claim the rule for `at`, step its alerts, record history, queue
       the notifications of the changes. A lost claim writes nothing.
    """
    context = context or LiveContext(at)
    rules = AlertRule.objects.filter(enabled=True).order_by("pk")
    if kinds is not None:
        rules = rules.filter(kind__in=list(kinds))
    report = Report()
    for rule in rules.prefetch_related("receivers"):
        if rule.last_evaluated_at is not None and rule.last_evaluated_at >= at:
            report.skipped += 1
            continue
        try:
            result = KINDS[rule.kind](spec_of(rule), context)
        except Exception:  # noqa: BLE001 - one broken rule must not stop the others
            log.exception("alerts: rule %s (%s) failed at %s", rule.pk, rule.kind, at)
            continue
        with transaction.atomic():
            if not _claim(rule, at):
                report.skipped += 1
                continue
            changes = apply_result(rule, result, at)
            report.deliveries += queue_notifications(rule, changes, at)
        report.evaluated += 1
        report.changes += changes
    return report


def _claim(rule: AlertRule, at: datetime) -> bool:
    not_yet = Q(last_evaluated_at__isnull=True) | Q(last_evaluated_at__lt=at)
    return bool(AlertRule.objects.filter(not_yet, pk=rule.pk).update(last_evaluated_at=at))


def apply_result(rule: AlertRule, result: KindResult, at: datetime) -> list[Change]:
    """Step the rule's alerts by `result`; returns the changes receivers must hear of.

    Only breached subjects get a row when they first appear, so a rule over a thousand
    healthy edges writes nothing. A subject no longer observed counts as not breached,
    unless the kind could not judge at all (`note`): missing data must not resolve alerts.
    """
    AlertRule.objects.filter(pk=rule.pk).update(last_note=result.note[:500])
    existing = {a.subject: a for a in rule.alerts.exclude(state=Alert.State.INACTIVE)}
    changes: list[Change] = []
    for observation in result.observations:
        alert = existing.pop(observation.subject, None)
        if alert is None and observation.breached:
            alert = _new_alert(rule, observation.subject, at)
        if alert is not None:
            changes += _step(rule, alert, observation, at)
    if not result.note or result.observations:
        for alert in existing.values():
            if alert.state in (Alert.State.PENDING, Alert.State.FIRING):
                changes += _step(rule, alert, None, at)
    return changes


def _new_alert(rule: AlertRule, subject: str, at: datetime) -> Alert:
    alert, _ = Alert.objects.get_or_create(
        rule=rule, subject=subject,
        defaults={"fingerprint": fingerprint(rule.pk, subject), "last_evaluated_at": at},
    )
    return alert


def _step(rule: AlertRule, alert: Alert, observation: Observation | None,
          at: datetime) -> list[Change]:
    """Move one alert on; write it only when something it shows changed."""
    before = states.Clock(alert.state, alert.active_since, alert.firing_since, alert.resolved_at)
    after = states.step(before, bool(observation and observation.breached), rule.for_seconds, at)
    if observation is not None:
        alert.value = observation.value
        alert.evidence = observation.evidence
        alert.labels = _labels(rule, observation)
        names = templates.values_for(alert.labels, observation.evidence, observation.value,
                                     alert.subject, rule.threshold)
        alert.annotations = templates.render(rule.annotations or {}, names)
    if after == before and after.state in (states.INACTIVE, states.RESOLVED):
        return []
    alert.state, alert.active_since = after.state, after.active_since
    alert.firing_since, alert.resolved_at = after.firing_since, after.resolved_at
    alert.last_evaluated_at = at
    alert.save()
    if after.state != before.state:
        AlertEvent.objects.create(alert=alert, at=at, from_state=before.state,
                                  to_state=after.state, value=alert.value)
    event = states.notified_event(before, after)
    return [Change(alert, event)] if event else []


def _labels(rule: AlertRule, observation: Observation) -> dict[str, str]:
    """Subject labels, then the rule's own labels, then the fixed ones (which always win)."""
    labels = {**observation.labels, **{k: str(v) for k, v in (rule.labels or {}).items()}}
    labels.update(alertname=rule.name, severity=rule.severity, rule_kind=rule.kind)
    return labels
