"""First paint, delta apply and tab memory of the graph page in headless Chromium, against a
bare page.

The page is the real `graph_page` HTML and the real built bundle, served to Chromium through
Playwright routes on a fake origin, its socket answered by the harness with the real
snapshot of the mesh (the bytes `GET /api/v1/graph` answered) and real deltas: one in which
every edge's numbers changed, as after a busy cycle, and one in which 5 % of them did, as
after an ordinary one. Then "ten minutes of live updates": a cycle's worth of 5 % deltas per
15 s of the ten minutes (40; 10 at size xs), sent back to back (LIVE_GAP_MS apart) rather
than over ten real minutes, with the tab's JavaScript heap (CDP Performance.getMetrics,
JSHeapUsedSize, after HeapProfiler.collectGarbage) before and after: a leak per delta shows
as growth. The floor: Cytoscape alone painting the same elements at the same preset positions
and applying the same edge data (browser_pages.py), measured the same way in the same run.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

from bench.figures import browser_pages as js
from bench.servers import REPO
from bench.sizes import Size
from bench.stats import Figure, Spread

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
ORIGIN = "http://meshwatch.test"
WS_URL = "ws://meshwatch.test/ws/v1/live"
STATIC = REPO / "webapp" / "ui" / "static"
CYTOSCAPE = REPO / "frontend" / "node_modules" / "cytoscape" / "dist" / "cytoscape.min.js"
TIMEOUT_MS = 300_000
SOME_SHARE = 0.05  # the share of edges an ordinary cycle changes
LIVE_GAP_MS = 100  # between the deltas of the live run
LIVE_CYCLES = 40  # ten minutes of 15 s cycles
GROWTH_MB = 2.0  # heap growth over the live run tolerated as noise (GC timing, caches)


def page_html() -> bytes:
    """What Django serves at `/`, rendered by the real view."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from webapp.ui.views import graph_page

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return graph_page(request).content


def changed(snapshot: dict[str, Any], factor: float, share: float = 1.0) -> dict[str, Any]:
    """The delta meshwatch sends when the rate of `share` of the edges (every 1/share-th,
    starting at an offset that moves with `factor`) moved by `factor`."""
    from webapp.live.diff import delta_data

    step = max(1, round(1 / share))
    offset = int(factor * 1000) % step
    edges = [{**e, "rps": (e["rps"] or 0) * factor} if i % step == offset else e
             for i, e in enumerate(snapshot["edges"])]  # fmt: skip
    return delta_data(snapshot, {**snapshot, "edges": edges}, ("nodes", "edges"))


class Harness:
    """Routes for both pages and the scripted socket."""

    def __init__(self, snapshot_text: str) -> None:
        self.snapshot_text = snapshot_text
        self.html = page_html()
        self.sockets: list[Any] = []

    def serve(self, route: Any) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if path == "/":
            route.fulfill(status=200, body=self.html, content_type="text/html")
        elif path == "/floor/":
            route.fulfill(status=200, body=js.FLOOR_PAGE, content_type="text/html")
        elif path == "/floor/cytoscape.min.js":
            route.fulfill(status=200, body=CYTOSCAPE.read_bytes(), content_type="text/javascript")
        elif path.startswith("/static/") and (STATIC / path[8:]).is_file():
            file = STATIC / path[8:]
            kind = mimetypes.guess_type(file.name)[0] or "text/plain"
            route.fulfill(status=200, body=file.read_bytes(), content_type=kind)
        else:
            route.fulfill(status=404, body=b"not found")

    def socket(self, ws: Any) -> None:
        self.sockets.append(ws)
        ws.on_message(lambda raw: self._message(ws, json.loads(raw)))

    def _message(self, ws: Any, message: dict[str, Any]) -> None:
        if message.get("type") == "subscribe" and "since" not in message:
            ws.send('{"v": 1, "type": "snapshot", "topic": "graph", "seq": 5, "data": '
                    f"{self.snapshot_text}}}")  # fmt: skip


class Deltas:
    """The deltas one page load receives, all computed before any page opens."""

    def __init__(self, snapshot: dict[str, Any], repeats: int, live_cycles: int) -> None:
        self.all = [changed(snapshot, 1.1 + 0.1 * i) for i in range(repeats)]
        self.some = [changed(snapshot, 1.05 + 0.01 * i, SOME_SHARE) for i in range(repeats)]
        self.live = [changed(snapshot, 0.9 + 0.2 * (i % 2) + 0.001 * i, SOME_SHARE)
                     for i in range(live_cycles)]  # fmt: skip


class PageRun:
    """One page load: its paint, its delta times, its heap before and after the live run."""

    def __init__(self, page: Any, cdp: Any, harness: Harness, delta_hook: str) -> None:
        self.page, self.cdp, self.harness, self.delta_hook = page, cdp, harness, delta_hook
        self.seq = 5

    def send(self, data: dict[str, Any]) -> float:
        """Send the next delta; ms from its arrival to the second frame after it was applied."""
        self.seq += 1
        self.page.evaluate("() => { delete window.__bench.delta; }")
        self.page.evaluate(self.delta_hook, self.seq)
        self.harness.sockets[-1].send(json.dumps(
            {"v": 1, "type": "delta", "topic": "graph", "seq": self.seq, "data": data}))
        self.page.wait_for_function("() => window.__bench.delta !== undefined",
                                    timeout=TIMEOUT_MS)  # fmt: skip
        return float(self.page.evaluate("() => window.__bench.delta - window.__bench.messageAt"))

    def heap_mb(self) -> float:
        """The tab's used JavaScript heap after a full garbage collection, MiB."""
        self.cdp.send("HeapProfiler.collectGarbage")
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        used = next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize")
        return float(used) / 2**20


def _one_page(
    context: Any, harness: Harness, path: str, hooks: tuple[str, str], nodes: int, deltas: Deltas
) -> dict[str, Any]:
    """Open `path`, time its first paint, apply each delta in turn, then the live run; ms, MiB."""
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.add_init_script(js.TIMING_HOOKS)
        page.goto(f"{ORIGIN}{path}")
        page.evaluate(hooks[0], nodes)
        page.wait_for_function("() => window.__bench.paint !== undefined", timeout=TIMEOUT_MS)
        run = PageRun(page, cdp, harness, hooks[1])
        result: dict[str, Any] = {"paint": page.evaluate("() => window.__bench.paint")}
        result["all"] = [run.send(data) for data in deltas.all]
        result["some"] = [run.send(data) for data in deltas.some]
        result["heap_before"] = run.heap_mb()
        for data in deltas.live:
            run.send(data)
            page.wait_for_timeout(LIVE_GAP_MS)
        result["heap_after"] = run.heap_mb()
        return result
    finally:
        page.close()


def measure_browser(size: Size, graph_path: Path) -> list[Figure]:
    """Paint and delta figures (absolute targets: 2 s, 50 ms), each with the bare page's."""
    if not Path(CHROMIUM).exists() or not CYTOSCAPE.exists():
        reason = f"{CHROMIUM} or the frontend's node_modules missing"
        return [Figure("browser first paint", "ms", skipped=reason)]
    from playwright.sync_api import sync_playwright

    text = graph_path.read_text()
    snapshot = json.loads(text)
    deltas = Deltas(snapshot, size.repeats, LIVE_CYCLES if size.name != "xs" else 10)
    harness = Harness(text)
    nodes = len(snapshot["nodes"])
    results: dict[str, list[Any]] = {"app": [], "floor": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route(f"{ORIGIN}/**", harness.serve)
            context.route_web_socket(WS_URL, harness.socket)
            for _ in range(size.runs):  # paints: interleaved, each on a fresh page
                results["app"].append(_one_page(context, harness, "/", (js.APP_PAINTED,
                                      js.APP_DELTA), nodes, deltas))  # fmt: skip
                results["floor"].append(_one_page(context, harness, "/floor/", (
                    js.FLOOR_PAINTED, js.FLOOR_DELTA), nodes, deltas))  # fmt: skip
        finally:
            browser.close()
    return _figures(results, nodes, len(snapshot["edges"]))


def _spread(runs: list[dict[str, Any]], key: str) -> Spread:
    values = [v for run in runs for v in (run[key] if isinstance(run[key], list) else [run[key]])]
    return Spread.of(values)


def _figures(results: dict[str, list[Any]], nodes: int, edges: int) -> list[Figure]:
    app, floor = results["app"], results["floor"]
    paint, delta, some = (_spread(app, k) for k in ("paint", "all", "some"))
    what = f"{nodes} nodes / {edges} edges"
    return [
        Figure("browser first paint", "ms", paint.median, _spread(floor, "paint").median, 2000,
               absolute=True, min=paint.min, max=paint.max,
               notes=f"{what}; from navigation start; floor: bare Cytoscape, preset"),
        Figure("browser delta apply", "ms", delta.median, _spread(floor, "all").median, 50,
               absolute=True, min=delta.min, max=delta.max,
               notes=f"{what}; every edge changed; floor: bare Cytoscape batch update"),
        Figure("browser delta apply, 5% of edges", "ms", some.median,
               _spread(floor, "some").median, 50, absolute=True, min=some.min, max=some.max,
               notes=f"{what}; an ordinary cycle; floor: bare Cytoscape batch update"),
        *_memory_figures(app, floor, what),
    ]  # fmt: skip


def _memory_figures(
    app: list[dict[str, Any]], floor: list[dict[str, Any]], what: str
) -> list[Figure]:
    """Tab heap after the first paint and after the live run; the second's verdict is growth."""
    before, after = _spread(app, "heap_before"), _spread(app, "heap_after")
    growth = max(run["heap_after"] - run["heap_before"] for run in app)
    floor_growth = max(run["heap_after"] - run["heap_before"] for run in floor)
    allowed = max(GROWTH_MB, 0.05 * before.median)
    return [
        Figure("browser tab heap", "MB", before.median, _spread(floor, "heap_before").median,
               min=before.min, max=before.max,
               notes=f"{what}; JSHeapUsedSize after GC, after the first deltas"),
        Figure("browser heap after 10 min of live updates", "MB", after.median,
               _spread(floor, "heap_after").median, before.median + allowed, absolute=True,
               min=after.min, max=after.max, verdict=growth <= allowed,
               detail={"growth_mb": round(growth, 2), "floor_growth_mb": round(floor_growth, 2),
                       "allowed_mb": round(allowed, 2)},
               notes=f"{what}; worst growth {growth:+.2f} MB (floor {floor_growth:+.2f}), "
                     f"met if ≤ {allowed:.1f} MB"),
    ]  # fmt: skip
