"""Evaluation on stored cycles: states with history, one alert per subject, queued deliveries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.alerts.conftest import FAULTY, HEALTHY
from webapp.alerts.evaluation import evaluate_rules
from webapp.alerts.models import Alert, Delivery, Silence

pytestmark = pytest.mark.django_db
EDGE = "workload:shop/web>workload:shop/api|http"


def test_a_planted_fault_goes_pending_then_fires_then_resolves(source, cycles, make_rule,
                                                               make_receiver):
    rule = make_rule([make_receiver("http://127.0.0.1:9/hook")], for_seconds=15)
    evaluate_rules(cycles(4))
    assert not Alert.objects.exists()  # healthy edges write nothing
    source.edges = FAULTY
    evaluate_rules(cycles(2))
    alert = Alert.objects.get(rule=rule)
    assert (alert.subject, alert.state) == (EDGE, "pending")
    evaluate_rules(cycles(1))
    alert.refresh_from_db()
    assert alert.state == "firing" and alert.value > 0.1
    assert alert.labels["alertname"] == rule.name and alert.labels["namespace"] == "shop"
    source.edges = HEALTHY
    evaluate_rules(cycles(5))
    alert.refresh_from_db()
    assert alert.state == "resolved"
    history = [(e.from_state, e.to_state) for e in alert.events.all()]
    assert history == [("inactive", "pending"), ("pending", "firing"), ("firing", "resolved")]
    events = sorted(Delivery.objects.values_list("event", flat=True))
    assert events == ["firing", "resolved"]


def test_evaluating_the_same_cycle_twice_changes_nothing(source, cycles, make_rule,
                                                          make_receiver):
    make_rule([make_receiver("http://127.0.0.1:9/hook")])
    source.edges = FAULTY
    at = cycles(3)
    first = evaluate_rules(at)
    second = evaluate_rules(at)
    assert first.evaluated == 1 and second.skipped == 1
    assert Delivery.objects.count() == 1 and Alert.objects.count() == 1


def test_a_re_fire_reuses_the_alert_and_is_a_new_notification(source, cycles, make_rule,
                                                               make_receiver):
    make_rule([make_receiver("http://127.0.0.1:9/hook")], window_seconds=15)
    for edges in (FAULTY, HEALTHY, FAULTY):
        source.edges = edges
        evaluate_rules(cycles(1))
    assert Alert.objects.count() == 1
    assert list(Delivery.objects.order_by("pk").values_list("event", flat=True)) == [
        "firing", "resolved", "firing"]


def test_annotations_fill_in_evidence_and_never_run_code(source, cycles, make_rule):
    make_rule(annotations={"summary": "$destination_workload fails ${error_ratio} (> $threshold)",
                           "x": "{{ request.user }} $missing ${__class__}"})
    source.edges = FAULTY
    evaluate_rules(cycles(2))
    alert = Alert.objects.get()
    assert alert.annotations["summary"] == "api fails 0.4 (> 0.1)"
    assert alert.annotations["x"] == "{{ request.user }} $missing ${__class__}"


def test_grouping_by_namespace_sends_one_notification_per_group(source, cycles, make_rule,
                                                                make_receiver):
    from tests.alerts.conftest import edge

    make_rule([make_receiver("http://127.0.0.1:9/hook")], group_by=["destination_namespace"])
    source.edges = (edge("web", "api", errors_5xx=80), edge("api", "db", errors_5xx=80),
                    edge("a", "b", errors_5xx=80, namespace="shop2"))
    evaluate_rules(cycles(2))
    assert Alert.objects.filter(state="firing").count() == 3
    groups = sorted(d.alerts.count() for d in Delivery.objects.all())
    assert groups == [1, 2]


def test_silenced_alerts_change_state_but_notify_nobody(source, cycles, make_rule,
                                                       make_receiver, t0):
    rule = make_rule([make_receiver("http://127.0.0.1:9/hook")])
    Silence.objects.create(matchers={"destination_workload": "api"}, starts_at=t0,
                           ends_at=t0 + timedelta(hours=1))
    source.edges = FAULTY
    evaluate_rules(cycles(2))
    assert Alert.objects.get(rule=rule).state == "firing"
    assert not Delivery.objects.exists()


def test_an_expired_silence_or_mute_no_longer_applies(source, cycles, make_rule, make_receiver,
                                                      t0):
    rule = make_rule([make_receiver("http://127.0.0.1:9/hook")],
                     muted_until=t0 - timedelta(seconds=1))
    Silence.objects.create(rule=rule, starts_at=t0 - timedelta(hours=2),
                           ends_at=t0 - timedelta(hours=1))
    source.edges = FAULTY
    evaluate_rules(cycles(2))
    assert Delivery.objects.count() == 1


def test_a_broken_rule_does_not_stop_the_others(source, cycles, make_rule):
    make_rule(kind="no_such_kind")
    good = make_rule()
    source.edges = FAULTY
    report = evaluate_rules(cycles(2))
    assert report.evaluated == 1 and Alert.objects.get().rule == good
