"""The one place the alerts app opens connections: a signed POST to a checked address.

`requests` connects to the address the SSRF guard checked, not to whatever the name resolves
to a moment later: the URL is rewritten to the IP literal, the Host header keeps the name, and
for https the adapter sends the name as SNI and verifies the certificate against it. No proxy
from the environment is used (it would connect elsewhere), and redirects are not followed (a
302 to http://169.254.169.254/ must not be fetched).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from webapp.alerts.ssrf import RefusedURL, Target, check_url

EXCERPT_BYTES = 1024


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: `ok` is a 2xx answer."""

    ok: bool
    status_code: int | None
    latency_ms: float
    error: str = ""
    excerpt: str = ""


class _PinnedAdapter(HTTPAdapter):
    """Sends SNI and checks the certificate for the name while connecting to an IP literal."""

    def __init__(self, host: str) -> None:
        self._host = host
        super().__init__(max_retries=0)  # the delivery schedule retries, not the client

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(server_hostname=self._host, assert_hostname=self._host)
        super().init_poolmanager(*args, **kwargs)


def _pinned_url(target: Target) -> str:
    literal = str(target.address)
    if isinstance(target.address, ipaddress.IPv6Address):
        literal = f"[{literal}]"
    return f"{target.scheme}://{literal}:{target.port}{target.path}"


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


def post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> Outcome:
    """POST `body` to `url` once, after the SSRF check; never raises for network trouble."""
    started = time.perf_counter()
    try:
        target = check_url(url)
    except RefusedURL as exc:
        return Outcome(False, None, _since(started), f"refused: {exc}")
    session = requests.Session()
    session.trust_env = False
    if target.scheme == "https":
        session.mount("https://", _PinnedAdapter(target.host))
    try:
        response = session.post(
            _pinned_url(target),
            data=body,
            headers={**headers, "Host": _host_header(target)},
            timeout=(timeout_s, timeout_s),
            allow_redirects=False,
            stream=True,
        )
        excerpt = _excerpt(response)
    except requests.RequestException as exc:
        return Outcome(False, None, _since(started), _describe(exc))
    finally:
        session.close()
    code = response.status_code
    error = "" if 200 <= code < 300 else f"HTTP {code}"
    return Outcome(not error, code, _since(started), error, excerpt)


def _excerpt(response: requests.Response) -> str:
    """The first bytes of the answer, for the attempt log; the rest is not read."""
    try:
        chunk = next(response.iter_content(EXCERPT_BYTES), b"")
    finally:
        response.close()
    return chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else str(chunk)


def _describe(exc: requests.RequestException) -> str:
    """A short cause: timeouts and resets read plainly in the attempt log."""
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed: {str(exc)[:300]}"
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
