"""Findings of the continuous checks, and how each check's last run went.

A finding is named by its draft's stable id (`<check>:<digest>`), so one problem keeps one
row across cycles: opened when a check first reports it, `last_seen` moved on while it keeps
reporting it, resolved when the check runs fine and no longer does, reopened when it comes
back. A check that raised leaves its findings as they were: `CheckRun` says it failed.
"""

from __future__ import annotations

from django.db import models

from webapp.insights.checks.base import SEVERITIES, SUBJECT_KINDS

SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}  # info 0 … critical 2


class Finding(models.Model):
    """One problem one check reports about one subject (see Draft in checks/base.py)."""

    class State(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    id = models.CharField(primary_key=True, max_length=100, help_text="`<check>:<24 hex>`.")
    # Not `check`: Model.check() is Django's system-check hook.
    check_id = models.CharField(max_length=64, help_text="The check's id.")
    severity = models.CharField(max_length=8, choices=[(s, s) for s in SEVERITIES])
    severity_rank = models.PositiveSmallIntegerField(help_text="0 info, 1 warning, 2 critical.")
    subject_kind = models.CharField(max_length=16, choices=[(k, k) for k in SUBJECT_KINDS])
    subject_id = models.CharField(max_length=600)
    namespace = models.CharField(
        max_length=253, blank=True, help_text='The subject\'s namespace; "" for cluster-wide.'
    )
    subject_name = models.CharField(max_length=253, blank=True)
    title = models.CharField(max_length=200)
    message = models.TextField(help_text="At most 4000 characters.")
    evidence = models.JSONField(default=dict, blank=True)
    remedy_text = models.TextField(blank=True)
    remedy_snippet = models.TextField(blank=True)
    remedy_language = models.CharField(max_length=16, blank=True)
    book_row = models.CharField(max_length=300, blank=True)
    first_seen = models.DateTimeField(help_text="Start of the current open period.")
    last_seen = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)

    class Meta:
        indexes = [
            models.Index(fields=["state", "severity_rank"], name="finding_state_severity"),
            models.Index(fields=["state", "namespace"], name="finding_state_namespace"),
            models.Index(fields=["state", "check_id"], name="finding_state_check"),
            models.Index(fields=["state", "subject_kind"], name="finding_state_kind"),
            models.Index(fields=["check_id", "state"], name="finding_check_state"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.state})"


class CheckRun(models.Model):
    """How the last evaluation of one check went: ok, or the error it raised."""

    class Status(models.TextChoices):
        OK = "ok"
        ERROR = "error"

    check_id = models.CharField(primary_key=True, max_length=64)
    last_run_at = models.DateTimeField(null=True, blank=True, help_text="The cycle time judged.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True)
    finding_count = models.PositiveIntegerField(default=0, help_text="Drafts it reported.")
    duration_ms = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"{self.check_id}: {self.status}"
