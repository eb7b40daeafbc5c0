"""A high SERVFAIL share from CoreDNS: lookups fail outright, and clients retry them.

SERVFAIL is CoreDNS saying it could not answer: an upstream down or slow, a forwarding loop,
the kubernetes plugin not synced with the API. Clients see "temporary failure in name
resolution" and retry, adding load where it already hurts.
"""

from __future__ import annotations

from collections.abc import Iterator

from webapp.dns.queries import ZoneTotals
from webapp.insights.checks import dns_common as d
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy
from webapp.insights.checks.traffic_common import q

ID = "dns_servfail_high"
BOOK_ROW = (
    "SERVFAIL from CoreDNS → check the upstream resolvers (forward), the errors plugin's "
    "log lines and the kubernetes plugin's connection to the API server"
)
# Share of a zone's answers that are SERVFAIL: warning from 1 %, critical from 5 %.
SERVFAIL_SHARE_WARNING = 0.01
SERVFAIL_SHARE_CRITICAL = 0.05


def finding(zone: ZoneTotals, context: InsightContext) -> Draft | None:
    """The draft for one server block and zone, or None below the thresholds."""
    answers = sum(zone.rcodes.values())
    servfail = zone.rcodes.get("SERVFAIL", 0.0)
    if answers < d.MIN_QUERIES or servfail / answers < SERVFAIL_SHARE_WARNING:
        return None
    ratio = servfail / answers
    subject = d.subject(context.inventory)
    covered = context.dns.covered_s if context.dns is not None else 0.0
    return Draft(
        check=ID,
        severity="critical" if ratio >= SERVFAIL_SHARE_CRITICAL else "warning",
        subject=subject,
        title=f"CoreDNS answers {ratio:.1%} SERVFAIL (zone {zone.zone or '.'})",
        message=f"{servfail:.0f} of {answers:.0f} answers in zone {zone.zone or '.'} "
        f"(server {zone.server or 'default'}) were SERVFAIL over the window.",
        evidence={
            "server": zone.server,
            "zone": zone.zone,
            "servfail_share": d.share(servfail, answers),
            "servfail_per_s": round(servfail / covered, 4) if covered else None,
            "answers": round(answers, 3),
            "rcodes": {k: round(v, 3) for k, v in sorted(zone.rcodes.items())},
            "instances": sorted(zone.instances)[:20],
        },  # fmt: skip
        remedy=Remedy(
            "Read CoreDNS's logs for the failing names and check the upstreams it forwards to "
            "(see dns_upstream_failing) and its connection to the API server.",
            f"kubectl logs -n {q(subject.namespace)} -l k8s-app=kube-dns --tail=100 | "
            "grep -i servfail",
            "shell",
        ),
        key=f"{zone.server}|{zone.zone}",
    )


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per zone whose SERVFAIL share passes SERVFAIL_SHARE_WARNING."""
    if context.dns is None:
        return
    for zone in context.dns.zones:
        draft = finding(zone, context)
        if draft is not None:
            yield draft


CHECK = Check(
    id=ID,
    title="CoreDNS SERVFAIL share high",
    book_row=BOOK_ROW,
    run=run,
    description=f"Per CoreDNS server block and zone: SERVFAIL ≥ {SERVFAIL_SHARE_WARNING:.0%} "
    f"of answers is a warning, ≥ {SERVFAIL_SHARE_CRITICAL:.0%} critical (zones with at least "
    f"{d.MIN_QUERIES:g} answers in the window).",
)
