"""Swagger UI at /api/v1/docs/ in a real Chromium against the demo: it draws the API's
operations from the local sidecar files, under the site's strict CSP, with no violation
and no console error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def docs_page(browser):
    """A page recording console errors, like conftest's `page`, without its dependence on
    the frontend bundle: the docs page loads Swagger UI's files, not app.js."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    page.mw_errors = errors
    try:
        yield page
    finally:
        context.close()


def test_the_docs_page_renders_every_operation_under_the_csp(demo_server, docs_page,
                                                             e2e_output):
    page = docs_page
    page.add_init_script(RECORD_CSP)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    response = page.goto(f"{demo_server}/api/v1/docs/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert len(paths) > 20
    assert any(p.replace("\u200b", "") == "/api/v1/graph" for p in paths)
    # Open one operation: its parameters and problem responses come from the schema.
    page.locator("#operations-graph-graph_retrieve .opblock-summary").click()
    page.wait_for_selector("#operations-graph-graph_retrieve .parameters", timeout=10_000)
    assert "graph_type" in page.locator("#operations-graph-graph_retrieve").inner_text()
    page.screenshot(path=str(e2e_output / "api-docs.png"), full_page=False)
    assert page.evaluate("() => window.__cspViolations") == []
    assert page.mw_errors == []
    outside = [u for u in requested if not u.startswith(demo_server) and not u.startswith("data:")]
    assert outside == [], "the docs page must need no CDN"
