"""A pod's effective resolv.conf, computed the way the kubelet does.

The kubelet (pkg/kubelet/network/dns) picks a base configuration from `dnsPolicy`, then
appends `dnsConfig`: nameservers and searches are appended with duplicates dropped, options
are merged with the pod's value winning per option name. The node's own resolv.conf is not
visible through the API, so where the kubelet would copy it we say it is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .common import Reader

CLUSTER_NDOTS = 5  # the kubelet's fixed default for ClusterFirst pods
MAX_SEARCHES = 32  # the kubelet keeps at most 32 search domains (MaxDNSSearchPaths)


@dataclass(frozen=True)
class DnsResolution:
    """What ends up in the pod's /etc/resolv.conf, as far as the API lets us know.

    `base` is the policy the kubelet actually applied: "cluster", "host" or "none". When
    `node_part_unknown` is true the node's resolv.conf would be merged in (its search
    domains after the cluster ones, or the whole file for "host") but we cannot see it;
    `ndots` is then None unless the pod sets it.
    """

    policy: str
    base: str
    nameservers: tuple[str, ...]
    searches: tuple[str, ...]
    ndots: int | None
    options: tuple[tuple[str, str], ...]
    node_part_unknown: bool
    note: str = ""


@dataclass(frozen=True)
class PodDnsSpec:
    """The pod fields that decide DNS: policy, host networking and dnsConfig."""

    policy: str = "ClusterFirst"
    host_network: bool = False
    nameservers: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    has_config: bool = False


def read_dns_spec(spec: dict[str, Any], reader: Reader) -> PodDnsSpec:
    """The DNS-relevant fields of a PodSpec."""
    config = reader.mapping(spec, "dnsConfig", "spec.dnsConfig")
    options = tuple(
        (reader.text(o, "name"), reader.text(o, "value"))
        for o in reader.mappings(config, "options", "spec.dnsConfig.options")
    )
    return PodDnsSpec(
        policy=reader.text(spec, "dnsPolicy", "ClusterFirst", "spec.dnsPolicy"),
        host_network=reader.flag(spec, "hostNetwork", "spec.hostNetwork") is True,
        nameservers=reader.texts(config, "nameservers", "spec.dnsConfig.nameservers"),
        searches=reader.texts(config, "searches", "spec.dnsConfig.searches"),
        options=options,
        has_config=bool(config),
    )


def resolve_dns(
    dns: PodDnsSpec,
    namespace: str,
    cluster_domain: str = "cluster.local",
    cluster_dns: tuple[str, ...] = (),
) -> DnsResolution:
    """The effective DNS configuration of a pod in `namespace`.

    `cluster_dns` is the kubelet's --cluster-dns (the kube-dns Service IP), when known.
    """
    base = _base_policy(dns)
    if base == "cluster":
        servers = cluster_dns
        searches: tuple[str, ...] = (
            f"{namespace}.svc.{cluster_domain}",
            f"svc.{cluster_domain}",
            cluster_domain,
        )
        options: tuple[tuple[str, str], ...] = (("ndots", str(CLUSTER_NDOTS)),)
    else:
        servers, searches, options = (), (), ()
    servers = _unique(servers + dns.nameservers)
    searches = _unique(searches + dns.searches)[:MAX_SEARCHES]
    options = _merge_options(options, dns.options)
    return DnsResolution(
        policy=dns.policy,
        base=base,
        nameservers=servers,
        searches=searches,
        ndots=_ndots(options),
        options=options,
        node_part_unknown=base != "none",
        note=_note(dns, base),
    )


def _base_policy(dns: PodDnsSpec) -> str:
    # ClusterFirst on hostNetwork silently falls back to the node's config; only
    # ClusterFirstWithHostNet keeps cluster DNS for host-network pods.
    if dns.policy == "None":
        return "none"
    if dns.policy == "ClusterFirstWithHostNet":
        return "cluster"
    if dns.policy == "ClusterFirst" and not dns.host_network:
        return "cluster"
    return "host"


def _note(dns: PodDnsSpec, base: str) -> str:
    if base == "host" and dns.policy == "ClusterFirst":
        return "ClusterFirst with hostNetwork falls back to the node's resolv.conf"
    if base == "host":
        return "the node's resolv.conf is used; its contents are not visible from the API"
    if base == "cluster":
        return "the node's search domains follow the cluster ones (not visible from the API)"
    return "only dnsConfig applies"


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _merge_options(
    base: tuple[tuple[str, str], ...], extra: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    merged = dict(base)
    for name, value in extra:
        if name:
            merged[name] = value
    return tuple(merged.items())


def _ndots(options: tuple[tuple[str, str], ...]) -> int | None:
    value = dict(options).get("ndots")
    if value is None or not value.isdigit():
        return None
    return min(int(value), 15)  # glibc caps ndots at 15


def resolv_conf(resolution: DnsResolution) -> str:
    """The resolv.conf text the kubelet would write (without the unknown node part)."""
    lines = []
    if resolution.searches:
        lines.append("search " + " ".join(resolution.searches))
    lines.extend(f"nameserver {server}" for server in resolution.nameservers)
    if resolution.options:
        opts = (f"{name}:{value}" if value else name for name, value in resolution.options)
        lines.append("options " + " ".join(opts))
    return "\n".join(lines) + "\n"
