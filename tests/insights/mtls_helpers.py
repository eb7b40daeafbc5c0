"""Mismatches by hand for the mTLS checks' tests (webapp/security finds the real ones)."""

from __future__ import annotations

from tests.conftest import T0
from tests.insights.helpers import context
from webapp.insights.checks.base import InsightContext
from webapp.security.mismatches import Mismatch


def with_mismatches(*mismatches: Mismatch) -> InsightContext:
    """A context whose (cached) mismatches are `mismatches`."""
    ctx = context(T0)
    ctx.mtls_mismatches = list(mismatches)  # the cached property's slot, filled in advance
    return ctx


def mismatch(kind: str, namespace: str, *ids: str, severity: str = "warning",
             yaml: str = "kind: PeerAuthentication\n", **evidence: object) -> Mismatch:  # fmt: skip
    """A mismatch of `kind` about `ids`."""
    return Mismatch(f"{kind}:{namespace}/{'|'.join(ids)}", kind, namespace, ids, dict(evidence),
                    f"{kind} in {namespace}: fix it.", yaml, severity)  # fmt: skip
