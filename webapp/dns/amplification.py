"""Search-path amplification: how many queries one name costs, estimated from what is observable.

CoreDNS's `zone` label is the server block (everything is "." in the default Corefile), not the
name asked for, so the amplification cannot be read off a metric. It is estimated two ways:

- Expected, from the inventory: each pod's effective `ndots` and search list. A name with
  fewer dots than `ndots` (and no trailing dot) is tried with every search domain appended
  before it is tried as is; a name that exists outside the cluster therefore costs
  len(search) + 1 queries per address family, and glibc asks A and AAAA for each.
- Observed, from CoreDNS: the NXDOMAIN share (in a cluster zone of its own, or written by the
  `kubernetes` plugin), queries per NOERROR answer, and the AAAA share (A+AAAA doubling).
Pure functions: inventory pods and window totals in, JSON-ready structures out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from collectors.records import PodRecord
from webapp.dns.queries import ZoneTotals

EXAMPLE_NAME = "api.example.com"  # an external name with two dots, like most SaaS endpoints
RECOMMENDED_NDOTS = 2
# Pods whose resolv.conf comes from the node do not use the cluster search path.
CLUSTER_POLICIES = ("ClusterFirst", "ClusterFirstWithHostNet", "None", "")
METHOD = (
    "CoreDNS labels queries by server block, not by name, so amplification is estimated. "
    "Expected: from each pod's effective ndots and search list (inventory), an external name "
    f"such as {EXAMPLE_NAME} with fewer dots than ndots is tried with every search domain "
    "before itself: len(search)+1 queries per address family, ×2 when A and AAAA are both "
    "asked. Observed: NXDOMAIN share of all answers and inside the cluster domain (its own "
    "zone, or NXDOMAIN written by the kubernetes plugin; cached NXDOMAINs make that a lower "
    "bound), queries per NOERROR answer, and the AAAA share of A+AAAA queries (doubling when "
    "≥ 40%). observed_multiplier = queries per NOERROR × 2 when doubling: the queries one "
    "resolved name costs on average, internal and external names together."
)


def lookups_per_family(name: str, ndots: int, search: Sequence[str]) -> int:
    """Queries per address family for a `name` that exists outside the cluster (worst case).

    1. A trailing dot makes the name absolute: one query.
    2. At least `ndots` dots: tried as is first, and it exists: one query.
    3. Otherwise every search domain is appended first (each NXDOMAIN), then the name as is.
    """
    if name.endswith("."):
        return 1
    if name.count(".") >= ndots:
        return 1
    return len(search) + 1


def expected_lookups(name: str, ndots: int, search: Sequence[str], aaaa: bool = True) -> int:
    """Queries resolving `name` costs: per-family lookups, doubled when AAAA is asked too."""
    return lookups_per_family(name, ndots, search) * (2 if aaaa else 1)


def cluster_domain(pods: Iterable[PodRecord], default: str = "cluster.local") -> str:
    """The cluster domain the search lists name (`<ns>.svc.<domain>`, `svc.<domain>`)."""
    for pod in pods:
        for domain in pod.search:
            if domain.startswith("svc."):
                return domain[4:]
    return default


@dataclass(frozen=True)
class NamespaceProfile:
    """The resolver configuration of a namespace's pods, and what an external name costs."""

    namespace: str
    pods: int
    ndots: int
    search: tuple[str, ...]
    lookups_per_family: int
    expected_lookups: int
    pods_amplified: int
    configurations: int  # distinct (ndots, search) pairs among its pods


def namespace_profiles(
    pods: Iterable[PodRecord], namespaces: Sequence[str] = (), aaaa: bool = True
) -> list[NamespaceProfile]:
    """Per namespace (only `namespaces` when given), the worst configuration its pods have."""
    grouped: dict[str, list[PodRecord]] = {}
    for pod in pods:
        if pod.dns_policy in CLUSTER_POLICIES and (not namespaces or pod.namespace in namespaces):
            grouped.setdefault(pod.namespace, []).append(pod)
    profiles = []
    for namespace in sorted(grouped):
        configs = Counter((p.ndots, tuple(p.search)) for p in grouped[namespace])

        def cost(config: tuple[int, tuple[str, ...]]) -> int:
            return expected_lookups(EXAMPLE_NAME, config[0], config[1], aaaa)

        worst = max(configs, key=lambda c: (cost(c), configs[c]))
        minimum = expected_lookups(EXAMPLE_NAME + ".", 1, (), aaaa)
        amplified = sum(n for config, n in configs.items() if cost(config) > minimum)
        profiles.append(NamespaceProfile(
            namespace, len(grouped[namespace]), worst[0], worst[1],
            lookups_per_family(EXAMPLE_NAME, *worst), cost(worst), amplified, len(configs),
        ))  # fmt: skip
    return profiles


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def observed(zones: Sequence[ZoneTotals], domain: str) -> dict[str, object]:
    """The observable traces of amplification over all `zones` of the window."""
    requests = sum(z.requests for z in zones)
    answers = sum(sum(z.rcodes.values()) for z in zones)
    noerror = sum(z.rcodes.get("NOERROR", 0.0) for z in zones)
    nxdomain = sum(z.rcodes.get("NXDOMAIN", 0.0) for z in zones)
    a = sum(z.by_type.get("A", 0.0) for z in zones)
    aaaa = sum(z.by_type.get("AAAA", 0.0) for z in zones)
    own = [z for z in zones if z.zone.rstrip(".") == domain.rstrip(".")]
    if own:
        cluster_nx = _share(
            sum(z.rcodes.get("NXDOMAIN", 0.0) for z in own),
            sum(sum(z.rcodes.values()) for z in own),
        )
        basis = f"zone {domain}"
    elif any(z.nxdomain_by_plugin for z in zones):
        kube = sum(z.nxdomain_by_plugin.get("kubernetes", 0.0) for z in zones)
        cluster_nx, basis = _share(kube, answers), "kubernetes plugin (lower bound)"
    else:
        cluster_nx, basis = None, "not observable (no cluster zone, no plugin label)"
    aaaa_share = _share(aaaa, a + aaaa)
    doubling = aaaa_share is not None and aaaa_share >= 0.4
    per_answer = _share(requests, noerror)
    return {
        "requests": requests,
        "nxdomain_share": _share(nxdomain, answers),
        "cluster_nxdomain_share": cluster_nx,
        "cluster_nxdomain_basis": basis,
        "queries_per_noerror": per_answer,
        "aaaa_share": aaaa_share,
        "a_aaaa_doubling": doubling,
        "observed_multiplier": per_answer * (2 if doubling else 1) if per_answer else None,
    }
