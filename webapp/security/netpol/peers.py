"""One rule against one remote end: peers (from/to), ports, and three-valued answers.

Every match here answers True, False or None ("cannot tell", with the reason), and rules
combine with Kleene logic: a rule allows when its peers AND its ports match, a policy's
rules are OR'ed. None is not False: a named port that cannot be resolved, or an ipBlock
against a caller whose address is unknown, must not turn into a verdict either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import ip_address, ip_network
from typing import Any

from collectors.kube.parse.common import LabelSelector
from webapp.security.netpol.selectors import describe, describe_labels, to_selector

Tri = bool | None
Match = tuple[Tri, str]  # (answer, why) — "why" is for findings, so it names what decided
MAX_NAME_CHARS = 128


@dataclass(frozen=True)
class Endpoint:
    """One end of a connection as NetworkPolicy sees it: a pod (or group of alike pods).

    `external` is a client or server outside the cluster: only ipBlock peers can match it.
    `ips` are the addresses traffic may come from or go to (empty: not known).
    """

    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    ips: tuple[str, ...] = ()
    name: str = ""  # for the reasons: "shop/orders" or "outside the cluster"
    external: bool = False

    @property
    def words(self) -> str:
        """How reasons name this end (bounded: names come from the cluster)."""
        words = self.name or ("outside the cluster" if self.external else self.namespace)
        return words if len(words) <= MAX_NAME_CHARS else words[: MAX_NAME_CHARS - 1] + "…"


@dataclass(frozen=True)
class TargetPort:
    """The destination port of a connection: protocol, and its number and/or name if known.

    The name is the container port's, which is what a NetworkPolicy's named port refers to;
    meshwatch knows it only when a Service's targetPort names it.
    """

    protocol: str = "TCP"
    number: int | None = None
    name: str = ""

    @property
    def words(self) -> str:
        """`8080/TCP`, `http/TCP` or `TCP (port unknown)`."""
        if self.number is not None:
            return f"{self.number}/{self.protocol}"
        if self.name:
            return f"{self.name}/{self.protocol}"
        return f"{self.protocol} (port unknown)"


def any_of(answers: Iterable[Tri]) -> Tri:
    """Kleene OR: True if one is, else None if one cannot tell, else False."""
    seen_none = False
    for answer in answers:
        if answer is True:
            return True
        seen_none = seen_none or answer is None
    return None if seen_none else False


def all_of(answers: Iterable[Tri]) -> Tri:
    """Kleene AND: False if one is, else None if one cannot tell, else True."""
    seen_none = False
    for answer in answers:
        if answer is False:
            return False
        seen_none = seen_none or answer is None
    return None if seen_none else True


def ip_in_block(ip: str, cidr: str, excepts: Sequence[str]) -> Match:
    """Whether `ip` lies in `cidr` and outside every `except` CIDR (IPv4 and IPv6)."""
    try:
        addr = ip_address(ip)
        block = ip_network(cidr, strict=False)
    except ValueError:
        return None, f"cannot read ipBlock {cidr[:64]!r} or address {ip[:64]!r}"
    if addr.version != block.version or addr not in block:
        return False, f"{ip} is not in {block}"
    for carved in excepts:
        try:
            hole = ip_network(carved, strict=False)
        except ValueError:
            return None, f"cannot read ipBlock except {carved[:64]!r}"
        if hole.version == addr.version and addr in hole:
            return False, f"{ip} is in {block} but excepted by {hole}"
    return True, f"{ip} is in {block}"


def _ip_block_match(block: Mapping[str, Any], remote: Endpoint) -> Match:
    cidr = str(block.get("cidr", ""))
    excepts = [str(e) for e in block.get("except_") or block.get("except") or ()]
    if not remote.ips:
        return None, f"ipBlock {cidr[:64]}: the address of {remote.words} is unknown"
    answers = [ip_in_block(ip, cidr, excepts) for ip in remote.ips]
    if all(a is True for a, _ in answers):
        return True, f"ipBlock {cidr[:64]} admits {remote.words} ({answers[0][1]})"
    if all(a is False for a, _ in answers):
        return False, f"ipBlock {cidr[:64]}: {answers[0][1]}"
    return None, f"ipBlock {cidr[:64]} admits some addresses of {remote.words}, not all"


@dataclass(frozen=True)
class PeerSpec:
    """One from/to entry with its selectors read once (a policy is judged many times)."""

    pods: LabelSelector | None = None
    namespaces: LabelSelector | None = None
    block: Mapping[str, Any] | None = None
    pod_words: str = "any pod"
    ns_words: str = ""  # "": the policy's own namespace

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> PeerSpec:
        """The stored peer dict `raw` (pod_selector, namespace_selector, ip_block)."""
        pods = to_selector(raw.get("pod_selector"))
        namespaces = to_selector(raw.get("namespace_selector"))
        return cls(
            pods=pods,
            namespaces=namespaces,
            block=raw.get("ip_block") or None,
            pod_words="any pod" if pods is None else f"pods matching {describe(pods)}",
            ns_words="" if namespaces is None else f"namespaces matching {describe(namespaces)}",
        )


@dataclass(frozen=True)
class RuleSpec:
    """One ingress/egress rule: its peers (read once) and its ports as stored."""

    peers: tuple[PeerSpec, ...] = ()
    ports: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> RuleSpec:
        """The stored rule dict `raw` ({"peers", "ports"})."""
        peers = raw.get("peers") or () if isinstance(raw, Mapping) else ()
        ports = raw.get("ports") or () if isinstance(raw, Mapping) else ()
        return cls(
            tuple(PeerSpec.of(p) for p in peers if isinstance(p, Mapping)),
            tuple(p for p in ports if isinstance(p, Mapping)),
        )


def peer_match(peer: PeerSpec, policy_namespace: str, remote: Endpoint) -> Match:
    """Whether one from/to entry covers `remote`.

    podSelector alone: pods of the policy's namespace; namespaceSelector alone: every pod of
    the matching namespaces; both in one entry: pods matching both (AND); ipBlock: addresses.
    """
    if peer.block:
        return _ip_block_match(peer.block, remote)
    if peer.pods is None and peer.namespaces is None:
        return False, "an empty peer (the API server refuses these) matches nothing"
    if remote.external:
        return False, f"selectors match only pods, and {remote.words} is not one"
    if peer.namespaces is None:
        ns_ok = remote.namespace == policy_namespace
    else:
        ns_ok = peer.namespaces.matches(remote.namespace_labels)
    pod_ok = peer.pods is None or peer.pods.matches(remote.labels)
    wanted = f"{peer.pod_words} in {peer.ns_words or f'namespace {policy_namespace}'}"
    if ns_ok and pod_ok:
        return True, f"{remote.words} is one of {wanted}"
    carries = describe_labels(remote.labels)
    return False, f"{remote.words} ({carries}) is not one of {wanted}"


def peers_match(peers: Sequence[PeerSpec], policy_namespace: str, remote: Endpoint) -> Match:
    """Any entry of a rule's from/to list; an empty list matches every source or destination."""
    if not peers:
        return True, "the rule names no peers: everything"
    answers = [peer_match(p, policy_namespace, remote) for p in peers]
    verdict = any_of(a for a, _ in answers)
    picked = [why for a, why in answers if a is verdict] or [answers[0][1]]
    return verdict, "; ".join(picked[:3])


def port_match(port: Mapping[str, Any], target: TargetPort) -> Match:
    """One ports entry: protocol (TCP by default), a number, a number range, or a name."""
    protocol = str(port.get("protocol") or "TCP").upper()
    if protocol != target.protocol.upper():
        return False, f"the rule is for {protocol}, the traffic is {target.protocol}"
    wanted, end = port.get("port"), port.get("end_port")
    if wanted is None:
        return True, f"every {protocol} port"
    if isinstance(wanted, str) and not wanted.isdigit():
        if target.name:
            ok = target.name == wanted
            return ok, f"named port {wanted[:64]!r} {'is' if ok else 'is not'} {target.words}"
        return None, f"named port {wanted[:64]!r} unresolved: no name known for {target.words}"
    low = int(wanted)
    high = int(end) if isinstance(end, int) and end >= low else low
    span = f"{low}-{high}" if high != low else f"{low}"
    if target.number is None:
        return None, f"port {span} unresolved: the destination's port number is not known"
    ok = low <= target.number <= high
    return ok, f"port {span}/{protocol} {'admits' if ok else 'does not admit'} {target.words}"


def ports_match(ports: Sequence[Mapping[str, Any]], target: TargetPort) -> Match:
    """Any entry of a rule's ports; an empty list matches every port."""
    if not ports:
        return True, "the rule names no ports: every port"
    answers = [port_match(p, target) for p in ports]
    verdict = any_of(a for a, _ in answers)
    picked = [why for a, why in answers if a is verdict] or [answers[0][1]]
    return verdict, "; ".join(picked[:3])


def rule_match(
    rule: RuleSpec, policy_namespace: str, remote: Endpoint, target: TargetPort
) -> Match:
    """A whole ingress/egress rule: its peers AND its ports."""
    peers, peer_why = peers_match(rule.peers, policy_namespace, remote)
    ports, port_why = ports_match(rule.ports, target)
    verdict = all_of((peers, ports))
    if verdict is True:
        return True, f"{peer_why}; {port_why}"
    # Say what failed (or could not be told), not what matched.
    failed = [why for ok, why in ((peers, peer_why), (ports, port_why)) if ok is verdict]
    return verdict, "; ".join(failed)
