"""The engine's lifecycle on the real database: open, repeat, resolve, reopen, failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.insights.helpers import draft, scripted
from webapp.insights.engine import evaluate
from webapp.insights.models import CheckRun, Finding

pytestmark = pytest.mark.django_db
STEP = timedelta(seconds=15)


class Script:
    """What the scripted checks report next: a list of (name, severity) per check."""

    def __init__(self) -> None:
        self.reports: dict[str, list[tuple[str, str]]] = {"alpha": [], "beta": []}
        self.fail: set[str] = set()

    def check(self, check_id: str):
        def produce(ctx):
            if check_id in self.fail:
                raise RuntimeError(f"{check_id} blew up")
            return [draft(check_id, name, severity, evidence={"at": ctx.at.isoformat()})
                    for name, severity in self.reports[check_id]]

        return scripted(check_id, produce)

    def checks(self):
        return [self.check("alpha"), self.check("beta")]


@pytest.fixture
def script() -> Script:
    return Script()


def _states() -> dict[str, tuple[str, str]]:
    return {f.subject_name: (f.check_id, f.state) for f in Finding.objects.all()}


def test_a_new_draft_opens_a_finding_with_its_fields(script, t0):
    script.reports["alpha"] = [("web", "critical")]
    report = evaluate(t0, script.checks())
    assert (report.opened, report.resolved) == (1, 0)
    finding = Finding.objects.get()
    assert finding.id == draft("alpha", "web").id and finding.id.startswith("alpha:")
    assert (finding.state, finding.severity, finding.severity_rank) == ("open", "critical", 2)
    assert (finding.first_seen, finding.last_seen, finding.resolved_at) == (t0, t0, None)
    assert (finding.subject_kind, finding.subject_id, finding.namespace) == (
        "service", "service:shop/web", "shop")
    assert finding.remedy_snippet == "kubectl get svc web" and finding.book_row == "alpha row"
    run = CheckRun.objects.get(check_id="alpha")
    assert (run.status, run.finding_count, run.last_run_at) == ("ok", 1, t0)


def test_a_repeat_moves_last_seen_and_updates_evidence(script, t0):
    script.reports["alpha"] = [("web", "warning")]
    evaluate(t0, script.checks())
    script.reports["alpha"] = [("web", "critical")]
    report = evaluate(t0 + STEP, script.checks())
    assert (report.opened, report.updated, report.resolved) == (0, 1, 0)
    finding = Finding.objects.get()
    assert (finding.first_seen, finding.last_seen) == (t0, t0 + STEP)
    assert finding.severity == "critical"
    assert finding.evidence == {"at": (t0 + STEP).isoformat()}


def test_an_unreported_finding_resolves_and_comes_back_reopened(script, t0):
    script.reports["alpha"] = [("web", "warning"), ("db", "warning")]
    evaluate(t0, script.checks())
    script.reports["alpha"] = [("web", "warning")]
    report = evaluate(t0 + STEP, script.checks())
    assert report.resolved == 1
    db = Finding.objects.get(subject_name="db")
    assert (db.state, db.resolved_at, db.last_seen) == ("resolved", t0 + STEP, t0)

    script.reports["alpha"] = [("web", "warning"), ("db", "warning")]
    report = evaluate(t0 + 2 * STEP, script.checks())
    assert report.reopened == 1
    db.refresh_from_db()
    assert (db.state, db.resolved_at, db.first_seen) == ("open", None, t0 + 2 * STEP)
    assert Finding.objects.count() == 2


def test_running_the_same_cycle_twice_changes_nothing(script, t0):
    script.reports = {"alpha": [("web", "warning")], "beta": [("db", "info")]}
    evaluate(t0, script.checks())
    script.reports["alpha"] = []
    evaluate(t0 + STEP, script.checks())
    before = list(Finding.objects.order_by("id").values())
    report = evaluate(t0 + STEP, script.checks())
    assert report.changes == 0
    assert list(Finding.objects.order_by("id").values()) == before


def test_a_failing_check_keeps_its_findings_and_others_go_on(script, t0):
    script.reports = {"alpha": [("web", "warning")], "beta": [("db", "info")]}
    evaluate(t0, script.checks())
    script.fail.add("alpha")
    script.reports["beta"] = [("db", "info"), ("cache", "info")]
    report = evaluate(t0 + STEP, script.checks())
    assert report.failed == ["alpha"] and report.opened == 1
    assert _states() == {"web": ("alpha", "open"), "db": ("beta", "open"),
                         "cache": ("beta", "open")}
    run = CheckRun.objects.get(check_id="alpha")
    assert run.status == "error" and "alpha blew up" in run.error
    assert CheckRun.objects.get(check_id="beta").status == "ok"


def test_a_malformed_draft_fails_its_check_only(script, t0):
    script.reports["alpha"] = [("web", "catastrophic")]
    script.reports["beta"] = [("db", "info")]
    report = evaluate(t0, script.checks())
    assert report.failed == ["alpha"]
    assert "severity 'catastrophic'" in CheckRun.objects.get(check_id="alpha").error
    assert _states() == {"db": ("beta", "open")}


def test_an_older_cycle_does_not_undo_a_newer_one(script, t0):
    script.reports["alpha"] = [("web", "warning")]
    evaluate(t0 + STEP, script.checks())
    script.reports["alpha"] = []
    report = evaluate(t0, script.checks())
    assert set(report.skipped) == {"alpha", "beta"}
    assert _states() == {"web": ("alpha", "open")}


def test_checks_see_when_their_findings_opened(t0):
    seen: list[float] = []

    def produce(ctx):
        finding = draft("aging", "web")
        seen.append(ctx.open_for_s(finding.id))
        return [finding]

    check = scripted("aging", produce)
    for i in range(3):
        evaluate(t0 + 20 * i * STEP, [check])
    assert seen == [0.0, 300.0, 600.0]


def test_hostile_names_are_bounded_with_a_digest(t0):
    long_a, long_b = "a" * 700 + "x", "a" * 700 + "y"
    check = scripted("hostile", lambda ctx: [
        draft("hostile", long_a, evidence={"blob": "z" * 50_000}),
        draft("hostile", long_b)])
    evaluate(t0, [check])
    rows = list(Finding.objects.order_by("id"))
    assert len(rows) == 2
    assert all(len(r.subject_id) <= 600 and len(r.subject_name) <= 253 for r in rows)
    assert len({r.subject_name for r in rows}) == 2
    blob = next(r for r in rows if r.evidence)
    assert blob.evidence["truncated"] is True and blob.evidence["keys"] == ["blob"]


def test_evidence_json_cannot_hold_is_a_marked_gap(t0):
    check = scripted("nan", lambda ctx: [draft("nan", "web", evidence={"ratio": float("nan")})])
    report = evaluate(t0, [check])
    assert report.opened == 1 and not report.failed
    evidence = Finding.objects.get().evidence
    assert evidence["unencodable"] is True and "not JSON compliant" in evidence["detail"]


def test_findings_of_a_removed_check_are_resolved_by_a_full_run(t0):
    evaluate(t0, [scripted("retired", lambda ctx: [draft("retired", "web")])])
    evaluate(t0 + STEP)  # every check there is; "retired" is not among them
    finding = Finding.objects.get(check_id="retired")
    assert (finding.state, finding.resolved_at) == ("resolved", t0 + STEP)
    assert not CheckRun.objects.filter(check_id="retired").exists()
