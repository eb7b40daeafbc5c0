"""Deterministic graph positions, computed server-side.

Browsers cannot afford force-directed layouts at this size (Cytoscape's `cose` took 100 s for
1,000 nodes in headless Chromium, a preset layout under one second), so the builder ships
positions and the frontend uses a preset layout.

Method, O(N + E) apart from sorting ids:
1. Nodes are grouped by namespace; each namespace becomes a rectangular block.
2. Inside a block, a node's column is its longest-path depth from the block's sources,
   counting only edges within the namespace. Cycles are broken deterministically: a depth-first
   search in id order (sources first) ignores the edges that close a cycle.
3. A column's nodes are stacked by id; a very tall column wraps into several sub-columns so a
   block stays roughly square.
4. Blocks sit in a grid, in namespace order, about as many columns as rows.
5. Nodes without a namespace (the `unknown` source) stand in a column at the far left.

Positions depend only on node ids, namespaces and the edge set: the same graph always gets the
same positions, whatever order the samples came in and whatever their values. When the graph
changes (a new workload, another filter), the frontend keeps the positions of nodes it already
shows and places new nodes next to a neighbour already on screen, so live updates do not make
the picture jump; a full relayout happens only when the user asks for one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

COLUMN_WIDTH = 220.0  # px between columns: room for a label
ROW_HEIGHT = 90.0  # px between rows
BLOCK_GAP = 1  # empty cells between namespace blocks
MIN_WRAP = 12  # columns shorter than this never wrap

Cell = tuple[int, int]  # (column, row) inside a block


def compute_positions(
    namespaces: Mapping[str, str], edges: Iterable[tuple[str, str]]
) -> dict[str, tuple[float, float]]:
    """Positions {node id: (x, y)} for nodes {id: namespace} joined by (source, target) edges."""
    members: dict[str, list[str]] = defaultdict(list)
    for node_id, namespace in namespaces.items():
        members[namespace].append(node_id)
    successors: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        if source in namespaces and namespaces.get(target) == namespaces[source]:
            successors[source].add(target)
    blocks = {
        namespace: _block(sorted(ids), successors)
        for namespace, ids in members.items()
        if namespace
    }
    positions = _place_blocks(blocks)
    for row, node_id in enumerate(sorted(members.get("", []))):
        positions[node_id] = (-2 * COLUMN_WIDTH, row * ROW_HEIGHT)
    return positions


def _block(node_ids: list[str], successors: Mapping[str, set[str]]) -> dict[str, Cell]:
    """Cells of one namespace's nodes: columns by depth, rows by id, tall columns wrapped."""
    depth = longest_path_depths(node_ids, successors)
    columns: dict[int, list[str]] = defaultdict(list)
    for node_id in node_ids:  # already sorted, so each column is in id order
        columns[depth[node_id]].append(node_id)
    wrap = max(MIN_WRAP, math.ceil(2 * math.sqrt(len(node_ids))))
    cells: dict[str, Cell] = {}
    x = 0
    for level in sorted(columns):
        for index, node_id in enumerate(columns[level]):
            cells[node_id] = (x + index // wrap, index % wrap)
        x += math.ceil(len(columns[level]) / wrap)
    return cells


def longest_path_depths(node_ids: list[str], successors: Mapping[str, set[str]]) -> dict[str, int]:
    """Longest-path depth of each node from the sources, cycles broken deterministically.

    1. Depth-first search, iteratively (no recursion limit), from the nodes without inbound
       edges in id order, then from any node still unvisited (pure cycles) in id order.
       An edge to a node still on the stack closes a cycle and is ignored.
    2. Reverse post-order of that search is a topological order of the remaining edges;
       relax depths along it.
    """
    members = set(node_ids)
    succ = {n: sorted(t for t in successors.get(n, ()) if t in members) for n in node_ids}
    has_inbound = {t for targets in succ.values() for t in targets}
    roots = [n for n in node_ids if n not in has_inbound] + node_ids
    order, back_edges = _dfs(roots, succ)
    depth = dict.fromkeys(node_ids, 0)
    for node_id in reversed(order):
        for target in succ[node_id]:
            if (node_id, target) not in back_edges:
                depth[target] = max(depth[target], depth[node_id] + 1)
    return depth


def _dfs(roots: list[str], succ: Mapping[str, list[str]]) -> tuple[list[str], set[tuple[str, str]]]:
    """Post-order of an iterative DFS over `roots`, and the edges that closed a cycle."""
    state: dict[str, int] = {}  # 1 on the stack, 2 finished
    order: list[str] = []
    back_edges: set[tuple[str, str]] = set()
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node_id, index = stack[-1]
            targets = succ[node_id]
            if index == len(targets):
                stack.pop()
                state[node_id] = 2
                order.append(node_id)
                continue
            stack[-1] = (node_id, index + 1)
            target = targets[index]
            if state.get(target) == 1:
                back_edges.add((node_id, target))
            elif target not in state:
                state[target] = 1
                stack.append((target, 0))
    return order, back_edges


def _place_blocks(blocks: Mapping[str, dict[str, Cell]]) -> dict[str, tuple[float, float]]:
    """Arrange namespace blocks in a grid and turn cells into pixel positions."""
    names = sorted(blocks)
    grid_columns = max(1, math.ceil(math.sqrt(len(names))))
    sizes = {name: _size(blocks[name]) for name in names}
    widths = [0] * grid_columns
    heights = [0] * math.ceil(len(names) / grid_columns)
    for index, name in enumerate(names):
        column, row = index % grid_columns, index // grid_columns
        widths[column] = max(widths[column], sizes[name][0])
        heights[row] = max(heights[row], sizes[name][1])
    positions: dict[str, tuple[float, float]] = {}
    for index, name in enumerate(names):
        column, row = index % grid_columns, index // grid_columns
        origin_x = sum(widths[:column]) + BLOCK_GAP * column
        origin_y = sum(heights[:row]) + BLOCK_GAP * row
        for node_id, (x, y) in blocks[name].items():
            positions[node_id] = ((origin_x + x) * COLUMN_WIDTH, (origin_y + y) * ROW_HEIGHT)
    return positions


def _size(cells: Mapping[str, Cell]) -> tuple[int, int]:
    """Width and height of a block in cells."""
    return (
        max((x for x, _ in cells.values()), default=0) + 1,
        max((y for _, y in cells.values()), default=0) + 1,
    )
