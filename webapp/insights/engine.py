"""The insights engine: run every check on one context, then reconcile with stored findings.

1. `run_checks` runs each check alone: a check that raises (or returns a malformed draft)
   is logged and recorded as failed; the others go on.
2. `reconcile` writes the outcome in one transaction. Per check that ran fine: new drafts
   open findings, repeats move `last_seen` (and evidence), open findings it did not report
   are resolved, resolved ones it reports again reopen with a new `first_seen`. A failed
   check's findings are left untouched, so a bug never reads as "all clear".
3. Two workers judging at once are serialised by row locks on the checks' CheckRun rows
   (taken in id order), and a check already judged at a later time is not judged again at
   an older one. Writing only what differs makes a repeated evaluation change nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from webapp.insights.bounds import bounded, bounded_evidence
from webapp.insights.checks import all_checks
from webapp.insights.checks.base import SEVERITIES, SUBJECT_KINDS, Check, Draft, InsightContext
from webapp.insights.models import SEVERITY_RANK, CheckRun, Finding

log = logging.getLogger("meshwatch.insights")
MAX_DRAFTS_PER_CHECK = 5000  # past this a check is taken for broken, not the cluster


@dataclass(frozen=True)
class CheckOutcome:
    """What one check did: its drafts by id, or the error that stopped it."""

    check: Check
    drafts: dict[str, Draft] = field(default_factory=dict)
    error: str = ""
    duration_ms: float = 0.0


@dataclass
class Report:
    """What one evaluation changed, counted; `failed` lists the checks that raised."""

    at: datetime
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    reopened: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        """Rows written besides the run status."""
        return self.opened + self.updated + self.resolved + self.reopened


def _validate(check: Check, draft: object) -> Draft:
    if not isinstance(draft, Draft):
        raise TypeError(f"returned {type(draft).__name__}, not a Draft")
    if draft.check != check.id:
        raise ValueError(f"returned a draft of check {draft.check[:64]!r}")
    if draft.severity not in SEVERITIES:
        raise ValueError(f"severity {draft.severity[:20]!r} is not one of {', '.join(SEVERITIES)}")
    if draft.subject.kind not in SUBJECT_KINDS:
        raise ValueError(f"subject kind {draft.subject.kind[:20]!r} is unknown")
    return draft


def run_check(check: Check, context: InsightContext) -> CheckOutcome:
    """Run one check, catching whatever it raises."""
    started = time.perf_counter()
    try:
        drafts: dict[str, Draft] = {}
        for draft in check.run(context):
            valid = _validate(check, draft)
            drafts[valid.id] = valid
            if len(drafts) > MAX_DRAFTS_PER_CHECK:
                raise ValueError(f"reported more than {MAX_DRAFTS_PER_CHECK} findings")
    except Exception as exc:  # noqa: BLE001 - one check's bug must not stop the others
        log.exception("insights: check %s failed", check.id)
        elapsed = (time.perf_counter() - started) * 1000
        return CheckOutcome(check, error=f"{type(exc).__name__}: {exc}"[:2000], duration_ms=elapsed)
    return CheckOutcome(check, drafts, duration_ms=(time.perf_counter() - started) * 1000)


def run_checks(
    context: InsightContext, checks: Sequence[Check] | None = None
) -> list[CheckOutcome]:
    """Every check (default: all discovered) run on `context`, in id order."""
    chosen = checks if checks is not None else all_checks()
    return [run_check(check, context) for check in chosen]


def _fields(draft: Draft, book_row: str) -> dict[str, object]:
    """The stored columns a draft decides (times and state are the engine's)."""
    subject, remedy = draft.subject, draft.remedy
    return {
        "check_id": draft.check,
        "severity": draft.severity,
        "severity_rank": SEVERITY_RANK[draft.severity],
        "subject_kind": subject.kind,
        "subject_id": bounded(subject.id, 600),
        "namespace": bounded(subject.namespace, 253),
        "subject_name": bounded(subject.name, 253),
        "title": bounded(draft.title, 200),
        "message": bounded(draft.message, 4000),
        "evidence": bounded_evidence(draft.evidence),
        "remedy_text": bounded(remedy.text, 4000) if remedy else "",
        "remedy_snippet": bounded(remedy.snippet, 16000) if remedy else "",
        "remedy_language": bounded(remedy.language, 16) if remedy else "",
        "book_row": bounded(book_row, 300),
    }


def _apply(row: Finding, values: dict[str, object]) -> bool:
    """Set `values` on `row`; whether anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


_OPEN = Finding.State.OPEN
_RESOLVED = Finding.State.RESOLVED


def _reconcile_check(outcome: CheckOutcome, at: datetime, report: Report) -> None:
    """Bring one check's stored findings in line with what it reported at `at`."""
    check, drafts = outcome.check, outcome.drafts
    rows = {
        row.id: row
        for row in Finding.objects.filter(check_id=check.id, id__in=list(drafts))
        | Finding.objects.filter(check_id=check.id, state=_OPEN)
    }
    new, changed = [], []
    for finding_id, draft in drafts.items():
        values = _fields(draft, check.book_row)
        row = rows.get(finding_id)
        if row is None:
            new.append(Finding(id=finding_id, first_seen=at, last_seen=at, state=_OPEN, **values))
            continue
        if row.state == _RESOLVED:
            values.update(state=_OPEN, first_seen=at, resolved_at=None)
            report.reopened += 1
        elif row.last_seen < at:
            report.updated += 1
        values["last_seen"] = max(row.last_seen, at)
        if _apply(row, values):
            changed.append(row)
    for finding_id, row in rows.items():
        if finding_id not in drafts and row.state == _OPEN:
            row.state, row.resolved_at = _RESOLVED, at
            changed.append(row)
            report.resolved += 1
    Finding.objects.bulk_create(new, batch_size=500)
    report.opened += len(new)
    if changed:
        names = [f.name for f in Finding._meta.concrete_fields if f.name != "id"]
        Finding.objects.bulk_update(changed, names, batch_size=500)


def _retire_removed(at: datetime, known: set[str], report: Report) -> None:
    """Resolve the open findings of checks that no longer exist (their module was removed)."""
    gone = Finding.objects.filter(state=_OPEN).exclude(check_id__in=sorted(known))
    report.resolved += gone.update(state=_RESOLVED, resolved_at=at)
    CheckRun.objects.exclude(check_id__in=sorted(known)).delete()


def reconcile(at: datetime, outcomes: Iterable[CheckOutcome], complete: bool = False) -> Report:
    """Store the outcomes of an evaluation at `at` in one transaction (see the module doc).

    `complete` says the outcomes are every check there is, so findings of any other check
    belong to a check that was removed, and are resolved.
    """
    report = Report(at)
    by_id = {o.check.id: o for o in outcomes}
    with transaction.atomic():
        if complete:
            _retire_removed(at, set(by_id), report)
        CheckRun.objects.bulk_create(
            [CheckRun(check_id=i) for i in sorted(by_id)], ignore_conflicts=True
        )
        locked = CheckRun.objects.select_for_update().filter(check_id__in=list(by_id))
        for run in locked.order_by("check_id"):
            outcome = by_id[run.check_id]
            if run.last_run_at is not None and run.last_run_at > at:
                report.skipped.append(run.check_id)  # judged at a newer cycle already
                continue
            if outcome.error:
                report.failed.append(run.check_id)
            else:
                _reconcile_check(outcome, at, report)
            run.last_run_at, run.duration_ms = at, outcome.duration_ms
            run.status = CheckRun.Status.ERROR if outcome.error else CheckRun.Status.OK
            run.error, run.finding_count = outcome.error, len(outcome.drafts)
            run.save()
    return report


def evaluate(at: datetime, checks: Sequence[Check] | None = None,
             window_s: float | None = None) -> Report:
    """Build the context for `at`, run the checks (default: all) and store the outcome."""
    from webapp.insights.context import WINDOW_S, build_context

    context = build_context(at, window_s or WINDOW_S)
    report = reconcile(at, run_checks(context, checks), complete=checks is None)
    log.info(
        "insights at %s: %d opened, %d reopened, %d resolved, %d failed checks",
        at.isoformat(), report.opened, report.reopened, report.resolved, len(report.failed),
    )
    return report
