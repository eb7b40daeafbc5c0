"""NetworkPolicy evaluation: pure Kubernetes semantics over inventory records, no I/O.

- selectors.py: stored label selectors, matched and put in words.
- peers.py: one rule against one remote end (peers, ipBlock, ports), three-valued.
- evaluate.py: isolation, both sides of a connection, verdicts with their reasons.
- edges.py: observed edges (workloads, no port) mapped onto pods and Service ports.
- remedies.py: ready-to-paste NetworkPolicies for the checks' findings.
- view.py: the derived data the checks share, built once per evaluation.

The checks in webapp/insights/checks/netpol_*.py read these; nothing here knows Django.
"""

from webapp.security.netpol.edges import EdgeVerdict, PodIndex, judge_edge
from webapp.security.netpol.evaluate import (
    ALLOWED,
    BLOCKED,
    EGRESS,
    INGRESS,
    UNKNOWN,
    PolicySet,
    Verdict,
    policy_id,
)
from webapp.security.netpol.peers import Endpoint, TargetPort

__all__ = [
    "ALLOWED",
    "BLOCKED",
    "EGRESS",
    "INGRESS",
    "UNKNOWN",
    "EdgeVerdict",
    "Endpoint",
    "PodIndex",
    "PolicySet",
    "TargetPort",
    "Verdict",
    "judge_edge",
    "policy_id",
]
