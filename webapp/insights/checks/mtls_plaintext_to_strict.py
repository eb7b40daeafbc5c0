"""Plaintext requests into a STRICT workload: refused by its proxy, or the policy is newer."""

from __future__ import annotations

from webapp.insights.checks.mtls_common import check

CHECK = check(
    "mtls_plaintext_to_strict",
    "plaintext_to_strict",
    "Plaintext traffic into STRICT mTLS workloads",
    "Connection reset after enabling STRICT mTLS → a client without a sidecar sends "
    "plaintext: inject it or keep PERMISSIVE until it has one",
    lambda m, s: f"Plaintext requests reach STRICT {s.namespace}/{s.name}",
    shape="first",
)
