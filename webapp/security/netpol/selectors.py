"""Label selectors as NetworkPolicy records store them, and their words for findings.

Records keep a selector as the parser's JSON (`{"match_labels", "match_expressions"}`), so
this module turns it back into collectors.kube's LabelSelector, whose matching is the one
the rest of meshwatch uses. `None` stays None: in a NetworkPolicy peer an absent selector
means something else than `{}` (see peers.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collectors.kube.parse.common import LabelSelector, Requirement

# Selectors come from the cluster: attacker input. Words about them are cut to these sizes.
MAX_PART_CHARS = 63
MAX_WORDS_CHARS = 200
# An operator no Kubernetes version defines: a selector we cannot read matches nothing.
INVALID = Requirement(key="", operator="Invalid")


def to_selector(raw: Any) -> LabelSelector | None:
    """The stored selector `raw` as a LabelSelector; None when absent; matches nothing if odd."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        return LabelSelector(match_expressions=(INVALID,))
    labels = raw.get("match_labels") or {}
    exprs = raw.get("match_expressions") or []
    if not isinstance(labels, Mapping) or not isinstance(exprs, list):
        return LabelSelector(match_expressions=(INVALID,))
    requirements = []
    for e in exprs:
        if not isinstance(e, Mapping):
            requirements.append(INVALID)
            continue
        values = e.get("values") or ()
        requirements.append(
            Requirement(
                key=str(e.get("key", "")),
                operator=str(e.get("operator", "")),
                values=tuple(str(v) for v in values) if isinstance(values, list | tuple) else (),
            )
        )
    return LabelSelector(
        match_labels={str(k): str(v) for k, v in labels.items()},
        match_expressions=tuple(requirements),
    )


def _clip(text: str, limit: int = MAX_PART_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _requirement_words(req: Requirement) -> str:
    key = _clip(req.key)
    values = ", ".join(_clip(v) for v in req.values[:5]) + (", …" if len(req.values) > 5 else "")
    if req.operator == "In":
        return f"{key} in ({values})"
    if req.operator == "NotIn":
        return f"{key} notin ({values})"
    if req.operator == "Exists":
        return key
    if req.operator == "DoesNotExist":
        return f"!{key}"
    return f"invalid requirement on {key or '?'}"


def describe(selector: LabelSelector | None) -> str:
    """The selector as kubectl's `-l` syntax (`app=web, tier in (a, b)`), bounded; {} for all."""
    if selector is None:
        return "(absent)"
    if selector.is_empty:
        return "{}"
    parts = [f"{_clip(k)}={_clip(v)}" for k, v in sorted(selector.match_labels.items())]
    parts += [_requirement_words(r) for r in selector.match_expressions]
    return _clip(", ".join(parts), MAX_WORDS_CHARS)


def describe_labels(labels: Mapping[str, str]) -> str:
    """Labels as `k=v, …`, bounded, for saying what a pod carries."""
    if not labels:
        return "no labels"
    return _clip(", ".join(f"{_clip(k)}={_clip(v)}" for k, v in sorted(labels.items())),
                 MAX_WORDS_CHARS)  # fmt: skip
