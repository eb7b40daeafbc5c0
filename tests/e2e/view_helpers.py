"""What the mTLS, Insights and Inventory browser tests share: waiting for live data, the
screenshot, and a hostile namespace and workload written into the demo's own database.

The hostile objects: the demo's cycles replace the stored inventory with the simulator's on
every cycle, unless a watcher holds the inventory lease. The fixture takes that lease (as a
real `watch_cluster` would) for the length of one test, writes a namespace, a workload and
a Service whose label value, name and selector are HTML, and on the way out deletes them and
gives the lease back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

EVIL = "<img src=x onerror=alert(1)>"
EVIL_NS = "e2e-hostile"
EVIL_WORKLOAD = f"evil-{EVIL}"
EVIL_SERVICE = "evil-svc"
LIVE_TIMEOUT_MS = 30_000  # several 3 s cycles
_HOLDER = "e2e-hostile-fixture"

_SETUP = """
from webapp.inventory import lease, models
assert lease.acquire({holder!r}, 300), "another watcher holds the inventory lease"
ns, _ = models.Namespace.objects.update_or_create(
    name={ns!r}, defaults=dict(labels={{"team": {evil!r}}}, mesh="istio"))
models.Workload.objects.update_or_create(
    namespace=ns, name={workload!r},
    defaults=dict(kind="Deployment", app={evil!r}, labels={{"app": {evil!r}}}, mesh="istio"))
# A Service selecting no pod: the insights' selector check reports it, selector and all.
models.Service.objects.update_or_create(
    namespace=ns, name={service!r}, defaults=dict(selector={{"app": {evil!r}}}))
print("ok")
"""

_TEARDOWN = """
from webapp.inventory import lease, models
models.Namespace.objects.filter(name={ns!r}).delete()
lease.release({holder!r})
print("ok")
"""


def wait_seq_increase(page, timeout: int = LIVE_TIMEOUT_MS) -> None:
    """The page's main subscription applies a delta after the first snapshot."""
    seq0 = page.evaluate("() => window.meshwatch.lastSeq")
    page.wait_for_function(
        "seq0 => window.meshwatch.lastSeq > seq0 && window.meshwatch.deltaCount > 0",
        arg=seq0,
        timeout=timeout,
    )


def shoot(page, e2e_output: Path, name: str) -> None:
    """A full-page screenshot under the test output folder."""
    path = e2e_output / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def settle(browser, base: str) -> None:
    """Wait, in a throwaway tab, until the demo streams deltas.

    Right after start-up the demo's one sync thread is busy catching up cycles, and Daphne
    drops a websocket handshake it cannot finish within its timeout: the browser logs that
    as a console error. A tab that has seen a delta proves the server is past that, so the
    tests' own pages then start from a settled server instead of filtering the error out.
    """
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(f"{base}/inventory?tab=cluster")
        tab.wait_for_function("() => window.meshwatch.deltaCount >= 1", timeout=90_000)
    finally:
        context.close()


def watch_dialogs(page) -> None:
    """An alert() from injected markup counts as an error of the page."""
    page.on("dialog", lambda d: (page.mw_errors.append(f"dialog: {d.message}"), d.dismiss()))


def no_injected_markup(page) -> None:
    """The hostile strings never became elements (they are text: escaped in the markup)."""
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("() => document.body.innerHTML.includes('<img src=x')") is False
    assert page.evaluate("() => document.body.innerHTML.includes('&lt;img src=x')") is True


@contextmanager
def hostile_inventory(demo_manage: Callable[..., str]) -> Iterator[dict[str, str]]:
    """The hostile namespace and workload in the demo's inventory while the block runs."""
    args = {
        "holder": _HOLDER,
        "ns": EVIL_NS,
        "evil": EVIL,
        "workload": EVIL_WORKLOAD,
        "service": EVIL_SERVICE,
    }
    assert "ok" in demo_manage("shell", "-c", _SETUP.format(**args))
    try:
        yield {"namespace": EVIL_NS, "workload": EVIL_WORKLOAD, "label": EVIL}
    finally:
        demo_manage("shell", "-c", _TEARDOWN.format(**args))


def api_json(page, path: str) -> dict:
    """GET an API document with the page's own session (what the view itself reads)."""
    return json.loads(page.evaluate("p => fetch(p).then(r => r.text())", path))
