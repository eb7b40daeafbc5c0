"""Results: the machine, the JSON of a run, its Markdown table, and plots against size.

Files land in bench/results/ (gitignored): <date>-<size>.json and .md per run, and one PNG
per figure once results of two or more sizes exist. Plots need matplotlib; without it they
are skipped with a message and everything else is written.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.sizes import SIZES, Size
from bench.stats import Figure

RESULTS = Path(__file__).resolve().parent / "results"


def _first_line(args: list[str]) -> str:
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=30, cwd=RESULTS.parent.parent
        )
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def machine() -> dict[str, Any]:
    """Cores, memory and the versions of everything measured."""
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    return {
        "cores": os.cpu_count(),
        "memory_mb": int(meminfo[1]) // 1024,
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "postgres": postgres,
        "redis": _first_line(["redis-server", "--version"]),
        "prometheus": _first_line(["/usr/bin/prometheus", "--version"]),
        "chromium": _first_line(["/usr/bin/chromium", "--version"]),
        "wrk": _first_line(["wrk", "--version"]),
        **_checkout(),
    }


def _checkout() -> dict[str, Any]:
    """The commit measured, and whether the work tree differed from it."""
    commit = _first_line(["git", "rev-parse", "--short", "HEAD"])
    if commit.startswith("fatal") or commit == "not found":
        return {"commit": "unknown (not a git checkout)", "dirty": None}
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=RESULTS.parent.parent,
    )
    return {"commit": commit, "dirty": bool(status.stdout.strip())}


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _target(f: Figure) -> str:
    if f.verdict is not None and f.target is None:
        return "meshwatch constant; Kiali-way grows"
    if f.target is None:
        return "reported"
    return f"≤ {_fmt(f.target)} {f.unit}" if f.absolute else f"≤ {f.target:g}×"


def markdown(size: Size, figures: list[Figure], info: dict[str, Any]) -> str:
    """The run as a Markdown table, skipped figures with their reason below it."""
    lines = [
        f"# meshwatch bench, size {size.name} ({size.workloads} workloads, {size.edges} edges, "
        f"{size.namespaces} namespaces)",
        "",
        f"{info['cores']} cores, {info['memory_mb']} MB; Python {info['python']}, PostgreSQL "
        f"{info['postgres']}; commit {info['commit']}{' (dirty)' if info['dirty'] else ''}",
        "",
        "| figure | meshwatch | floor | ratio | target | met | min–max | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        if f.skipped:
            continue
        met = {True: "yes", False: "**no**", None: "—"}[f.met]
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        spread = f"{_fmt(f.min)}–{_fmt(f.max)}" if f.min is not None else "—"
        lines.append(f"| {f.name} | {_fmt(f.value)} {f.unit} | {_fmt(f.floor)} | {ratio} | "
                     f"{_target(f)} | {met} | {spread} | {f.notes} |")  # fmt: skip
    skipped = [f for f in figures if f.skipped]
    if skipped:
        lines += ["", "Not measured:", ""]
        lines += [f"- {f.name}: {f.skipped}" for f in skipped]
    return "\n".join(lines) + "\n"


def write(size: Size, figures: list[Figure], info: dict[str, Any], out: Path) -> Path:
    """Write <date>-<size>.json and .md into `out`; returns the JSON's path."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now(UTC):%Y-%m-%d}-{size.name}"
    document = {
        "machine": info,
        "size": size.name,
        "mesh": {
            "workloads": size.workloads,
            "edges": size.edges,
            "namespaces": size.namespaces,
            "buckets": size.buckets,
        },  # fmt: skip
        "generated_at": datetime.now(UTC).isoformat(),
        "figures": [f.as_json() for f in figures],
    }
    path = out / f"{stem}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    (out / f"{stem}.md").write_text(markdown(size, figures, info))
    return path


def latest_by_size(out: Path) -> dict[str, dict[str, Any]]:
    """The newest result document of each size found in `out`."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(out.glob("*-*.json")):
        doc = json.loads(path.read_text())
        if doc.get("size") in SIZES:
            found[doc["size"]] = doc
    return found


def plot(out: Path) -> list[Path]:
    """One PNG per figure measured at two or more sizes: meshwatch and floor against size."""
    docs = latest_by_size(out)
    if len(docs) < 2:
        return []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plots skipped: matplotlib is not installed", file=sys.stderr)
        return []
    series: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for name, doc in docs.items():
        for fig in doc["figures"]:
            if fig.get("value") is not None:
                series.setdefault(fig["name"], []).append((SIZES[name].workloads, fig))
    written = []
    for name, points in series.items():
        if len(points) < 2:
            continue
        points.sort(key=lambda p: p[0])
        fig, ax = plt.subplots(figsize=(6, 4))
        xs = [p[0] for p in points]
        ax.plot(xs, [p[1]["value"] for p in points], "o-", label="meshwatch")
        if all(p[1].get("floor") is not None for p in points):
            ax.plot(xs, [p[1]["floor"] for p in points], "s--", label="floor")
        ax.set_xscale("log")
        ax.set_xlabel("workloads")
        ax.set_ylabel(points[0][1]["unit"])
        ax.set_title(name)
        ax.legend()
        path = out / f"plot-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written
