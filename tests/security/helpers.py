"""Loading the shared Istio fixtures into the resolver's inputs, the way kubectl applies them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from collectors.kube.cluster_records import mesh_policy_record
from collectors.kube.parse import parse_object
from collectors.records import MeshPolicyRecord
from webapp.security.policy import DestRule, PeerAuth, dest_rule_from_spec, peer_auth_from_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "k8s" / "istio-security"


def records(name: str, namespace: str = "foo") -> list[MeshPolicyRecord]:
    """The mesh policies of fixture `name`; objects without a namespace land in `namespace`
    (as `kubectl apply -n <namespace>` would put them)."""
    out = []
    for doc in yaml.safe_load_all((FIXTURES / name).read_text()):
        record = mesh_policy_record(parse_object(doc)) if doc else None
        if record is not None:
            out.append(record if record.namespace else replace(record, namespace=namespace))
    return out


def load(name: str, namespace: str = "foo") -> tuple[list[PeerAuth], list[DestRule]]:
    """The PeerAuthentications and DestinationRules of fixture `name`."""
    recs = records(name, namespace)
    pas = [
        peer_auth_from_spec(r.namespace, r.name, r.spec)
        for r in recs
        if r.kind == "PeerAuthentication"
    ]
    drs = [
        dest_rule_from_spec(r.namespace, r.name, r.spec)
        for r in recs
        if r.kind == "DestinationRule"
    ]
    return pas, drs
