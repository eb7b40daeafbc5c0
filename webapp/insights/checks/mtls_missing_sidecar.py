"""Pods without the mesh's proxy in a namespace enrolled in the mesh."""

from __future__ import annotations

from webapp.insights.checks.mtls_common import check

CHECK = check(
    "mtls_missing_sidecar",
    "missing_sidecar",
    "Pods missing the sidecar in meshed namespaces",
    "Pod has no sidecar in a meshed namespace → check the injection label and webhook, "
    "then restart the pod (it was created before injection was on)",
    lambda m, s: f"{m.evidence.get('pods_without_proxy', 0)} pod(s) in "
    f"{s.namespace or m.namespace} run without the proxy",
)
