"""A STRICT PeerAuthentication and a DestinationRule sending plaintext to it: resets."""

from __future__ import annotations

from webapp.insights.checks.mtls_common import check

CHECK = check(
    "mtls_strict_dr_disable",
    "strict_dr_disable",
    "DestinationRule disables mTLS towards STRICT workloads",
    "503 / connection reset between meshed services → a DestinationRule with tls mode "
    "DISABLE conflicts with STRICT PeerAuthentication: use ISTIO_MUTUAL",
    lambda m, s: f"DestinationRule {m.evidence.get('destination_rule', '')} sends plaintext "
    f"to STRICT {m.evidence.get('peer_authentication', '')}",
)
