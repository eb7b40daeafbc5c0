"""Search-path amplification per namespace: ndots:5 turns one external lookup into many.

With the kubelet's default ndots:5 and three search domains, api.example.com is tried as
api.example.com.<ns>.svc.cluster.local, .svc.cluster.local and .cluster.local first: three
NXDOMAINs before the real answer, for A and AAAA alike. The expected cost comes from each
namespace's pods (webapp/dns/amplification.py); CoreDNS's cluster NXDOMAIN share says whether
it is actually happening, which makes the finding a warning rather than information.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

from webapp.dns import amplification, remedies
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject
from webapp.traffic.convert import bounded

ID = "dns_search_amplification"
BOOK_ROW = (
    "Many NXDOMAIN answers / slow external lookups → ndots:5 search-path expansion: lower "
    "ndots in dnsConfig, use trailing dots, or CoreDNS autopath"
)
# A namespace is reported when an external name costs its pods at least this many queries
# (2 is the minimum: A and AAAA of the absolute name).
AMPLIFIED_LOOKUPS = 4
# Observed: the NXDOMAIN share from which the amplification is taken as real. Of all answers,
# or inside the cluster domain when that is larger (its kubernetes-plugin basis is a lower
# bound: cached NXDOMAINs are not counted there). Healthy clusters answer a few % NXDOMAIN;
# every expanded external lookup adds three.
NXDOMAIN_SHARE_WARNING = 0.10


def _observed(context: InsightContext, domain: str) -> dict[str, object] | None:
    if context.dns is None:
        return None
    return amplification.observed(context.dns.zones, domain)


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per namespace whose pods' resolver settings amplify external lookups."""
    pods = context.inventory.pods
    domain = amplification.cluster_domain(pods)
    seen = _observed(context, domain)
    aaaa = seen is None or bool(seen["a_aaaa_doubling"]) or seen["aaaa_share"] is None
    shares = [seen.get(k) for k in ("nxdomain_share", "cluster_nxdomain_share")] if seen else []
    share = max((v for v in shares if isinstance(v, float)), default=None)
    confirmed = share is not None and share >= NXDOMAIN_SHARE_WARNING
    for p in amplification.namespace_profiles(pods, aaaa=aaaa):
        if not p.pods_amplified or p.expected_lookups < AMPLIFIED_LOOKUPS:
            continue
        ns = bounded(p.namespace)
        others = [asdict(remedies.trailing_dot(amplification.EXAMPLE_NAME)),
                  asdict(remedies.autopath(domain))]  # fmt: skip
        fix = remedies.dns_config(amplification.RECOMMENDED_NDOTS)
        yield Draft(
            check=ID,
            severity="warning" if confirmed else "info",
            subject=Subject("namespace", f"namespace:{ns}", ns, ns),
            title=f"{ns}: an external lookup costs {p.expected_lookups} DNS queries "
            f"(ndots:{p.ndots})",
            message=f"{p.pods_amplified} of {p.pods} pods in {ns} resolve with ndots:{p.ndots} "
            f"and {len(p.search)} search domains, so {amplification.EXAMPLE_NAME} costs "
            f"{p.expected_lookups} queries instead of 2"
            + (
                f"; CoreDNS answers NXDOMAIN to {share:.0%} of queries."
                if share is not None
                else "."
            ),
            evidence={
                "ndots": p.ndots,
                "search": list(p.search)[:10],
                "pods": p.pods,
                "pods_amplified": p.pods_amplified,
                "configurations": p.configurations,
                "lookups_per_family": p.lookups_per_family,
                "expected_lookups": p.expected_lookups,
                "a_and_aaaa": aaaa,
                "observed": seen,
                "method": amplification.METHOD,
                "other_remedies": others,
            },  # fmt: skip
            remedy=Remedy(f"{fix.title}. {fix.why}", fix.snippet, fix.format),
        )


CHECK = Check(
    id=ID,
    title="DNS search-path amplification",
    book_row=BOOK_ROW,
    run=run,
    description="Per namespace: pods whose ndots and search list make an external name cost "
    f"at least {AMPLIFIED_LOOKUPS} queries; a warning when CoreDNS's NXDOMAIN share "
    f"is ≥ {NXDOMAIN_SHARE_WARNING:.0%}, information otherwise.",
)
