"""A built graph narrowed to the namespaces a caller may see: pure functions, no I/O.

Applied after the cache (the cached graph is shared by every caller of the same params) and
per socket on the live graph topic. A node of a namespace the caller may not see is dropped,
unless an edge joins it to a visible node: then it becomes an opaque external node, whose id
is a keyed hash of the real one (stable, so deltas line up; not reversible without the key)
and which carries no name, namespace, labels, traffic or alerts. Edges between two hidden
nodes are dropped; edges into a hidden node lose their alert marks, which may be the hidden
node's own.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Mapping
from typing import Any

EXTERNAL_KIND = "external"


def external_id(node_id: str, key: str) -> str:
    """The opaque id that stands for `node_id`."""
    digest = hmac.new(key.encode(), node_id.encode(), hashlib.sha256).hexdigest()
    return f"external:{digest[:16]}"


def _anchored(node: Mapping[str, Any], namespaces: Collection[str]) -> bool:
    """A node of a visible namespace (the unknown node belongs to none)."""
    return node.get("kind") not in ("unknown", EXTERNAL_KIND) and (
        node.get("namespace") in namespaces)


def _neutral(node: Mapping[str, Any]) -> bool:
    """A node that names no namespace: shown as it is when a visible node talks to it."""
    return node.get("kind") in ("unknown", EXTERNAL_KIND)


def external_node(node: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`node` with everything that identifies it removed; the key set stays the same."""
    blank: dict[str, Any] = {}
    for name, value in node.items():
        if isinstance(value, bool):
            blank[name] = False
        elif isinstance(value, int | float):
            blank[name] = 0
        elif isinstance(value, str):
            blank[name] = ""
        elif isinstance(value, dict):
            blank[name] = {}
        elif isinstance(value, list):
            blank[name] = []
        else:
            blank[name] = None
    blank.pop("alerts", None)
    blank.update({"id": external_id(str(node["id"]), key), "kind": EXTERNAL_KIND,
                  "health": "unknown", "outside": True})
    if "position" in node:
        blank["position"] = node["position"]
    if "traffic" in node:
        blank["traffic"] = {name: None for name in node["traffic"]}
    if "sidecar" in node:
        blank["sidecar"] = {"status": "", "meshed_pods": 0}
    return blank


def _edge(edge: Mapping[str, Any], ids: Mapping[str, str], hidden_target: bool) -> dict[str, Any]:
    result = dict(edge)
    source, target = ids.get(edge["source"], edge["source"]), ids.get(edge["target"],
                                                                         edge["target"])
    if (source, target) != (edge["source"], edge["target"]):
        result.update(source=source, target=target,
                      id=f"{source}>{target}|{edge.get('protocol', '')}")
    if hidden_target:
        result.pop("alerts", None)
    return result


def scope_items(nodes: list[Mapping[str, Any]], edges: list[Mapping[str, Any]],
                namespaces: Collection[str], key: str,
                known: Mapping[str, Mapping[str, Any]] | None = None,
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and edges narrowed to `namespaces`.

    `known` maps node ids to nodes not in `nodes` (a delta's edges may point at nodes the
    delta does not carry); an edge end found in neither is taken as hidden.
    """
    by_id: dict[str, Mapping[str, Any]] = {**(known or {}), **{n["id"]: n for n in nodes}}

    def anchored(node_id: str) -> bool:
        node = by_id.get(node_id)
        return node is not None and _anchored(node, namespaces)

    def neutral(node_id: str) -> bool:
        node = by_id.get(node_id, {"kind": "unknown" if node_id == "unknown" else ""})
        return _neutral(node)

    ids: dict[str, str] = {}
    kept_edges = []
    referenced: set[str] = set()
    for edge in edges:
        src_ok, tgt_ok = anchored(edge["source"]), anchored(edge["target"])
        if not (src_ok or tgt_ok):
            continue
        hidden_target = False
        for end, ok in ((edge["source"], src_ok), (edge["target"], tgt_ok)):
            referenced.add(end)
            if not ok and not neutral(end):
                ids[end] = external_id(end, key)
                hidden_target = hidden_target or end == edge["target"]
        kept_edges.append(_edge(edge, ids, hidden_target=hidden_target))
    kept_nodes: list[dict[str, Any]] = []
    for node in nodes:
        if _anchored(node, namespaces) or (_neutral(node) and node["id"] in referenced):
            kept_nodes.append(dict(node))
        elif node["id"] in ids:
            kept_nodes.append(external_node(node, key))
    # Hidden ends referenced by edges but only known from `known` (or not at all) need a
    # node too, so that the client can draw the edge.
    present = {n["id"] for n in nodes}
    for end in sorted(set(ids) - present):
        kept_nodes.append(external_node(by_id.get(end, {"id": end}), key))
    return kept_nodes, kept_edges


def scope_graph(graph: Mapping[str, Any], namespaces: Collection[str] | None,
                key: str) -> dict[str, Any]:
    """`graph` as a caller who sees `namespaces` (None: all) may see it."""
    if namespaces is None:
        return dict(graph)
    nodes, edges = scope_items(list(graph.get("nodes") or ()), list(graph.get("edges") or ()),
                               namespaces, key)
    return {**graph, "nodes": nodes, "edges": edges}


def scope_delta(full: Mapping[str, Any], scoped: Mapping[str, Any], data: Mapping[str, Any],
                namespaces: Collection[str], key: str, collections: tuple[str, ...] = (
                    "nodes", "edges"),
                ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A delta of the unscoped graph, as a socket that sees `namespaces` must receive it.

    `full` is the unscoped graph the delta applies to, `scoped` what this socket was last
    sent (scope_graph of `full`). Returns the new full graph, the new scoped graph, and the
    delta data turning `scoped` into it.
    """
    from webapp.live.diff import apply_delta, delta_data

    new_full = apply_delta(full, data, collections)
    new_scoped = scope_graph(new_full, namespaces, key)
    return new_full, new_scoped, delta_data(scoped, new_scoped, collections)
