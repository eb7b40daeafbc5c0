"""An upstream resolver CoreDNS forwards to is failing: external names fail or stall.

CoreDNS's forward plugin health-checks each upstream and counts its answers by rcode; a
failing upstream shows as failed health checks and SERVFAIL/REFUSED answers, and external
lookups that land on it are slow until forward marks it down.
"""

from __future__ import annotations

from collections.abc import Iterator

from webapp.dns.builders import UPSTREAM_FAILURE_SHARE, upstream_item
from webapp.dns.queries import UpstreamTotals
from webapp.insights.checks import dns_common as d
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy
from webapp.insights.checks.traffic_common import q

ID = "dns_upstream_failing"
BOOK_ROW = (
    "External names fail intermittently → check CoreDNS's upstreams (forward health "
    "checks, SERVFAIL from the upstream, /etc/resolv.conf of the nodes)"
)
# Error share (answers other than NOERROR/NXDOMAIN) that makes an upstream a warning; from
# the DNS view's failure share (webapp/dns/builders.UPSTREAM_FAILURE_SHARE, 10 %) critical.
# Any failed health check is a warning too: forward only fails one when the upstream is down.
ERROR_SHARE_WARNING = 0.01
ERROR_SHARE_CRITICAL = UPSTREAM_FAILURE_SHARE


def finding(upstream: UpstreamTotals, context: InsightContext) -> Draft | None:
    """The draft for one upstream, or None when it is healthy enough."""
    covered = context.dns.covered_s if context.dns is not None else 0.0
    item = upstream_item(upstream, covered)
    errors = item["error_share"] or 0.0
    failed_checks = upstream.healthcheck_failures
    if errors < ERROR_SHARE_WARNING and failed_checks <= 0:
        return None
    subject = d.subject(context.inventory)
    return Draft(
        check=ID,
        severity="critical" if errors >= ERROR_SHARE_CRITICAL else "warning",
        subject=subject,
        title=f"CoreDNS upstream {upstream.upstream} failing ({errors:.0%} errors)",
        message=f"Upstream {upstream.upstream} answered {errors:.1%} of CoreDNS's forwarded "
        f"queries with an error and failed {failed_checks:.0f} health check(s) in the window.",
        evidence={
            "upstream": upstream.upstream,
            "error_share": item["error_share"],
            "rcodes": item["rcodes"],
            "rps": item["rps"],
            "p99_ms": item["p99_ms"],
            "healthcheck_failures": item["healthcheck_failures"],
            "instances": item["instances"][:20],
        },
        remedy=Remedy(
            "Check the upstream resolver itself (reachable from the nodes, answering, not "
            "rate limiting), the nodes' /etc/resolv.conf that `forward . /etc/resolv.conf` "
            "reads, and consider `policy sequential` or a second upstream.",
            "\n".join(
                (
                    f"kubectl logs -n {q(subject.namespace)} -l k8s-app=kube-dns --tail=100",
                    f"kubectl get configmap -n {q(subject.namespace)} coredns -o yaml",
                    f"dig @{q(upstream.upstream.rsplit(':', 1)[0])} kubernetes.io +time=2",
                )
            ),
            "shell",
        ),  # fmt: skip
        key=upstream.upstream,
    )


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per upstream with failed health checks or an error share past the line."""
    if context.dns is None:
        return
    for upstream in context.dns.upstreams:
        draft = finding(upstream, context)
        if draft is not None:
            yield draft


CHECK = Check(
    id=ID,
    title="CoreDNS upstream failing",
    book_row=BOOK_ROW,
    run=run,
    description="Per upstream of CoreDNS's forward plugin: failed health checks or "
    f"≥ {ERROR_SHARE_WARNING:.0%} error answers are a warning, ≥ {ERROR_SHARE_CRITICAL:.0%} "
    "critical.",
)
