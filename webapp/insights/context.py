"""Building the InsightContext of one evaluation from what is stored (the only I/O checks see)."""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.insights.checks.base import InsightContext

# The traffic and DNS window checks judge; a module constant, not a setting (see README).
WINDOW_S = 300.0


def build_context(at: datetime, window_s: float = WINDOW_S) -> InsightContext:
    """The context for cycle time `at`: current inventory, the window's traffic and DNS.

    `previous` holds every currently open finding's first_seen, so checks can grade by age.
    """
    from webapp.dns.queries import window_dns
    from webapp.insights.models import Finding
    from webapp.inventory.queries import current_inventory
    from webapp.traffic.queries import window_traffic

    start = at - timedelta(seconds=window_s)
    traffic = window_traffic(start, at)
    dns = window_dns(start, at)
    previous = dict(
        Finding.objects.filter(state=Finding.State.OPEN).values_list("id", "first_seen")
    )
    return InsightContext(
        at=at,
        window_s=window_s,
        inventory=current_inventory(),
        edges=traffic.edges,
        dns=dns if dns.cycles and (dns.zones or dns.upstreams) else None,
        previous=previous,
    )
