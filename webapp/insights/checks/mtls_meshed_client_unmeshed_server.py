"""A client with a proxy calling a server without one: the traffic falls back to plaintext."""

from __future__ import annotations

from webapp.insights.checks.mtls_common import check

CHECK = check(
    "mtls_meshed_client_unmeshed_server",
    "meshed_client_unmeshed_server",
    "Meshed clients calling servers without a proxy",
    "Traffic shows as plaintext between services → the server has no sidecar (auto-mTLS "
    "falls back): label the namespace for injection and restart the server",
    lambda m, s: f"{s.name}: the server has no proxy, traffic is plaintext",
    shape="edge",
)
