"""A finding as a viewer limited to some namespaces reads it: pure functions, no I/O.

A finding lives in one namespace (an edge's: its destination's), but an edge's finding also
names its other end, which may be in a namespace the viewer may not see. That end becomes
the graph's opaque external id (README "Access and scoping"), in the subject and in every
text: as a node id (`workload:<ns>/<name>`, security/scope.py) and as the `<ns>/<name>`
words titles and messages use.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings

from webapp.graph.scope import external_id
from webapp.security.scope import map_strings, masked

_END = re.compile(r"(?:workload|service):([a-z0-9][a-z0-9.-]{0,252})/([^\s>|]+)")


def _foreign_words(subject_id: str, namespaces: Collection[str]) -> dict[str, str]:
    """`<ns>/<name>` of each end of an edge subject outside `namespaces` → its opaque id."""
    if not subject_id.startswith("edge:"):
        return {}
    words = {}
    for end in subject_id.removeprefix("edge:").split(">"):
        match = _END.fullmatch(end)
        if match and match.group(1) not in namespaces:
            words[f"{match.group(1)}/{match.group(2)}"] = external_id(end, settings.SECRET_KEY)
    return words


def scope_finding(doc: Mapping[str, Any], namespaces: Collection[str]) -> dict[str, Any]:
    """A serialized finding with every end outside `namespaces` made opaque."""
    words = _foreign_words(str(doc.get("subject", {}).get("id", "")), namespaces)
    result: dict[str, Any] = masked(doc, namespaces)
    if not words:
        return result
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w./-])(?:{alternatives})(?![\w.-])")
    return map_strings(result, lambda text: pattern.sub(lambda m: words[m.group(0)], text))


def scope_findings(data: Mapping[str, Any], namespaces: Collection[str]) -> dict[str, Any]:
    """A live insights snapshot or delta as a socket limited to `namespaces` reads it: each
    finding (the snapshot's `findings`, a delta's `upsert.findings`) through scope_finding."""
    out = dict(data)
    if isinstance(out.get("findings"), list):
        out["findings"] = [scope_finding(f, namespaces) for f in out["findings"]]
    upsert = out.get("upsert")
    if isinstance(upsert, Mapping) and isinstance(upsert.get("findings"), list):
        out["upsert"] = {
            **upsert,
            "findings": [scope_finding(f, namespaces) for f in upsert["findings"]],
        }
    return out
