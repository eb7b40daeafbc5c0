"""Bounding what clusters say before it is stored: names and evidence are attacker input.

A Kubernetes name fits our columns, but a label value, a message quoting several names or a
check's evidence need not. Text past its column is cut and ends with a digest of the whole,
so two long names that share a prefix stay apart; storing never fails on length.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

MAX_EVIDENCE_CHARS = 16_000
_DIGEST_CHARS = 12


def bounded(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its head, "…" and a digest of the whole."""
    text = str(text)
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]
    return f"{text[: limit - _DIGEST_CHARS - 1]}…{digest}"


def bounded_evidence(evidence: Any) -> dict[str, Any]:
    """`evidence` as JSON-safe data of at most MAX_EVIDENCE_CHARS once encoded.

    Anything larger is replaced by a marked gap (its keys and a digest), never dropped
    silently; values JSON cannot hold (sets, datetimes) become strings, and evidence it cannot
    encode at all (NaN, non-string keys) is a marked gap saying why.
    """
    if not isinstance(evidence, dict):
        evidence = {"value": evidence}
    try:
        text = json.dumps(evidence, default=str, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:  # NaN, infinities, keys JSON cannot hold
        return {"unencodable": True, "detail": bounded(str(exc), 200)}
    if len(text) <= MAX_EVIDENCE_CHARS:
        return json.loads(text)
    return {
        "truncated": True,
        "chars": len(text),
        "digest": hashlib.sha256(text.encode()).hexdigest()[:_DIGEST_CHARS],
        "keys": [bounded(k, 100) for k in sorted(map(str, evidence))[:50]],
    }
