"""Ready-to-paste YAML for the mismatches' remedies."""

from __future__ import annotations

from collections.abc import Mapping


def strict_peer_authentication(
    namespace: str, selector: Mapping[str, str] | None = None, name: str = "default"
) -> str:
    """A STRICT PeerAuthentication for a namespace, or for the workloads `selector` picks."""
    lines = [
        "apiVersion: security.istio.io/v1",
        "kind: PeerAuthentication",
        "metadata:",
        f"  name: {name}",
        f"  namespace: {namespace}",
        "spec:",
    ]
    if selector:
        lines += ["  selector:", "    matchLabels:"]
        lines += [f"      {k}: {_quote(v)}" for k, v in sorted(selector.items())]
    lines += ["  mtls:", "    mode: STRICT"]
    return "\n".join(lines) + "\n"


def istio_mutual_destination_rule(namespace: str, name: str, host: str) -> str:
    """The DestinationRule rewritten to send Istio mTLS (what auto-mTLS would have done)."""
    return (
        "apiVersion: networking.istio.io/v1\n"
        "kind: DestinationRule\n"
        "metadata:\n"
        f"  name: {name}\n"
        f"  namespace: {namespace}\n"
        "spec:\n"
        f"  host: {_quote(host)}\n"
        "  trafficPolicy:\n"
        "    tls:\n"
        "      mode: ISTIO_MUTUAL\n"
    )


def injection_label(namespace: str, mesh: str) -> str:
    """The namespace enrolment that makes new pods get the mesh's proxy."""
    if mesh == "linkerd":
        body = "  annotations:\n    linkerd.io/inject: enabled\n"
    else:
        body = "  labels:\n    istio-injection: enabled\n"
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n{body}"


def _quote(value: str) -> str:
    # Quote anything YAML might read as another type or a wildcard alias.
    return f'"{value}"' if not value.replace("-", "").replace(".", "").isalnum() else value
