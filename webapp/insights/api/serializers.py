"""REST shapes of findings and checks (the frontend codes against exactly these fields)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.insights.models import Finding
from webapp.insights.scope import scope_finding


class SubjectSerializer(serializers.Serializer):
    """What a finding is about."""

    kind = serializers.CharField(source="subject_kind", help_text="cluster, node, namespace, "
                                 "workload, service, pod, edge or policy.")
    id = serializers.CharField(source="subject_id", help_text="The graph's node id where "
                               "there is one: service:<ns>/<name>, node:<name>, cluster, ...")
    namespace = serializers.CharField(help_text='The subject\'s namespace; "" cluster-wide.')
    name = serializers.CharField(source="subject_name", help_text="The subject's name.")


class RemedySerializer(serializers.Serializer):
    """What to change."""

    text = serializers.CharField(source="remedy_text", help_text="What to do, in a sentence.")
    snippet = serializers.CharField(source="remedy_snippet",
                                    help_text="A command or manifest to paste; may be empty.")
    language = serializers.CharField(source="remedy_language",
                                     help_text="The snippet's language: shell or yaml.")


class FindingSerializer(serializers.ModelSerializer):
    """One finding of a continuous check."""

    id = serializers.CharField(help_text="Stable across cycles: <check>:<24 hex digits>.")
    check = serializers.CharField(source="check_id", help_text="The check that reported it.")
    severity = serializers.CharField(help_text="info, warning or critical.")
    title = serializers.CharField(help_text="One line, plain text (never HTML).")
    message = serializers.CharField(help_text="What is wrong and why it matters, plain text.")
    book_row = serializers.CharField(help_text="The troubleshooting-table row it automates.")
    subject = SubjectSerializer(source="*", help_text="What the finding is about.")
    namespace = serializers.CharField(help_text='The namespace it belongs to; "" cluster-wide.')
    evidence = serializers.JSONField(help_text="What the check saw, as JSON.")
    remedy = serializers.SerializerMethodField(help_text="What to change, or null.")
    first_seen = serializers.DateTimeField(help_text="When the current open period began.")
    last_seen = serializers.DateTimeField(help_text="The last cycle that reported it.")
    resolved_at = serializers.DateTimeField(
        allow_null=True, help_text="When a check run stopped reporting it; null while open.")
    state = serializers.CharField(help_text="open or resolved.")

    class Meta:
        model = Finding
        fields = ["id", "check", "severity", "title", "message", "book_row", "subject",
                  "namespace", "evidence", "remedy", "first_seen", "last_seen", "resolved_at",
                  "state"]

    def to_representation(self, instance: Finding) -> dict[str, Any]:
        """The finding; with `namespaces` in the context (a limited view), edge ends outside
        them are opaque (insights/scope.py)."""
        doc = super().to_representation(instance)
        namespaces = self.context.get("namespaces")
        return doc if namespaces is None else scope_finding(doc, namespaces)

    @extend_schema_field(RemedySerializer(allow_null=True))
    def get_remedy(self, finding: Finding) -> dict[str, Any] | None:
        if not finding.remedy_text and not finding.remedy_snippet:
            return None
        return dict(RemedySerializer(finding).data)


class CheckRunSerializer(serializers.Serializer):
    """How a check's last run went."""

    at = serializers.DateTimeField(allow_null=True, help_text="The cycle time last judged.")
    status = serializers.CharField(help_text="ok, error, or never (not run yet).")
    error = serializers.CharField(help_text="What it raised; empty when ok.")
    finding_count = serializers.IntegerField(help_text="Findings it reported then (all "
                                             "namespaces).")
    duration_ms = serializers.FloatField(help_text="How long it ran.")


class CheckSerializer(serializers.Serializer):
    """One continuous check, its last run and its open findings the caller may see."""

    id = serializers.CharField(help_text="The check's id (the `check` filter).")
    title = serializers.CharField(help_text="What it checks, in a few words.")
    book_row = serializers.CharField(help_text="The troubleshooting-table row it automates.")
    description = serializers.CharField(help_text="What it looks at and why.")
    last_run = CheckRunSerializer(help_text="Its last run.")
    open_count = serializers.IntegerField(help_text="Its open findings visible to the caller.")
