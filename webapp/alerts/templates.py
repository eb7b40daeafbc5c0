"""Annotation templates: `$name` / `${name}` placeholders filled with evidence values.

string.Template with safe_substitute: a user's template can only name values, never reach
attributes, call code or raise on a missing name (it stays as written). Django or Jinja
templates are never used on rule input.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

DEFAULT_SUMMARY = "$alertname: $subject is $value"


def format_value(value: Any) -> str:
    """A number in 4 significant digits; anything else as text."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if isinstance(value, bool) else ""
    if isinstance(value, float | int):
        return f"{value:.4g}"
    return str(value)


def values_for(labels: Mapping[str, str], evidence: Mapping[str, Any], value: float | None,
               subject: str, threshold: float) -> dict[str, str]:
    """The names a template may use: labels, evidence, value, threshold and subject."""
    names = {key: format_value(item) for key, item in evidence.items()}
    names.update({key: str(item) for key, item in labels.items()})
    names.update(value=format_value(value), threshold=format_value(threshold), subject=subject)
    return names


def render(templates: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """Every annotation with its placeholders filled; a summary is added when none is given."""
    wanted = dict(templates)
    wanted.setdefault("summary", DEFAULT_SUMMARY)
    return {key: string.Template(str(text)).safe_substitute(names)[:2000]
            for key, text in wanted.items()}


def check(template: str) -> str:
    """An error message for a template string.Template cannot parse, or ""."""
    try:
        string.Template(template).substitute({k: "" for k in _identifiers(template)})
    except (ValueError, KeyError) as exc:
        return f"bad placeholder: {exc}"
    return ""


def _identifiers(template: str) -> list[str]:
    return string.Template(template).get_identifiers()
