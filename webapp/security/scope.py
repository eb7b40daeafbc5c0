"""An mTLS view of some namespaces, naming nothing of the others: pure functions, no I/O.

The view for `namespaces=a,b` is shared by every caller who asks for it (REST and the live
topic alike), so it is narrowed by what it was asked for, not by who asks: an edge between a
and another namespace keeps the other end only as the graph's opaque external id, and a
mismatch about a workload of `a` that cites workloads elsewhere cites them the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.conf import settings

from webapp.graph.scope import external_id

# A node id as the graph writes it: kind, namespace, then the rest up to a separator.
_NODE_ID = re.compile(r"\b(?:workload|service|app):([a-z0-9][a-z0-9.-]{0,252})/[^\s,;\"'`>)\]]+")


def _foreign(node_id: str, namespaces: Collection[str]) -> bool:
    match = _NODE_ID.fullmatch(node_id)
    return match is not None and match.group(1) not in namespaces


def _mask(node_id: str, namespaces: Collection[str]) -> str:
    return external_id(node_id, settings.SECRET_KEY) if _foreign(node_id, namespaces) else node_id


def _masked_text(text: str, namespaces: Collection[str]) -> str:
    return _NODE_ID.sub(lambda m: _mask(m.group(0), namespaces), text)


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` (any JSON) with `change` applied to every string in it, keys aside."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list | tuple):
        return [map_strings(v, change) for v in value]
    if isinstance(value, Mapping):
        return {k: map_strings(v, change) for k, v in value.items()}
    return value


def masked(value: Any, namespaces: Collection[str]) -> Any:
    """`value` (any JSON) with every node id of a namespace outside `namespaces` made opaque."""
    return map_strings(value, lambda text: _masked_text(text, namespaces))


def scope_edge(edge: Mapping[str, Any], namespaces: Collection[str]) -> dict[str, Any]:
    """An observed-coverage edge with its end outside `namespaces` made opaque."""
    source, target = _mask(edge["source"], namespaces), _mask(edge["target"], namespaces)
    if (source, target) == (edge["source"], edge["target"]):
        return dict(edge)
    return {**edge, "id": f"{source}>{target}", "source": source, "target": target}


def scope_mismatch(mismatch: Mapping[str, Any], namespaces: Collection[str]) -> dict[str, Any]:
    """A mismatch of a visible namespace with the workloads it cites elsewhere made opaque."""
    return {k: v if k in ("id", "kind", "namespace", "severity") else masked(v, namespaces)
            for k, v in mismatch.items()}
