"""Deltas between two snapshots of a topic: pure functions, no I/O.

A snapshot holds collections (lists of items, each with a unique `id`) and metadata (every
other key). A delta names, per collection, the items to upsert (new or changed, whole) and the
ids to remove; the new snapshot's metadata (generated_at, window, ...) rides along in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Snapshot = Mapping[str, Any]


def _by_id(items: Iterable[Mapping[str, Any]]) -> dict[Any, Mapping[str, Any]]:
    # With a duplicate id the last item wins, as it would in a client's map.
    return {item["id"]: item for item in items}


def diff(old: Snapshot, new: Snapshot, collections: Iterable[str]) -> dict[str, dict[str, list]]:
    """`{"upsert": {name: [items]}, "remove": {name: [ids]}}` turning `old` into `new`.

    Upserts keep the order of `new`, removals the order of `old`; a collection missing from
    a snapshot counts as empty.
    """
    upsert: dict[str, list] = {}
    remove: dict[str, list] = {}
    for name in collections:
        before = _by_id(old.get(name) or ())
        after = _by_id(new.get(name) or ())
        upsert[name] = [item for key, item in after.items() if before.get(key) != item]
        remove[name] = [key for key in before if key not in after]
    return {"upsert": upsert, "remove": remove}


def delta_data(old: Snapshot, new: Snapshot, collections: Iterable[str]) -> dict[str, Any]:
    """The `data` of a delta message: the diff plus the new snapshot's metadata."""
    names = tuple(collections)
    data: dict[str, Any] = {key: value for key, value in new.items() if key not in names}
    data.update(diff(old, new, names))
    return data


def is_empty(data: Mapping[str, Any]) -> bool:
    """Whether a delta changes no item (its metadata may still have moved on)."""
    parts = (data.get("upsert") or {}, data.get("remove") or {})
    return not any(items for part in parts for items in part.values())


def apply_delta(snapshot: Snapshot, data: Mapping[str, Any], collections: Iterable[str]) -> dict:
    """`snapshot` with a delta applied, as a client does: changed items in place, new ones last."""
    names = tuple(collections)
    result: dict[str, Any] = {key: value for key, value in data.items()
                              if key not in ("upsert", "remove")}
    for key, value in snapshot.items():
        result.setdefault(key, value)
    for name in names:
        items = _by_id(snapshot.get(name) or ())
        for key in (data.get("remove") or {}).get(name, ()):
            items.pop(key, None)
        for item in (data.get("upsert") or {}).get(name, ()):
            items[item["id"]] = item
        result[name] = list(items.values())
    return result
