"""The mesh sizes the harness runs at, and how hard each figure pushes at each size.

xs is the smoke run (seconds); s, m and l are the issue's 100 / 1,000 / 5,000 workloads.
Repeats and durations shrink with size so `make bench SIZE=s` stays well under 10 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    """One benchmark size: the mesh, and the effort spent measuring it."""

    name: str
    workloads: int
    edges_per_workload: int = 5
    buckets: int = 20
    repeats: int = 5  # cycles and other repeated figures: median of this many
    wrk_seconds: int = 5  # each wrk run; three runs per endpoint
    ws_clients: int = 1000
    kiali_viewers: tuple[int, ...] = (1, 10, 50)
    kiali_budget: int = 3000  # Kiali-way queries sent for real per viewer count
    runs: int = 3  # wrk runs per endpoint, browser page loads per page

    @property
    def namespaces(self) -> int:
        """Two namespaces per 100 workloads, at least two (one per mesh)."""
        return max(2, 2 * self.workloads // 100)

    @property
    def edges(self) -> int:
        return self.workloads * self.edges_per_workload


SIZES: dict[str, Size] = {
    "xs": Size("xs", 20, repeats=3, wrk_seconds=1, ws_clients=20, kiali_budget=100, runs=1),
    "s": Size("s", 100),
    "m": Size("m", 1000, repeats=5, wrk_seconds=45),  # p50 ≈ 20 × one build: runs must outlast it
    # The graph page's issue (#6): 2,000 nodes, and 6,000 edges since edges come per workload.
    "m2k": Size("m2k", 2000, edges_per_workload=3, repeats=5, wrk_seconds=45),
    "l": Size("l", 5000, repeats=3, wrk_seconds=20),
}
