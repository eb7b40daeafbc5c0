"""Probes answer without login; readiness checks the database and the channel layer."""

import pytest


def test_healthz_needs_nothing(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_channel_layer(client):
    body = client.get("/readyz").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok"}}


@pytest.mark.django_db
@pytest.mark.redis
def test_readyz_reports_an_unreachable_channel_layer(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0"}]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["channel_layer"].startswith("error")
    finally:
        channel_layers.backends.clear()


@pytest.mark.django_db
def test_pages_redirect_to_login_in_login_mode(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_metrics_report_cycles(client, t0, simulator_source):
    from collectors import pipeline

    pipeline.run_cycle(t0, simulator_source, publish=False)
    from prometheus_client.parser import text_string_to_metric_families

    text = client.get("/metrics").content.decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("meshwatch_cycles_stored", (("status", "ok"),))] == 1
    assert samples[("meshwatch_last_cycle_timestamp_seconds", ())] == t0.timestamp()
    assert samples[("meshwatch_last_cycle_rows", ())] > 10
    assert ("meshwatch_websocket_clients", ()) in samples
    assert "bookinfo" not in text  # no cluster names in meshwatch's own metrics
