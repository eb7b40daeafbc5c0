"""schemathesis against the real app: every GET operation of the OpenAPI document, with
generated queries and path parameters, over HTTP to a live server on 127.0.0.1 holding a few
simulator cycles of data, as an admin's bearer token.

Checks: no 5xx, bodies that match the declared schema, declared status codes and content
types. Hypothesis runs derandomized (a fixed seed per operation) with a bounded number of
examples, so a run takes the same cases and well under three minutes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from collectors import pipeline

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]
MAX_EXAMPLES = 12


@pytest.fixture
def loaded(t0, simulator_source):
    """Eight cycles ending now, so the default windows (which end now) find data."""
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    for i in range(8):
        pipeline.run_cycle(now - timedelta(seconds=15 * (7 - i)), simulator_source,
                           publish=False)


def _run(operation, base_url: str, headers: dict[str, str]) -> int:
    """Run the operation's cases; returns how many requests were made."""
    calls = []

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case) -> None:
        calls.append(case)
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

    check()
    return len(calls)


def test_every_get_operation_conforms_to_the_schema(live_server, alice_token, loaded, settings):
    settings.MESHWATCH_AUTH = "login"
    headers = {"Authorization": f"Bearer {alice_token}"}
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/schema/?format=json", headers=headers, timeout=60)
    failures: list[str] = []
    tested = requests = 0
    for result in schema.include(method="GET").get_all_operations():
        operation = result.ok()
        tested += 1
        try:
            requests += _run(operation, live_server.url, headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect all, then fail
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert tested > 20, "the schema lists too few GET operations"
    assert not failures, "\n\n".join(failures)
    assert requests > 3 * tested, f"only {requests} requests for {tested} operations"


# Writes: the alerts app's own collections. The receiver test and delivery retry actions stay
# out (they send HTTP to whatever URL a generated receiver names).
WRITES = ("/api/v1/alert-rules", "/api/v1/receivers", "/api/v1/silences",
          "/api/v1/alertmanager")


def test_posts_to_the_alerts_collections_conform(live_server, alice_token, settings):
    settings.MESHWATCH_AUTH = "login"
    headers = {"Authorization": f"Bearer {alice_token}"}
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/schema/?format=json", headers=headers, timeout=60)
    failures: list[str] = []
    tested = 0
    for result in schema.include(method="POST").get_all_operations():
        operation = result.ok()
        if operation.path not in WRITES:
            continue
        tested += 1
        try:
            _run(operation, live_server.url, headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect all, then fail
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert tested == len(WRITES)
    assert not failures, "\n\n".join(failures)
