"""PERMISSIVE where every observed client already uses mTLS: STRICT would cost nothing."""

from __future__ import annotations

from webapp.insights.checks.mtls_common import check

CHECK = check(
    "mtls_safe_to_tighten",
    "safe_to_tighten",
    "PERMISSIVE mTLS that is safe to make STRICT",
    "PERMISSIVE mode left on after migration → plaintext is still accepted: switch to "
    "STRICT once every client shows mTLS",
    lambda m, s: f"{s.name if s.kind != 'namespace' else 'Namespace ' + s.name} is PERMISSIVE "
    "but all its clients use mTLS",
)
