"""What the live app remembers between processes: each watched view and its recent deltas.

State lives in the database, not in a process: cycles run in a Celery worker (or the demo's
scheduler thread) while the sockets live in several web replicas, and all of them must agree
on a view's current snapshot and sequence number.
"""

from __future__ import annotations

from django.db import models


class TopicState(models.Model):
    """One (topic, canonical params) view that some socket watches: its snapshot and its seq.

    `seq` grows by one per stored delta. A new state starts at the Unix time in milliseconds,
    so a `since` remembered from an older, pruned state of the same view (or of another view)
    never falls inside this state's history by accident.
    """

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of topic and params.")
    topic = models.CharField(max_length=32)
    params = models.JSONField(help_text="The canonical params, as the topic's parser gives them.")
    pinned = models.BooleanField(default=False, help_text="Fixed to a past time: never changes.")
    seq = models.BigIntegerField()
    snapshot = models.JSONField()
    cycle_at = models.DateTimeField(null=True, blank=True,
                                    help_text="The newest cycle published into this state.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(
        db_index=True, help_text="Last subscribe or keep-alive from a socket watching it."
    )

    def __str__(self) -> str:
        return f"{self.topic} {self.key[:12]} @{self.seq}"


class TopicDelta(models.Model):
    """The delta that took a state to `seq`; the newest MESHWATCH_LIVE_HISTORY are kept."""

    state = models.ForeignKey(TopicState, on_delete=models.CASCADE, related_name="deltas")
    seq = models.BigIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "seq"], name="live_delta_state_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.state_id} @{self.seq}"
