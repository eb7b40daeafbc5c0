"""Helpers the cluster checks share: selectors, a Service's endpoints, quoted kubectl lines.

Not a check (the leading underscore keeps discovery away). Names in remedies come from the
cluster, so every one is shell-quoted before it reaches a command line.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Mapping

from collectors.records import (
    EndpointRecord,
    EndpointSliceRecord,
    Inventory,
    PodRecord,
    ServiceRecord,
)

EVIDENCE_ITEMS = 20  # lists in evidence stop here and say how many they left out


def q(text: str) -> str:
    """`text` quoted for a POSIX shell."""
    return shlex.quote(text)


def selector_text(selector: Mapping[str, str]) -> str:
    """A match-labels selector as `kubectl -l` takes it: `app=web,tier=db`."""
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))


def matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Whether `labels` carry every key=value of a non-empty `selector`."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def is_external(service: ServiceRecord) -> bool:
    """ExternalName Services are a CNAME: they never have endpoints."""
    return service.type == "ExternalName" or bool(service.external_name)


def slices_by_service(inventory: Inventory) -> dict[tuple[str, str], list[EndpointSliceRecord]]:
    """Every EndpointSlice, by (namespace, Service name)."""
    found: dict[tuple[str, str], list[EndpointSliceRecord]] = defaultdict(list)
    for s in inventory.endpoint_slices:
        found[(s.namespace, s.service)].append(s)
    return found


def endpoints_of(slices: list[EndpointSliceRecord]) -> list[EndpointRecord]:
    """The endpoints of `slices`, terminating ones left out (they are on their way out)."""
    return [e for s in slices for e in s.endpoints if not e.terminating]


def pods_by_namespace(inventory: Inventory) -> dict[str, list[PodRecord]]:
    """Every pod, by namespace."""
    found: dict[str, list[PodRecord]] = defaultdict(list)
    for pod in inventory.pods:
        found[pod.namespace].append(pod)
    return found


def capped(items: list, limit: int = EVIDENCE_ITEMS) -> dict[str, object]:
    """`{"items": first limit, "left_off": how many more}` for evidence."""
    return {"items": items[:limit], "left_off": max(0, len(items) - limit)}


def node_pod_cidrs(inventory: Inventory) -> dict[str, tuple[str, ...]]:
    """Each node's pod CIDRs: from the Node, else from the cluster facts."""
    found = {n.name: tuple(n.pod_cidrs) for n in inventory.nodes if n.pod_cidrs}
    if inventory.facts is not None:
        for name, cidrs in inventory.facts.node_pod_cidrs.items():
            found.setdefault(name, tuple(cidrs))
    return dict(sorted(found.items()))
