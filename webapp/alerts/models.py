"""Alert rules, the alerts they raise, silences, receivers, deliveries and inbound alerts.

Everything a notification needs survives a process restart: deliveries are rows that any
worker can claim (`claimed_until`), so a worker killed mid-attempt loses nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models

# The "never claimed" value of `claimed_until`: a real time, so `claimed_until__lt=now` works
# without an IS NULL branch.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Severity(models.TextChoices):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}

# The alert labels that name a namespace: an alert belongs to every namespace they name.
NAMESPACE_LABELS = ("namespace", "source_namespace", "destination_namespace",
                    "destination_workload_namespace", "destination_service_namespace")


def alert_namespaces(labels: object) -> set[str]:
    """The namespaces an alert's labels name (none: a cluster-wide alert)."""
    if not isinstance(labels, dict):
        return set()
    return {str(labels[k]) for k in NAMESPACE_LABELS if labels.get(k)}


class Receiver(models.Model):
    """Where notifications go: a URL, a payload format and the secret that signs requests.

    The secret must stay retrievable (it signs every request), so it is stored as given; it is
    write-only in the API, hidden in the admin and never logged.
    """

    class Kind(models.TextChoices):
        WEBHOOK = "webhook"
        ALERTMANAGER = "alertmanager"
        SLACK = "slack"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WEBHOOK)
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=200)
    enabled = models.BooleanField(default=True)
    # Receivers belong to a team, whose members see and edit them; global ones (no team)
    # only admins do, since a URL and its traffic may reveal any namespace's alerts. A
    # deleted team's receivers become global rather than vanish from the rules using them.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="receivers", help_text="The owning team; empty: global (admins only).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def __repr__(self) -> str:  # never the secret, even in a traceback's locals
        return f"<Receiver {self.pk} {self.name!r} {self.kind}>"


class AlertRule(models.Model):
    """A condition over stored data, evaluated after every cycle (rules/ holds the kinds)."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=40)
    scope = models.JSONField(default=dict, blank=True, help_text="namespaces, selectors")
    threshold = models.FloatField(default=0.0)
    for_seconds = models.PositiveIntegerField(default=0)
    window_seconds = models.PositiveIntegerField(default=300)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.WARNING)
    labels = models.JSONField(default=dict, blank=True)
    annotations = models.JSONField(default=dict, blank=True, help_text="$name templates")
    group_by = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=dict, blank=True, help_text="options of the rule kind")
    receivers = models.ManyToManyField(Receiver, blank=True, related_name="rules")
    enabled = models.BooleanField(default=True)
    muted_until = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_note = models.CharField(max_length=500, blank=True, help_text="why nothing was judged")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One rule's verdict on one subject (an edge, a namespace, a DNS zone...), kept over time."""

    class State(models.TextChoices):
        INACTIVE = "inactive"
        PENDING = "pending"
        FIRING = "firing"
        RESOLVED = "resolved"

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    subject = models.CharField(max_length=600)
    fingerprint = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.INACTIVE)
    value = models.FloatField(null=True, blank=True)
    labels = models.JSONField(default=dict)
    annotations = models.JSONField(default=dict)
    evidence = models.JSONField(default=dict)
    active_since = models.DateTimeField(null=True, blank=True, help_text="start of the breach")
    firing_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject"], name="alert_rule_subject"),
        ]
        indexes = [models.Index(fields=["state"], name="alert_state")]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.subject} {self.state}"


class AlertEvent(models.Model):
    """One state change of an alert: its history."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.from_state}→{self.to_state} @{self.at.isoformat()}"


class Silence(models.Model):
    """Mutes notifications of alerts whose labels match (and of `rule`, if set) until `ends_at`.

    A team's silence names the namespaces it may mute (its creator's, at most): it mutes only
    alerts all of whose namespaces are among them, so a viewer cannot silence what it cannot
    see. A global silence (no team, empty `namespaces`) mutes anywhere; only admins make one.
    """

    matchers = models.JSONField(default=dict, blank=True, help_text="label: value, all must match")
    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.CASCADE)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="silences", help_text="The owning team; empty: global (admins only).",
    )
    namespaces = models.JSONField(
        default=list, blank=True, help_text="The namespaces it may mute; empty: every one."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    comment = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"silence {self.pk} until {self.ends_at.isoformat()}"

    def matches(self, rule_id: int, labels: dict[str, str], at: datetime) -> bool:
        """Whether this silence mutes an alert of `rule_id` with `labels` at `at`."""
        if not self.starts_at <= at < self.ends_at:
            return False
        if self.rule_id is not None and self.rule_id != rule_id:
            return False
        if self.namespaces:
            named = alert_namespaces(labels)
            if not named or not named <= set(self.namespaces):
                return False
        return all(labels.get(key) == value for key, value in self.matchers.items())


class Delivery(models.Model):
    """One notification to one receiver: an exact body, sent until it lands or grows too old.

    `key` is the idempotency key: unique, so re-running an evaluation cannot queue a second
    copy, and sent as X-Meshwatch-Delivery so receivers can drop retried duplicates.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        DEAD = "dead"

    key = models.CharField(max_length=64, unique=True)
    receiver = models.ForeignKey(Receiver, on_delete=models.CASCADE, related_name="deliveries")
    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.SET_NULL)
    alerts = models.ManyToManyField(Alert, blank=True, related_name="deliveries")
    event = models.CharField(max_length=16, help_text="firing, resolved or test")
    group_key = models.CharField(max_length=600, blank=True)
    body = models.TextField(help_text="the exact bytes sent, so every retry signs the same body")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(default=EPOCH)
    expires_at = models.DateTimeField(help_text="after this a failing delivery is a dead letter")
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.key[:12]} → {self.receiver_id} {self.status}"


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: what came back and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.FloatField()
    ok = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.status_code or self.error}"


class InboundAlert(models.Model):
    """One alert as an Alertmanager webhook reported it (one row per distinct report).

    `dedupe_key` digests groupKey, fingerprint, status and startsAt: both members of an HA
    pair (and Alertmanager's repeats) send the same report, which is stored once.
    """

    dedupe_key = models.CharField(max_length=64, unique=True)
    group_key = models.CharField(max_length=1000, blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16)
    receiver = models.CharField(max_length=200, blank=True)
    labels = models.JSONField(default=dict)
    annotations = models.JSONField(default=dict)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    generator_url = models.CharField(max_length=2000, blank=True)
    external_url = models.CharField(max_length=2000, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="inbound_received")]

    def __str__(self) -> str:
        return f"{self.labels.get('alertname', '?')} {self.fingerprint} {self.status}"
