"""The graph page against a scripted websocket, without the backend.

The page is the real `graph_page` view's HTML and the real built bundle, served to Chromium
through Playwright routes on a fake origin; `/ws/v1/live` is answered by the test itself, so
each protocol case (snapshot, delta, gap, reconnect) and hostile server strings are exact.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import time

import pytest

from tests.e2e.conftest import REPO

pytestmark = pytest.mark.e2e

ORIGIN = "http://meshwatch.test"
WS_URL = "ws://meshwatch.test/ws/v1/live"
STATIC = REPO / "webapp" / "ui" / "static"
# The strict policy the page must live under: no inline script or style, no eval. A violation
# is a console error, which fails the test through page.mw_errors.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self' ws://meshwatch.test; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
EVIL_NAME = '<img src=x onerror="window.__xss=1">'
EVIL_NS = "<b>ns</b>"


def node(id_: str, name: str, ns: str, x: float, y: float, **extra) -> dict:
    return {
        "id": id_,
        "kind": "workload",
        "namespace": ns,
        "name": name,
        "health": "healthy",
        "outside": False,
        "position": {"x": x, "y": y},
        **extra,
    }


def edge(source: str, target: str, rps: float, mtls: float | None = 1.0, **extra) -> dict:
    return {
        "id": f"{source}>{target}",
        "source": source,
        "target": target,
        "protocol": "http",
        "rps": rps,
        "error_ratio": 0.0,
        "errors": {"4xx": 0.0, "5xx": 0.0},
        "p50_ms": 3.0,
        "p95_ms": 9.5,
        "p99_ms": 20.0,
        "mtls_ratio": mtls,
        "bytes_per_s": {"sent": 2048.0, "received": 4096.0},
        "health": "healthy",
        **extra,
    }


A = "workload:shop/frontend"
B = "workload:shop/cart"
EVIL = "workload:evil/x"
C = "workload:shop/payments"
SNAPSHOT = {
    "generated_at": "2026-11-02T14:00:00+00:00",
    "window": {"start": "2026-11-02T13:55:00+00:00", "end": "2026-11-02T14:00:00+00:00"},
    "graph_type": "workload",
    "nodes": [
        node(A, "frontend", "shop", 0, 0),
        node(B, "cart", "shop", 220, 0),
        node(EVIL, EVIL_NAME, EVIL_NS, 220, 180, labels={EVIL_NAME: EVIL_NAME}),
    ],
    "edges": [edge(A, B, 12.5), edge(A, EVIL, 0.5, mtls=0.5)],
}


@contextlib.contextmanager
def no_database():
    """The harness renders pages without a database: the values that read it say "no
    backfill" and "the viewer sees every namespace"."""
    from unittest import mock

    with (
        mock.patch("webapp.traffic.status.backfill_in_progress", return_value=None),
        mock.patch("webapp.ui.views.visible_namespaces", return_value=None),
    ):
        yield


def rendered_page_html(view_name: str = "graph_page", path: str = "/") -> bytes:
    """What Django serves at `path`, rendered by the real view and templates."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory, override_settings

    from webapp.ui import views

    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    with override_settings(ROOT_URLCONF="tests.e2e.urls"), no_database():
        return getattr(views, view_name)(request).content


def rendered_login_html() -> bytes:
    """The login page as a `MESHWATCH_AUTH=login` deployment serves it."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory, override_settings
    from django.urls import resolve

    request = RequestFactory().get("/login/")
    request.user = AnonymousUser()
    with override_settings(ROOT_URLCONF="tests.e2e.urls", MESHWATCH_AUTH="login"), no_database():
        response = resolve("/login/").func(request)
        return response.render().content


class FakeLive:
    """The server side of /ws/v1/live, scripted by the test."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.sockets: list = []
        self.on_subscribe = self.answer_with_snapshot
        self.refuse = False  # True: close every new socket at once, as a refused handshake

    def handle(self, ws) -> None:
        if self.refuse:
            ws.close()
            return
        self.sockets.append(ws)
        ws.on_message(lambda raw: self._message(ws, json.loads(raw)))

    def _message(self, ws, message: dict) -> None:
        self.received.append(message)
        if message.get("type") == "subscribe":
            self.on_subscribe(ws, message)

    @staticmethod
    def answer_with_snapshot(ws, message: dict) -> None:
        """A fresh subscribe gets the snapshot; a resume (`since`) is left to the test."""
        if "since" in message:
            return
        data = SNAPSHOT
        if message["params"]["graph_type"] == "app":  # other ids, as a real app graph has
            data = json.loads(json.dumps(SNAPSHOT).replace('"workload:', '"app:'))
        ws.send(json.dumps({"v": 1, "type": "snapshot", "topic": "graph", "seq": 5, "data": data}))

    def send(self, message: dict) -> None:
        self.sockets[-1].send(json.dumps(message))

    def subscribes(self) -> list[dict]:
        return [m for m in self.received if m.get("type") == "subscribe"]


# What the side panel's fetched sections read (frontend/src/panel.ts), answered empty unless a
# test passes its own `api`.
PANEL_API: dict[str, object] = {
    "/api/v1/series": {"step_s": 15, "series": []},
    "/api/v1/pods": {"count": 0, "results": []},
    "/api/v1/network-policies": {"count": 0, "results": []},
    "/api/v1/mesh-policies": {"count": 0, "results": []},
    "/api/v1/services": {"count": 0, "results": []},
    "/api/v1/insights": {"count": 0, "results": []},
    "/api/v1/status": {},  # asked while reconnecting: are we still signed in?
}


def serve_harness(
    page, html: bytes, live: FakeLive, path: str = "/", api: dict[str, object] | None = None
) -> None:
    """Serves `html` at `path` on the fake origin under the strict CSP, the static files from
    the repo, JSON for the API paths in `api` (default PANEL_API), and answers the websocket
    with `live`."""
    answers = PANEL_API if api is None else api

    def serve(route) -> None:
        url_path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if url_path == path:
            route.fulfill(
                status=200,
                body=html,
                headers={
                    "Content-Type": "text/html; charset=utf-8",
                    "Content-Security-Policy": CSP,
                },
            )
        elif url_path.startswith("/static/") and (STATIC / url_path[len("/static/") :]).is_file():
            file = STATIC / url_path[len("/static/") :]
            route.fulfill(
                status=200,
                body=file.read_bytes(),
                content_type=mimetypes.guess_type(file.name)[0] or "text/plain",
            )
        elif url_path in answers:
            body = json.dumps(answers[url_path]).encode()
            route.fulfill(status=200, body=body, content_type="application/json")
        else:
            route.fulfill(status=404, body=b"not found")

    page.route(f"{ORIGIN}/**", serve)
    page.route_web_socket(WS_URL, live.handle)
    page.on(
        "dialog",
        lambda dialog: (page.mw_errors.append(f"dialog: {dialog.message}"), dialog.dismiss()),
    )


@pytest.fixture
def harness(page):
    """The graph page on the fake origin, its websocket answered by a FakeLive."""
    live = FakeLive()
    serve_harness(page, rendered_page_html(), live)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.meshwatch && window.meshwatch.snapshotCount === 1")
    return page, live


def click_node(page, node_id: str) -> None:
    """Clicks where Cytoscape drew the node, as a user would."""
    box = page.locator("#mw-graph").bounding_box()
    pos = page.evaluate("id => window.meshwatch.cy.getElementById(id).renderedPosition()", node_id)
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def positions(page) -> dict:
    return page.evaluate(
        "() => Object.fromEntries(window.meshwatch.cy.nodes().map(n => [n.id(), n.position()]))"
    )


def edge_labels(page) -> dict:
    return page.evaluate(
        "() => Object.fromEntries(window.meshwatch.cy.edges().map(e => [e.id(), e.data('label')]))"
    )


def test_hostile_names_are_text_everywhere(harness, e2e_output):
    page, live = harness
    first = dict(live.subscribes()[0])
    assert isinstance(first.pop("id"), int)  # the client numbers its subscribes
    assert first == {
        "type": "subscribe",
        "topic": "graph",
        "params": {"graph_type": "workload", "namespaces": ""},
    }
    click_node(page, EVIL)
    title = page.locator("#mw-panel-content h2")
    title.wait_for()
    assert title.text_content() == EVIL_NAME
    panel_text = page.locator("#mw-panel").text_content()
    assert EVIL_NS in panel_text
    # Labels section: the hostile key and value are both plain text.
    assert panel_text.count(EVIL_NAME) >= 3
    page.locator("#mw-namespaces summary").click()
    assert page.locator("#mw-namespaces-list").text_content().count(EVIL_NS) == 1
    assert page.locator("img, b").count() == 0, "server strings must never become elements"
    assert page.evaluate("() => window.__xss") is None
    # The canvas label carries the name as-is, too.
    label = page.evaluate(
        f"() => window.meshwatch.cy.getElementById({json.dumps(EVIL)}).data('label')"
    )
    assert label == f"{EVIL_NAME}\n{EVIL_NS}"
    shot = e2e_output / "harness-graph-hostile.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert page.mw_errors == []


def test_panel_builders_escape_directly(harness):
    page, _ = harness
    html = page.evaluate(
        """([name, ns]) => {
            const ctx = {nodeName: (id) => id, onPick: () => {}};
            const node = {id: 'workload:' + ns + '/' + name, kind: 'workload', namespace: ns,
                          name, health: name, labels: {[name]: name}, traffic: {rps_in: 1}};
            const edge = {id: name, source: name, target: ns, protocol: name, rps: 1,
                          health: name, extra: {[name]: name}};
            const a = window.meshwatch.render.nodePanel(node, [edge], [], ctx);
            const b = window.meshwatch.render.edgePanel(edge, ctx);
            return a.outerHTML + b.outerHTML;
        }""",
        [EVIL_NAME, EVIL_NS],
    )
    assert "<img" not in html and "<b>" not in html
    assert '&lt;img src=x onerror="window.__xss=1"&gt;' in html
    assert "&lt;b&gt;ns&lt;/b&gt;" in html


def test_edge_panel_shows_every_number(harness):
    page, _ = harness
    page.evaluate(f"() => window.meshwatch.select({{group: 'edge', id: {json.dumps(f'{A}>{B}')}}})")
    text = page.locator("#mw-panel").text_content()
    for expected in (
        "12.5 rps",
        "p50",
        "3.0 ms",
        "9.5 ms",
        "20 ms",
        "100%",
        "4xx",
        "5xx",
        "Bytes per second",
        "2.0 KiB/s",
        "4.0 KiB/s",
        "http",
        "healthy",
    ):
        assert expected in text, expected
    labels = edge_labels(page)
    assert labels[f"{A}>{B}"] == "\U0001f512 12.5 rps"  # full mTLS: closed lock
    assert labels[f"{A}>{EVIL}"] == "\U0001f513 0.50 rps"  # partial mTLS: open lock
    page.select_option("#mw-label-mode", "p95")
    assert edge_labels(page)[f"{A}>{B}"] == "\U0001f512 9.5 ms"
    page.select_option("#mw-label-mode", "none")
    assert edge_labels(page)[f"{A}>{B}"] == ""


def test_deltas_gaps_and_reconnects(harness):
    page, live = harness
    status = page.locator("#mw-status")
    assert status.get_attribute("data-state") == "live"
    assert status.get_attribute("data-seq") == "5"
    before = positions(page)

    # 1. A delta in sequence: numbers change, a node joins, nobody moves. Its server position
    #    sits on top of `cart`, so it must be placed elsewhere, near `frontend`.
    live.send(
        {
            "v": 1,
            "type": "delta",
            "topic": "graph",
            "seq": 6,
            "data": {
                "upsert": {
                    "nodes": [node(C, "payments", "shop", 220, 0)],
                    "edges": [edge(A, B, 99.0), edge(A, C, 1.0)],
                },
                "remove": {"nodes": [], "edges": []},
                "generated_at": "2026-11-02T14:00:15+00:00",
            },
        }
    )
    page.wait_for_function("() => window.meshwatch.lastSeq === 6")
    assert edge_labels(page)[f"{A}>{B}"] == "\U0001f512 99.0 rps"
    after = positions(page)
    assert {k: after[k] for k in before} == before
    new = after[C]
    for other in before.values():
        assert (new["x"] - other["x"]) ** 2 + (new["y"] - other["y"]) ** 2 >= 56**2

    # 2. A gap (7 is missing): not applied, and the client asks to resume after 6.
    live.send(
        {
            "v": 1,
            "type": "delta",
            "topic": "graph",
            "seq": 8,
            "data": {"upsert": {"nodes": [], "edges": [edge(A, B, 1.0)]}, "remove": {}},
        }
    )
    _wait(page, lambda: len(live.subscribes()) == 2)
    assert live.subscribes()[1]["since"] == 6
    assert page.evaluate("() => window.meshwatch.lastSeq") == 6
    live.send(
        {
            "v": 1,
            "type": "delta",
            "topic": "graph",
            "seq": 7,
            "data": {"upsert": {}, "remove": {"nodes": [EVIL], "edges": []}},
        }
    )
    live.send(
        {
            "v": 1,
            "type": "delta",
            "topic": "graph",
            "seq": 8,
            "data": {"upsert": {"nodes": [], "edges": [edge(A, B, 1.0)]}, "remove": {}},
        }
    )
    page.wait_for_function("() => window.meshwatch.lastSeq === 8")
    assert EVIL not in positions(page)
    assert status.get_attribute("data-seq") == "8"

    # 3. The server goes away: the page says so, comes back, and resumes after 8.
    live.on_subscribe = lambda ws, m: None
    live.sockets[-1].close()
    page.wait_for_function("() => document.querySelector('#mw-status').dataset.state !== 'live'")
    assert status.get_attribute("data-state") == "reconnecting"
    _wait(page, lambda: len(live.subscribes()) == 3, timeout=10)
    assert live.subscribes()[2]["since"] == 8
    live.send(
        {
            "v": 1,
            "type": "delta",
            "topic": "graph",
            "seq": 9,
            "data": {"upsert": {"edges": [edge(A, B, 2.0)]}, "remove": {}},
        }
    )
    page.wait_for_function("() => document.querySelector('#mw-status').dataset.state === 'live'")
    assert page.evaluate("() => [window.meshwatch.snapshotCount, window.meshwatch.deltaCount]") == [
        1,
        4,
    ]
    assert page.mw_errors == []


def test_a_lost_session_says_signed_out_with_a_way_back(harness):
    page, live = harness
    status = page.locator("#mw-status")
    # The session ends: handshakes are refused, and the API answers 403.
    forbidden = json.dumps({"title": "Forbidden", "status": 403, "detail": "not logged in"})
    page.route(
        f"{ORIGIN}/api/v1/status",
        lambda route: route.fulfill(
            status=403, body=forbidden, content_type="application/problem+json"
        ),
    )
    live.refuse = True
    live.sockets[-1].close()
    page.wait_for_function(
        "() => document.querySelector('#mw-status').dataset.auth === 'signed-out'"
    )
    assert page.locator("#mw-status-text").text_content() == "signed out"
    link = page.locator("#mw-status-error a")
    assert link.text_content() == "log in again"
    assert link.get_attribute("href") == "/login/?next=%2F"
    # Signed in again (another tab): the next reconnect is live and the note goes.
    page.unroute(f"{ORIGIN}/api/v1/status")
    subscribed = len(live.subscribes())
    live.refuse = False
    _wait(page, lambda: len(live.subscribes()) > subscribed, timeout=30)
    assert live.subscribes()[-1]["since"] == 5
    live.send(
        {
            "v": 1,
            "type": "delta",
            "topic": "graph",
            "seq": 6,
            "data": {"upsert": {"edges": [edge(A, B, 2.0)]}, "remove": {}},
        }
    )
    page.wait_for_function(
        "() => document.querySelector('#mw-status').dataset.state === 'live'", timeout=30_000
    )
    assert status.get_attribute("data-auth") == ""
    assert page.locator("#mw-status-error a").count() == 0
    # The 403 answer itself is the one console line (Chromium logs failed loads).
    assert all("403" in line for line in page.mw_errors), page.mw_errors


def test_filters_resubscribe_and_land_in_the_url(harness):
    page, live = harness
    page.select_option("#mw-graph-type", "app")
    _wait(page, lambda: len(live.subscribes()) == 2)
    assert live.subscribes()[-1]["params"] == {"graph_type": "app", "namespaces": ""}
    assert "since" not in live.subscribes()[-1]
    # Another graph type replaces every node; they stand where the server put them.
    page.wait_for_function("() => window.meshwatch.snapshotCount === 2")
    assert positions(page) == {
        n["id"].replace("workload:", "app:"): n["position"] for n in SNAPSHOT["nodes"]
    }
    page.locator("#mw-namespaces summary").click()
    page.locator("#mw-namespaces-list input[value='shop']").check()
    _wait(page, lambda: len(live.subscribes()) == 3)
    assert live.subscribes()[-1]["params"] == {"graph_type": "app", "namespaces": "shop"}
    page.fill("#mw-namespaces-text", " shop, bookinfo ,shop")
    page.press("#mw-namespaces-text", "Enter")
    _wait(page, lambda: len(live.subscribes()) == 4)
    assert live.subscribes()[-1]["params"]["namespaces"] == "bookinfo,shop"
    assert page.url.endswith("/?graph_type=app&namespaces=bookinfo%2Cshop")
    assert page.locator("#mw-namespaces-summary").text_content() == "bookinfo, shop"


def test_server_errors_are_shown(harness):
    page, live = harness
    live.send({"type": "error", "detail": EVIL_NAME})
    error = page.locator("#mw-status-error")
    error.wait_for()
    assert error.text_content() == EVIL_NAME
    assert page.locator("img").count() == 0


def test_login_page(page, e2e_output):
    html = rendered_login_html()
    page.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(
            status=200,
            body=html,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP},
        )
        if "/static/" not in route.request.url
        else route.fulfill(
            status=200,
            body=(STATIC / route.request.url.split("/static/", 1)[1]).read_bytes(),
            content_type=mimetypes.guess_type(route.request.url)[0] or "text/plain",
        ),
    )
    page.goto(f"{ORIGIN}/login/")
    assert page.locator("#mw-anonymous-banner").count() == 0
    assert page.locator("input[name=username]").count() == 1
    assert page.locator("input[name=password][type=password]").count() == 1
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 1
    assert page.locator(".mw-user").text_content().strip() == ""
    page.screenshot(path=str(e2e_output / "login-page.png"))
    assert page.mw_errors == [], page.mw_errors


def _wait(page, predicate, timeout: float = 15.0) -> None:
    """Polls a Python-side condition. Playwright only runs the FakeLive callbacks while it
    is inside a call, so the loop waits with the page rather than with time.sleep."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        page.wait_for_timeout(50)


def test_signed_in_header_has_a_post_logout():
    """No banner outside the demo; logging out is a POST with a CSRF token (Django 5)."""
    from types import SimpleNamespace

    from django.test import RequestFactory, override_settings

    from webapp.ui.views import graph_page

    request = RequestFactory().get("/")
    request.user = SimpleNamespace(
        is_authenticated=True, is_anonymous=False, get_username=lambda: "<alice>"
    )
    with override_settings(ROOT_URLCONF="tests.e2e.urls", MESHWATCH_AUTH="login"), no_database():
        html = graph_page(request).content.decode()
    assert "Anonymous read-only demo mode" not in html
    assert '<form method="post" action="/logout/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "&lt;alice&gt;" in html and "<alice>" not in html


def test_hostile_strings_are_text_in_the_overview_and_alerts(page, e2e_output):
    """Namespaces, names and alert fields from the server reach the other views as text too."""
    overview_html = rendered_page_html("overview_page", "/overview")
    live = FakeLive()

    def answer(ws, message: dict) -> None:
        topic = message["topic"]
        data = (
            SNAPSHOT
            if topic == "graph"
            else {
                "generated_at": SNAPSHOT["generated_at"],
                "alerts": [
                    {
                        "id": "alert:1",
                        "state": "firing",
                        "name": EVIL_NAME,
                        "subject": f"workload:{EVIL_NS}/x",
                        "labels": {"namespace": EVIL_NS},
                        "severity": EVIL_NAME,
                        "summary": EVIL_NAME,
                    }
                ],
            }
        )
        ws.send(json.dumps({"v": 1, "type": "snapshot", "topic": topic, "seq": 1, "data": data}))

    live.on_subscribe = answer
    serve_harness(page, overview_html, live, "/overview")
    page.goto(f"{ORIGIN}/overview")
    page.locator("#mw-overview-table").wait_for()
    page.wait_for_function("() => window.meshwatch.page.alertsLive.snapshotCount === 1")
    row = page.locator(f"#mw-overview-table tr[data-namespace={json.dumps(EVIL_NS)}]")
    assert row.locator("a").first.text_content() == EVIL_NS  # then its links into each view
    assert row.locator("td").nth(7).text_content() == "1", "the evil namespace's firing alert"
    assert sorted(s["topic"] for s in live.subscribes()) == ["alerts", "dns", "graph", "insights"]
    assert len(live.sockets) == 1, "one socket for every topic"
    assert page.locator("img, b").count() == 0
    assert page.evaluate("() => window.__xss") is None
    shot = e2e_output / "harness-overview-hostile.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    assert page.mw_errors == [], page.mw_errors


GROUPS_JS = """() => window.meshwatch.cy.nodes('.mw-group').map(g => ({
    id: g.id(), label: g.data('label'), hidden: g.hasClass('mw-hidden'),
    children: g.children().map(c => c.id()).sort()}))"""


def test_grouping_by_namespace_follows_filters_and_the_url(harness, e2e_output):
    page, _ = harness
    assert page.evaluate(GROUPS_JS) == []
    page.locator("#mw-group").check()
    groups = {g["label"]: g for g in page.evaluate(GROUPS_JS)}
    assert set(groups) == {"shop", EVIL_NS}, "one box per namespace shown"
    assert groups["shop"]["children"] == sorted([A, B])
    assert groups[EVIL_NS]["children"] == [EVIL]
    assert "group=namespace" in page.url
    # Boxes are not graph nodes: not in the visible ids, not selectable.
    assert sorted(page.evaluate("() => window.meshwatch.view.visibleIds().nodes")) == sorted(
        [A, B, EVIL]
    )
    # Children keep the server's positions; the box is drawn around them.
    assert positions(page)[B] == {"x": 220, "y": 0}

    # Hide a whole namespace: its box goes too; the other stays.
    page.fill("#mw-hide", "ns = shop")
    page.press("#mw-hide", "Enter")
    groups = {g["label"]: g for g in page.evaluate(GROUPS_JS)}
    assert groups["shop"]["hidden"] and not groups[EVIL_NS]["hidden"]
    # Only problems on a healthy graph: every box hides with its nodes.
    page.fill("#mw-hide", "")
    page.press("#mw-hide", "Enter")
    page.locator("#mw-problems").check()
    assert all(g["hidden"] for g in page.evaluate(GROUPS_JS))
    page.locator("#mw-problems").uncheck()
    assert not any(g["hidden"] for g in page.evaluate(GROUPS_JS))
    assert page.locator("img, b").count() == 0, "a namespace box's name is canvas text"
    page.screenshot(path=str(e2e_output / "harness-graph-grouped.png"))

    # The URL carries it: a reload comes back grouped; back returns to the flat graph.
    page.reload()
    page.wait_for_function("() => window.meshwatch && window.meshwatch.snapshotCount === 1")
    assert page.locator("#mw-group").is_checked()
    assert len(page.evaluate(GROUPS_JS)) == 2
    page.locator("#mw-group").uncheck()
    assert page.evaluate(GROUPS_JS) == [] and "group=" not in page.url
    page.go_back()
    page.wait_for_function("() => window.meshwatch.cy.nodes('.mw-group').length === 2")
    assert page.mw_errors == [], page.mw_errors


def big_snapshot(namespaces: int, per_namespace: int, edges_per_node: int) -> dict:
    """A graph past the large-graph threshold, laid out as the server lays it out."""
    from webapp.graph.layout import compute_positions

    nodes, edges = [], []
    for n in range(namespaces):
        ns = f"ns-{n:02d}"
        ids = [f"workload:{ns}/w-{i:03d}" for i in range(per_namespace)]
        for i, id_ in enumerate(ids):
            nodes.append(node(id_, f"w-{i:03d}", ns, 0, 0))
            for k in range(1, edges_per_node + 1):
                edges.append(edge(id_, ids[(i + k) % per_namespace], 1.0 + (i * 7 + k) % 40))
    placed = compute_positions(
        {n["id"]: n["namespace"] for n in nodes}, [(e["source"], e["target"]) for e in edges]
    )
    for n in nodes:
        n["position"] = {"x": placed[n["id"]][0], "y": placed[n["id"]][1]}
    return {**SNAPSHOT, "nodes": nodes, "edges": edges}


PROGRESS_RECORDER = """
window.__progress = [];
document.addEventListener('DOMContentLoaded', () => {
  const note = document.getElementById('mw-graph-progress');
  new MutationObserver(() => window.__progress.push([note.hidden, note.textContent]))
    .observe(note, {attributes: true, childList: true, characterData: true, subtree: true});
});
"""


def test_a_large_graph_says_it_is_drawing_and_keeps_labels_current(page):
    data = big_snapshot(namespaces=6, per_namespace=100, edges_per_node=2)  # 600 + 1,200
    live = FakeLive()
    live.on_subscribe = lambda ws, m: ws.send(
        json.dumps({"v": 1, "type": "snapshot", "topic": "graph", "seq": 1, "data": data})
    )
    serve_harness(page, rendered_page_html(), live)
    page.add_init_script(PROGRESS_RECORDER)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.meshwatch.cy.nodes().length === 600", timeout=60_000)
    page.wait_for_function("() => document.getElementById('mw-graph-progress').hidden")
    notes = [text for hidden, text in page.evaluate("() => window.__progress") if not hidden]
    assert "Drawing 600 nodes and 1,200 edges…" in notes
    assert page.evaluate("() => window.meshwatch.cy.edges().length") == 1200

    # A delta moving 5 % of the edges: the view holds the new numbers at once; the label of
    # an edge the user looks at (selected) is current on screen too.
    changed = [{**e, "rps": 999.0} for e in data["edges"][:60]]
    live.send({"v": 1, "type": "delta", "topic": "graph", "seq": 2,
               "data": {"upsert": {"edges": changed}, "remove": {}}})  # fmt: skip
    page.wait_for_function("() => window.meshwatch.lastSeq === 2")
    first = changed[0]["id"]
    assert page.evaluate("id => window.meshwatch.view.edges.get(id).rps", first) == 999.0
    page.evaluate("id => window.meshwatch.select({group: 'edge', id})", first)
    assert page.evaluate("id => window.meshwatch.cy.getElementById(id).data('label')", first) == (
        "\U0001f512 999 rps"
    )
    # Zoomed in far enough to read them, every label is current.
    page.evaluate("() => window.meshwatch.cy.zoom(1.2)")
    labels = page.evaluate(
        "ids => ids.map(id => window.meshwatch.cy.getElementById(id).data('label'))",
        [e["id"] for e in changed],
    )
    assert labels == ["\U0001f512 999 rps"] * len(changed)

    # Grouping a large graph: one box per namespace, the same progress note first.
    page.locator("#mw-group").check()
    page.wait_for_function("() => window.meshwatch.cy.nodes('.mw-group').length === 6")
    page.wait_for_function("() => document.getElementById('mw-graph-progress').hidden")
    notes = [text for hidden, text in page.evaluate("() => window.__progress") if not hidden]
    assert "Grouping by namespace…" in notes
    assert page.evaluate("() => window.meshwatch.view.visibleIds().nodes.length") == 600
    assert page.mw_errors == [], page.mw_errors
