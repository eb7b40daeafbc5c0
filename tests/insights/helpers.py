"""Building blocks for the insights tests: checks made of lambdas, and contexts by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from collectors.records import Inventory
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject


def draft(check: str, name: str, severity: str = "warning", namespace: str = "shop",
          kind: str = "service", **extra: object) -> Draft:
    """A draft about `<kind>:<namespace>/<name>`."""
    subject_id = f"{kind}:{namespace}/{name}" if namespace else f"{kind}:{name}"
    return Draft(check, severity, Subject(kind, subject_id, namespace, name),
                 f"{name} is wrong", f"{name} is wrong because of a test", remedy=Remedy(
                     "fix it", f"kubectl get svc {name}", "shell"), **extra)  # type: ignore[arg-type]


def scripted(check_id: str, produce: Callable[[InsightContext], Iterable[Draft]]) -> Check:
    """A check whose drafts `produce` decides."""
    return Check(check_id, f"{check_id} title", f"{check_id} row", produce, "a scripted check")


def context(at: datetime, inventory: Inventory | None = None, **kwargs: object) -> InsightContext:
    """A context over `inventory` (default: empty) with nothing else."""
    return InsightContext(at=at, window_s=300.0, inventory=inventory or Inventory(), **kwargs)  # type: ignore[arg-type]


def drafts_of(check: Check, ctx: InsightContext) -> list[Draft]:
    """What `check` reports on `ctx`."""
    return list(check.run(ctx))
