"""DNS kinds: SERVFAIL and NXDOMAIN shares and p99 latency per CoreDNS server and zone."""

from __future__ import annotations

from typing import Any

from webapp.alerts.rules.base import Context, KindResult, Observation, RuleSpec

NO_DNS = "no DNS samples are stored yet"


def _dns_above(field: str) -> Any:
    """A kind that fires when a server/zone's `field` is above the threshold."""

    def kind(spec: RuleSpec, context: Context) -> KindResult:
        rows = context.dns(spec.window_s)
        if not rows:
            return KindResult(note=NO_DNS)
        zones = tuple(spec.params.get("zones") or ())
        found = []
        for row in rows:
            value = getattr(row, field)
            if value is None or (zones and row.zone not in zones):
                continue
            namespace = row.server.split("/", 1)[0] if "/" in row.server else ""
            if not spec.scope.has_namespace(namespace):
                continue
            labels = {"dns_server": row.server, "zone": row.zone, "namespace": namespace}
            evidence = {field: value, "rps": row.rps}
            found.append(Observation(f"dns:{row.server}/{row.zone}", labels, float(value),
                                     float(value) > spec.threshold, evidence))
        return KindResult(tuple(found))

    kind.__doc__ = f"DNS server/zone pairs whose {field} is above the threshold."
    return kind


dns_servfail_ratio = _dns_above("servfail_ratio")
dns_nxdomain_ratio = _dns_above("nxdomain_ratio")
dns_latency_p99 = _dns_above("p99_ms")
