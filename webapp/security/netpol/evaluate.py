"""Kubernetes NetworkPolicy semantics: which policies isolate a pod, and what they allow.

A pod is isolated for ingress (egress) when some policy of its namespace selects it and has
that policy type; an isolated pod accepts (sends) only what some rule of those policies
allows, and rules of all the policies are OR'ed. A connection goes through when the source's
egress AND the destination's ingress both allow it. Verdicts keep their reasons: which
policies isolate each side and which rule allowed, so a finding can cite them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from collectors.kube.parse.common import LabelSelector
from collectors.records import Inventory, NetworkPolicyRecord, PodRecord
from webapp.security.netpol.peers import (
    Endpoint,
    RuleSpec,
    TargetPort,
    Tri,
    all_of,
    any_of,
    rule_match,
)
from webapp.security.netpol.selectors import to_selector

INGRESS, EGRESS = "Ingress", "Egress"
ALLOWED, BLOCKED, UNKNOWN = "allowed", "blocked", "unknown"
NAME_LABEL = "kubernetes.io/metadata.name"
_STATE: dict[Tri, str] = {True: ALLOWED, False: BLOCKED, None: UNKNOWN}


def policy_id(policy: NetworkPolicyRecord) -> str:
    """`<ns>/NetworkPolicy/<name>`, the tail of a finding's `policy:` subject id."""
    return f"{policy.namespace}/NetworkPolicy/{policy.name}"


def policy_types(policy: NetworkPolicyRecord) -> tuple[str, ...]:
    """The policy's types; when unset, the API server's default (Ingress, + Egress if rules)."""
    if policy.policy_types:
        return policy.policy_types
    return (INGRESS, EGRESS) if policy.egress else (INGRESS,)


def selects(policy: NetworkPolicyRecord, endpoint: Endpoint) -> bool:
    """Whether `policy` applies to the pod `endpoint` (its namespace, its podSelector)."""
    if endpoint.external or endpoint.namespace != policy.namespace:
        return False
    selector = to_selector(policy.pod_selector)
    return selector is None or selector.matches(endpoint.labels)  # absent reads as {}


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy with its selector and rules read once: the evaluator's working form."""

    record: NetworkPolicyRecord
    id: str
    selector: LabelSelector | None
    types: tuple[str, ...]
    ingress: tuple[RuleSpec, ...]
    egress: tuple[RuleSpec, ...]

    @classmethod
    def of(cls, policy: NetworkPolicyRecord) -> CompiledPolicy:
        """Read `policy`'s selectors once."""
        return cls(policy, policy_id(policy), to_selector(policy.pod_selector),
                   policy_types(policy), tuple(RuleSpec.of(r) for r in policy.ingress),
                   tuple(RuleSpec.of(r) for r in policy.egress))  # fmt: skip

    def selects(self, endpoint: Endpoint) -> bool:
        """Whether this policy applies to `endpoint` (see `selects`)."""
        if endpoint.external or endpoint.namespace != self.record.namespace:
            return False
        return self.selector is None or self.selector.matches(endpoint.labels)


@dataclass(frozen=True)
class RuleRef:
    """One rule of one policy: `<ns>/NetworkPolicy/<name>` and its ingress[i] / egress[i]."""

    policy: str
    direction: str
    index: int

    @property
    def words(self) -> str:
        """`shop/NetworkPolicy/orders ingress[0]`."""
        return f"{self.policy} {self.direction.lower()}[{self.index}]"


@dataclass(frozen=True)
class SideVerdict:
    """One side's answer: egress of the source, or ingress of the destination."""

    direction: str
    state: str
    isolating: tuple[str, ...] = ()  # policy ids
    allowed_by: tuple[RuleRef, ...] = ()
    reasons: tuple[str, ...] = ()
    undecided: tuple[RuleRef, ...] = ()  # rules that could not tell (a named port, an ipBlock)

    @property
    def isolated(self) -> bool:
        """Whether some policy restricts this side at all."""
        return bool(self.isolating)


@dataclass(frozen=True)
class Verdict:
    """Whether `source` may open a connection to `destination` on `port`, and why."""

    state: str
    source: Endpoint
    destination: Endpoint
    port: TargetPort
    egress: SideVerdict
    ingress: SideVerdict

    @property
    def reasons(self) -> tuple[str, ...]:
        """Both sides' reasons, egress first (the order packets meet them)."""
        return self.egress.reasons + self.ingress.reasons


@dataclass(frozen=True)
class PolicySet:
    """Every NetworkPolicy by namespace, with the namespace labels selectors match against."""

    by_namespace: Mapping[str, tuple[NetworkPolicyRecord, ...]]
    namespace_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Derived on first use: compiled policies by namespace, and who selects which labels.
    _compiled: dict[str, tuple[CompiledPolicy, ...]] = field(default_factory=dict, compare=False)
    _selecting: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[CompiledPolicy, ...]] = field(
        default_factory=dict, compare=False
    )

    @classmethod
    def from_inventory(cls, inventory: Inventory) -> PolicySet:
        """Index the inventory's policies and namespaces once."""
        grouped: dict[str, list[NetworkPolicyRecord]] = defaultdict(list)
        for policy in inventory.network_policies:
            grouped[policy.namespace].append(policy)
        return cls(
            by_namespace={ns: tuple(ps) for ns, ps in grouped.items()},
            namespace_labels={ns.name: ns.labels for ns in inventory.namespaces},
        )

    def labels_of(self, namespace: str) -> dict[str, str]:
        """A namespace's labels, with the name label every API server ≥ 1.21 sets."""
        return {**self.namespace_labels.get(namespace, {}), NAME_LABEL: namespace}

    def pod_endpoint(self, pod: PodRecord) -> Endpoint:
        """One pod as an Endpoint."""
        ips = pod.pod_ips or ((pod.ip,) if pod.ip else ())
        return Endpoint(pod.namespace, pod.labels, self.labels_of(pod.namespace), ips,
                        name=f"{pod.namespace}/{pod.name}")  # fmt: skip

    def compiled(self, namespace: str) -> tuple[CompiledPolicy, ...]:
        """The namespace's policies in their working form (read once, then cached)."""
        if namespace not in self._compiled:
            policies = self.by_namespace.get(namespace, ())
            self._compiled[namespace] = tuple(CompiledPolicy.of(p) for p in policies)
        return self._compiled[namespace]

    def _selecting_compiled(self, endpoint: Endpoint) -> tuple[CompiledPolicy, ...]:
        if endpoint.external:
            return ()
        # Pods of a workload share their labels: one answer serves them all.
        key = (endpoint.namespace, tuple(sorted(endpoint.labels.items())))
        if key not in self._selecting:
            found = tuple(p for p in self.compiled(endpoint.namespace) if p.selects(endpoint))
            self._selecting[key] = found
        return self._selecting[key]

    def selecting(self, endpoint: Endpoint) -> tuple[NetworkPolicyRecord, ...]:
        """Policies whose podSelector picks `endpoint`, of any type."""
        return tuple(p.record for p in self._selecting_compiled(endpoint))

    def isolating(self, endpoint: Endpoint, direction: str) -> tuple[NetworkPolicyRecord, ...]:
        """Policies that select `endpoint` and have the type `direction` (Ingress/Egress)."""
        return tuple(p.record for p in self._isolating(endpoint, direction))

    def _isolating(self, endpoint: Endpoint, direction: str) -> tuple[CompiledPolicy, ...]:
        return tuple(p for p in self._selecting_compiled(endpoint) if direction in p.types)

    def side(
        self, direction: str, local: Endpoint, remote: Endpoint, port: TargetPort
    ) -> SideVerdict:
        """What the policies isolating `local` in `direction` say about `remote` on `port`."""
        verb = direction.lower()
        if local.external:
            why = f"{local.words}: no NetworkPolicy governs its {verb}"
            return SideVerdict(direction, ALLOWED, reasons=(why,))
        isolating = self._isolating(local, direction)
        if not isolating:
            why = f"{local.words} is not isolated for {verb}: no policy selects it"
            return SideVerdict(direction, ALLOWED, reasons=(why,))
        ids = tuple(p.id for p in isolating)
        more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
        head = f"{local.words} is isolated for {verb} by {', '.join(ids[:5])}{more}"
        judged = [j for p in isolating for j in _judge_rules(p, direction, remote, port)]
        verdict = any_of(answer for _, answer, _ in judged)
        allowed = tuple(ref for ref, answer, _ in judged if ref and answer is True)
        undecided = tuple(ref for ref, answer, _ in judged if ref and answer is None)
        # Cite the rules that allow when some do; else every rule and why it does not.
        shown = [(r, a, w) for r, a, w in judged if a is True] if verdict is True else judged
        reasons = (head, *(f"{r.words}: {w}" if r else w for r, _, w in shown))
        return SideVerdict(direction, _STATE[verdict], ids, allowed, reasons, undecided)

    def evaluate(self, source: Endpoint, destination: Endpoint, port: TargetPort) -> Verdict:
        """The source's egress AND the destination's ingress, for one connection."""
        egress = self.side(EGRESS, source, destination, port)
        ingress = self.side(INGRESS, destination, source, port)
        state = _STATE[all_of((_tri(egress.state), _tri(ingress.state)))]
        return Verdict(state, source, destination, port, egress, ingress)


def _judge_rules(
    policy: CompiledPolicy, direction: str, remote: Endpoint, port: TargetPort
) -> list[tuple[RuleRef | None, Tri, str]]:
    """Each rule of `policy` in `direction` against `remote`; a policy without rules says no."""
    rules = policy.ingress if direction == INGRESS else policy.egress
    if not rules:
        return [(None, False, f"{policy.id} has no {direction.lower()} rules: allows nothing")]
    judged: list[tuple[RuleRef | None, Tri, str]] = []
    for index, rule in enumerate(rules):
        answer, why = rule_match(rule, policy.record.namespace, remote, port)
        judged.append((RuleRef(policy.id, direction, index), answer, why))
    return judged


def _tri(state: str) -> Tri:
    return {ALLOWED: True, BLOCKED: False}.get(state)


def combine(states: list[str]) -> str:
    """One state for several alternatives (pods, callers, ports): all alike, else unknown."""
    if not states:
        return UNKNOWN
    return states[0] if all(s == states[0] for s in states) else UNKNOWN
