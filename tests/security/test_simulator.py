"""The demo: shop is PERMISSIVE and legacy-reports (no sidecar) calls orders in plaintext."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.pipeline import run_cycle
from webapp.security.options import MtlsOptions
from webapp.security.snapshot import mtls_snapshot

pytestmark = pytest.mark.django_db


def test_shop_is_permissive_and_orders_sees_plaintext(simulator_source, t0):
    for i in range(2):
        run_cycle(t0 + timedelta(seconds=15 * i), simulator_source, interval_s=15.0)
    body = mtls_snapshot(
        MtlsOptions(
            window_s=60.0, window_text="1m", at=t0 + timedelta(seconds=15), namespaces=("shop",)
        )
    )
    (shop,) = body["namespaces"]
    workloads = {w["id"]: w for w in shop["workloads"]}
    assert shop["intended"]["modes"] == {"PERMISSIVE": 6, "NONE": 1}
    assert workloads["workload:shop/legacy-reports"]["sidecar"] == ""
    assert workloads["workload:shop/legacy-reports"]["policy_mode"] == "PERMISSIVE"
    orders = workloads["workload:shop/orders"]
    assert orders["intended_mode"] == "PERMISSIVE" and 0.5 < orders["observed_ratio"] < 1.0
    kinds = {(m["kind"], tuple(m["subject_ids"])) for m in body["mismatches"]}
    # orders still takes legacy-reports' plaintext, so only its all-mTLS peers may tighten.
    assert ("safe_to_tighten", ("workload:shop/payments",)) in kinds
    assert not [k for k in kinds if k[0] == "safe_to_tighten" and "workload:shop/orders" in k[1]]
    assert ("missing_sidecar", ("workload:shop/legacy-reports",)) in kinds
    assert body["mesh_wide"]["plaintext_requests"] > 0
