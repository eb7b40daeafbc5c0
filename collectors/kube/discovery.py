"""API discovery: which of the kinds we know the server actually serves.

Core kinds are always served. Each CRD kind is started only when `/apis` lists its group
with one of the versions we read, and that group version lists the resource; a cluster
without Istio or Linkerd is normal, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kubernetes.client.exceptions import ApiException

from .client import Transport
from .kinds import ALL_KINDS, ResourceKind


@dataclass(frozen=True)
class ServedKind:
    """A kind the server serves, at the version we will list and watch."""

    kind: ResourceKind
    version: str

    @property
    def path(self) -> str:
        """The list/watch path at the served version."""
        return self.kind.path(self.version)


def served_groups(transport: Transport) -> dict[str, tuple[str, ...]]:
    """Group name → versions served, from the `/apis` APIGroupList."""
    body = transport.get_json("/apis")
    groups: dict[str, tuple[str, ...]] = {}
    for group in body.get("groups") or []:
        if isinstance(group, dict) and isinstance(group.get("name"), str):
            versions = [
                v.get("version") for v in group.get("versions") or [] if isinstance(v, dict)
            ]
            groups[group["name"]] = tuple(v for v in versions if isinstance(v, str))
    return groups


def _resources(transport: Transport, group: str, version: str) -> set[str]:
    try:
        body = transport.get_json(f"/apis/{group}/{version}")
    except ApiException as exc:
        if exc.status == 404:  # listed a moment ago, removed since: treat as absent
            return set()
        raise
    return {str(r.get("name")) for r in body.get("resources") or [] if isinstance(r, dict)}


def discover(transport: Transport, kinds: Iterable[ResourceKind] = ALL_KINDS) -> list[ServedKind]:
    """The kinds among `kinds` the server serves, each at its preferred served version.

    Raises what the transport raises when `/apis` itself cannot be read: without it we
    cannot tell absent CRDs from an unreachable server.
    """
    groups = served_groups(transport)
    cache: dict[tuple[str, str], set[str]] = {}
    served = []
    for kind in kinds:
        if not kind.group:
            served.append(ServedKind(kind, kind.versions[0]))
            continue
        version = next((v for v in kind.versions if v in groups.get(kind.group, ())), None)
        if version is None:
            continue
        key = (kind.group, version)
        if key not in cache:
            cache[key] = _resources(transport, kind.group, version)
        if kind.plural in cache[key]:
            served.append(ServedKind(kind, version))
    return served
