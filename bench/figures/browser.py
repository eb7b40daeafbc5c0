"""First paint and delta apply of the graph page in headless Chromium, against a bare page.

The page is the real `graph_page` HTML and the real built bundle, served to Chromium through
Playwright routes on a fake origin, its socket answered by the harness with the real
snapshot of the mesh (the bytes `GET /api/v1/graph` answered) and a real delta in which every
edge's numbers changed, as after a busy cycle. The floor: Cytoscape alone painting the same
elements at the same preset positions and applying the same edge data (browser_pages.py).
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


def page_html() -> bytes:
    """What Django serves at `/`, rendered by the real view."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from webapp.ui.views import graph_page

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return graph_page(request).content


def changed(snapshot: dict[str, Any], factor: float) -> dict[str, Any]:
    """The delta meshwatch sends when every edge's rate moved by `factor`."""
    from webapp.live.diff import delta_data

    after = {**snapshot, "edges": [{**e, "rps": e["rps"] * factor} for e in snapshot["edges"]]}
    return delta_data(snapshot, after, ("nodes", "edges"))


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


def _one_page(
    context: Any,
    harness: Harness,
    path: str,
    hooks: tuple[str, str],
    nodes: int,
    deltas: list[dict],
) -> tuple[float, list[float]]:
    """Open `path`, time its first paint, then apply each delta in turn; ms."""
    page = context.new_page()
    try:
        page.add_init_script(js.TIMING_HOOKS)
        page.goto(f"{ORIGIN}{path}")
        page.evaluate(hooks[0], nodes)
        page.wait_for_function("() => window.__bench.paint !== undefined", timeout=TIMEOUT_MS)
        paint = page.evaluate("() => window.__bench.paint")
        applied = []
        for i, data in enumerate(deltas):
            seq = 6 + i
            page.evaluate("() => { delete window.__bench.delta; }")
            page.evaluate(hooks[1], seq)
            harness.sockets[-1].send(
                json.dumps({"v": 1, "type": "delta", "topic": "graph", "seq": seq, "data": data})
            )
            page.wait_for_function("() => window.__bench.delta !== undefined",
                                   timeout=TIMEOUT_MS)  # fmt: skip
            applied.append(page.evaluate("() => window.__bench.delta - window.__bench.messageAt"))
        return paint, applied
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
    deltas = [changed(snapshot, 1.1 + 0.1 * i) for i in range(size.repeats)]
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


def _figures(results: dict[str, list[Any]], nodes: int, edges: int) -> list[Figure]:
    paint = Spread.of([p for p, _ in results["app"]])
    floor_paint = Spread.of([p for p, _ in results["floor"]])
    delta = Spread.of([d for _, ds in results["app"] for d in ds])
    floor_delta = Spread.of([d for _, ds in results["floor"] for d in ds])
    what = f"{nodes} nodes / {edges} edges"
    return [
        Figure("browser first paint", "ms", paint.median, floor_paint.median, 2000,
               absolute=True, min=paint.min, max=paint.max,
               notes=f"{what}; from navigation start; floor: bare Cytoscape, preset"),
        Figure("browser delta apply", "ms", delta.median, floor_delta.median, 50,
               absolute=True, min=delta.min, max=delta.max,
               notes=f"{what}; every edge changed; floor: bare Cytoscape batch update"),
    ]  # fmt: skip
