"""Descriptions for serializer fields, so every property of the OpenAPI document has one.

A serializer lists its fields' descriptions in `descriptions` (ModelSerializer fields have no
help_text unless the model gives one); names used the same way across the API (`namespace`,
`name`, `labels`, ...) are described once, in COMMON. A field's own help_text wins.
"""

from __future__ import annotations

from typing import Any, ClassVar

COMMON = {
    "id": "The object's numeric id.",
    "namespace": "The Kubernetes namespace.",
    "name": "The name.",
    "labels": "Kubernetes labels, key → value.",
    "mesh": "The service mesh: istio, linkerd or empty for none.",
    "kind": "The kind of object.",
    "created_at": "When it was created.",
    "updated_at": "When it last changed.",
    "generated_at": "When the server built this answer.",
    "window": "The time window the numbers cover.",
    "p50_ms": "Median latency over the window, in ms; null without data.",
    "p95_ms": "95th percentile latency over the window, in ms; null without data.",
    "p99_ms": "99th percentile latency over the window, in ms; null without data.",
    "rps": "Requests per second over the window; null without data.",
    "requests": "Requests counted over the window.",
    "instances": "The instances (pods) that reported.",
    "enabled": "Whether it is in use.",
    "ready": "Whether it is ready.",
    "start": "Start of the window (inclusive).",
    "end": "End of the window.",
}


class Described:
    """Mixin for serializers: fills missing help_text from `descriptions`, then COMMON."""

    descriptions: ClassVar[dict[str, str]] = {}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()  # type: ignore[misc]
        for name, field in fields.items():
            if not field.help_text:
                field.help_text = self.descriptions.get(name) or COMMON.get(name)
        return fields
