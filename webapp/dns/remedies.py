"""The remedies for search-path amplification, as snippets ready to paste.

Each one is YAML a user can apply or merge (the Corefile travels inside its ConfigMap, so it
is YAML too); tests load every snippet with PyYAML.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Remedy:
    """One fix: what it does, why, and the snippet."""

    id: str
    title: str
    why: str
    format: str  # "yaml"
    snippet: str


def dns_config(ndots: int) -> Remedy:
    """A pod-template `dnsConfig` that lowers ndots, so external names are tried as is first."""
    snippet = (
        "# Merge into the Deployment/StatefulSet (kubectl patch or your manifest):\n"
        "spec:\n"
        "  template:\n"
        "    spec:\n"
        "      dnsConfig:\n"
        "        options:\n"
        "          - name: ndots\n"
        f'            value: "{ndots}"\n'
    )
    return Remedy(
        "dns_config",
        f"Lower ndots to {ndots} for the namespace's workloads",
        f"Names with at least {ndots} dots are tried as they are before the search list; "
        "in-cluster short names (`orders`, `orders.shop`) still resolve through it.",
        "yaml",
        snippet,
    )


def trailing_dot(example: str) -> Remedy:
    """Fully qualified names with a trailing dot skip the search list entirely."""
    snippet = (
        "# Configure external hosts as absolute names (note the final dot):\n"
        "env:\n"
        "  - name: UPSTREAM_API_HOST\n"
        f'    value: "{example}."\n'
    )
    return Remedy(
        "trailing_dot",
        "Use fully qualified names with a trailing dot",
        f"`{example}.` is absolute: one query per address family, whatever ndots says. "
        "TLS clients compare names without the dot, so check the library strips it.",
        "yaml",
        snippet,
    )


def autopath(domain: str) -> Remedy:
    """CoreDNS `autopath @kubernetes`: the server walks the search path in one round trip."""
    snippet = (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: coredns\n"
        "  namespace: kube-system\n"
        "data:\n"
        "  Corefile: |\n"
        "    .:53 {\n"
        "        errors\n"
        "        health {\n"
        "            lameduck 5s\n"
        "        }\n"
        "        ready\n"
        f"        kubernetes {domain} in-addr.arpa ip6.arpa {{\n"
        "            pods verified\n"
        "            fallthrough in-addr.arpa ip6.arpa\n"
        "            ttl 30\n"
        "        }\n"
        "        autopath @kubernetes\n"
        "        prometheus :9153\n"
        "        forward . /etc/resolv.conf\n"
        "        cache 30\n"
        "        loop\n"
        "        reload\n"
        "        loadbalance\n"
        "    }\n"
    )
    return Remedy(
        "autopath",
        "Let CoreDNS follow the search path server-side (autopath)",
        "With `autopath @kubernetes` CoreDNS answers the first search-path query with the "
        "final answer, so the client's walk stops at once. It needs `pods verified`, which "
        "makes CoreDNS watch every pod (more memory on large clusters).",
        "yaml",
        snippet,
    )


def remedies(domain: str, example: str, ndots: int) -> list[dict[str, str]]:
    """All three remedies as JSON-ready dicts, the cheapest to apply first."""
    return [asdict(r) for r in (dns_config(ndots), trailing_dot(example), autopath(domain))]
