"""What a check is, what it reads and what it returns.

A check is a pure function of an `InsightContext` (stored inventory, the traffic and DNS of
the last window, derived views computed once and shared) to `Draft` findings. It does no I/O:
the engine builds the context, runs every check, and reconciles the drafts with the stored
findings (first seen, last seen, resolved when a check stops reporting its subject).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from collectors.records import EdgeSample, Inventory

if TYPE_CHECKING:
    from webapp.dns.queries import WindowDns
    from webapp.security.inputs import PolicyInputs
    from webapp.security.mismatches import Mismatch
    from webapp.security.policy import Intent

SEVERITIES = ("info", "warning", "critical")
SUBJECT_KINDS = ("cluster", "node", "namespace", "workload", "service", "pod", "edge", "policy")


@dataclass(frozen=True)
class Subject:
    """What a finding is about: `id` uses the graph's node ids where there is one.

    workload:<ns>/<name>, service:<ns>/<name>, edge:<source id>><target id>,
    namespace:<ns>, pod:<ns>/<name>, node:<name>, policy:<ns>/<kind>/<name>, cluster.
    """

    kind: str
    id: str
    namespace: str = ""
    name: str = ""


@dataclass(frozen=True)
class Remedy:
    """What to change: a sentence, and a snippet to paste (`language`: yaml or shell)."""

    text: str
    snippet: str = ""
    language: str = "yaml"


@dataclass(frozen=True)
class Draft:
    """One finding as a check reports it this cycle; the engine adds the times and state.

    `key` separates several findings of one check about one subject (a port, an upstream);
    (check, subject.id, key) names the finding across cycles.
    """

    check: str
    severity: str
    subject: Subject
    title: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    remedy: Remedy | None = None
    key: str = ""

    @property
    def id(self) -> str:
        """Stable and bounded whatever the subject's names: `<check>:<24 hex digits>`."""
        raw = "\x1f".join((self.check, self.subject.id, self.key)).encode()
        return f"{self.check}:{hashlib.sha256(raw).hexdigest()[:24]}"


@dataclass
class InsightContext:
    """What every check reads; built once per evaluation by the engine.

    `edges` are the window's traffic summed per edge (all namespaces), `dns` the window's
    CoreDNS totals (None when no DNS samples are stored). The cached properties are derived
    on first use and shared by all checks. `previous` maps the ids of the findings open
    before this evaluation to their first_seen.
    """

    at: datetime
    window_s: float
    inventory: Inventory
    edges: tuple[EdgeSample, ...] = ()
    dns: WindowDns | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Findings open before this evaluation, id → first_seen: lets a check say "for 10 min".
    previous: dict[str, datetime] = field(default_factory=dict)

    def open_for_s(self, finding_id: str) -> float:
        """Seconds finding `finding_id` has been open as of `at` (0: not open before)."""
        since = self.previous.get(finding_id)
        return max(0.0, (self.at - since).total_seconds()) if since is not None else 0.0

    @cached_property
    def policy_inputs(self) -> PolicyInputs:
        """The mTLS resolver's view of the inventory, built once for intents and mismatches."""
        from webapp.security.inputs import policy_inputs

        return policy_inputs(self.inventory)

    @cached_property
    def intents(self) -> dict[str, Intent]:
        """Every workload's effective mTLS intent, by workload node id."""
        from webapp.security.snapshot import intents_of

        return intents_of(self.policy_inputs)

    @cached_property
    def mtls_mismatches(self) -> list[Mismatch]:
        """webapp/security's mismatches for this window."""
        from webapp.security.coverage import coverage
        from webapp.security.mismatches import Context, find_mismatches

        context = Context(self.intents, coverage(self.edges), self.edges, self.policy_inputs)
        return find_mismatches(context)


@dataclass(frozen=True)
class Check:
    """One check: `book_row` names the troubleshooting-table row it automates."""

    id: str
    title: str
    book_row: str
    run: Callable[[InsightContext], Iterable[Draft]]
    description: str = ""
