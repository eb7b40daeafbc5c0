"""Shared parsing pieces: object metadata, label selectors, and defensive readers.

Parsers never raise on what the API server (or a fixture) hands them. A value of the wrong
type is replaced by an empty one and noted in the record's `warnings`; an object that cannot
even be keyed (no metadata, no name) becomes a `ParseError` the caller can log and skip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Kubernetes caps label values at 63 characters, but we read whatever the server or a file
# holds; a 1 MB value must not be copied into every record and row, so it is cut here.
MAX_VALUE_CHARS = 1024
# Annotations legitimately carry JSON blobs (last-applied-configuration, sidecar status).
MAX_ANNOTATION_CHARS = 16 * 1024
MAX_ITEMS = 1000  # entries kept per map/list, so a pathological object stays small


@dataclass(frozen=True)
class ParseError:
    """An object that could not be parsed at all, with the reason in words."""

    kind: str
    reason: str
    key: str = ""  # "namespace/name" when known

    def __str__(self) -> str:
        where = f" {self.key}" if self.key else ""
        return f"cannot parse {self.kind}{where}: {self.reason}"


@dataclass(frozen=True)
class OwnerRef:
    """One entry of metadata.ownerReferences."""

    kind: str
    name: str
    uid: str = ""
    api_version: str = ""
    controller: bool = False


@dataclass(frozen=True)
class Meta:
    """The parts of ObjectMeta meshwatch uses."""

    name: str
    namespace: str = ""
    uid: str = ""
    resource_version: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    owners: tuple[OwnerRef, ...] = ()
    created: str = ""
    deleting: bool = False

    @property
    def key(self) -> str:
        """The store key client-go uses: `namespace/name`, or `name` when cluster-scoped."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def controller(self) -> OwnerRef | None:
        """The managing owner (controller=true), else the first owner, else None."""
        for owner in self.owners:
            if owner.controller:
                return owner
        return self.owners[0] if self.owners else None


@dataclass(frozen=True)
class Requirement:
    """One matchExpressions entry: key, operator (In, NotIn, Exists, DoesNotExist), values."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether `labels` satisfy this requirement (unknown operators match nothing)."""
        if self.operator == "In":
            return labels.get(self.key) in self.values
        if self.operator == "NotIn":
            return labels.get(self.key) not in self.values
        if self.operator == "Exists":
            return self.key in labels
        if self.operator == "DoesNotExist":
            return self.key not in labels
        return False


@dataclass(frozen=True)
class LabelSelector:
    """A metav1.LabelSelector. The empty selector selects everything."""

    match_labels: dict[str, str] = field(default_factory=dict)
    match_expressions: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the selector selects every object (`{}`)."""
        return not self.match_labels and not self.match_expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether an object with `labels` is selected."""
        if any(labels.get(k) != v for k, v in self.match_labels.items()):
            return False
        return all(req.matches(labels) for req in self.match_expressions)


class Reader:
    """Typed, never-raising access to a raw JSON object; collects warnings on the way."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        """Note a problem with the object (kept on the parsed record)."""
        if len(self.warnings) < 50:
            self.warnings.append(message)

    def mapping(self, obj: Any, key: str, path: str = "") -> dict[str, Any]:
        """obj[key] as a dict; absent or null is {}, any other type is {} with a warning."""
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.warn(f"{path or key} is a {type(value).__name__}, not a map")
            return {}
        return value

    def sequence(self, obj: Any, key: str, path: str = "") -> list[Any]:
        """obj[key] as a list (bounded to MAX_ITEMS)."""
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn(f"{path or key} is a {type(value).__name__}, not a list")
            return []
        if len(value) > MAX_ITEMS:
            self.warn(f"{path or key} has {len(value)} entries; kept {MAX_ITEMS}")
            return value[:MAX_ITEMS]
        return value

    def mappings(self, obj: Any, key: str, path: str = "") -> list[dict[str, Any]]:
        """obj[key] as a list of dicts, dropping (and noting) entries that are not maps."""
        items = self.sequence(obj, key, path)
        good = [item for item in items if isinstance(item, dict)]
        if len(good) != len(items):
            self.warn(f"{path or key} has {len(items) - len(good)} entries that are not maps")
        return good

    def text(self, obj: Any, key: str, default: str = "", path: str = "") -> str:
        """obj[key] as a bounded string; numbers are turned into strings, others warned."""
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.warn(f"{path or key} is a {type(value).__name__}, not a string")
            return default
        return self.bound(str(value), path or key, MAX_VALUE_CHARS)

    def integer(self, obj: Any, key: str, path: str = "") -> int | None:
        """obj[key] as an int, or None when absent or not a whole number."""
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.isdigit():
                return int(value)
            self.warn(f"{path or key} is not an integer")
            return None
        return value

    def flag(self, obj: Any, key: str, path: str = "") -> bool | None:
        """obj[key] as a bool, or None when absent or of another type."""
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None or isinstance(value, bool):
            return value
        self.warn(f"{path or key} is not a boolean")
        return None

    def texts(self, obj: Any, key: str, path: str = "") -> tuple[str, ...]:
        """obj[key] as a tuple of strings; non-string entries are dropped with a warning."""
        items = self.sequence(obj, key, path)
        good = tuple(
            self.bound(i, path or key, MAX_VALUE_CHARS) for i in items if isinstance(i, str)
        )
        if len(good) != len(items):
            self.warn(f"{path or key} has entries that are not strings")
        return good

    def str_map(
        self, obj: Any, key: str, path: str = "", limit: int = MAX_VALUE_CHARS
    ) -> dict[str, str]:
        """obj[key] as a string-to-string map with bounded values (labels, annotations)."""
        raw = self.mapping(obj, key, path)
        out: dict[str, str] = {}
        for name, value in list(raw.items())[:MAX_ITEMS]:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                self.warn(f"{path or key}[{str(name)[:63]}] is not a string")
                continue
            out[self.bound(str(name), f"{path or key} key", 317)] = self.bound(
                str(value), f"{path or key}[{str(name)[:63]}]", limit
            )
        return out

    def bound(self, value: str, path: str, limit: int) -> str:
        """`value` cut to `limit` characters, with a warning when it was longer."""
        if len(value) <= limit:
            return value
        self.warn(f"{path} is {len(value)} characters; kept {limit}")
        return value[:limit]

    def selector(self, obj: Any, key: str, path: str = "") -> LabelSelector | None:
        """obj[key] as a LabelSelector; None when absent (which differs from {} in places)."""
        if not isinstance(obj, dict) or obj.get(key) is None:
            return None
        raw = self.mapping(obj, key, path)
        where = path or key
        exprs = tuple(
            Requirement(
                key=self.text(e, "key", path=f"{where}.matchExpressions.key"),
                operator=self.text(e, "operator", path=f"{where}.matchExpressions.operator"),
                values=self.texts(e, "values", f"{where}.matchExpressions.values"),
            )
            for e in self.mappings(raw, "matchExpressions", f"{where}.matchExpressions")
        )
        labels = self.str_map(raw, "matchLabels", f"{where}.matchLabels")
        return LabelSelector(match_labels=labels, match_expressions=exprs)

    def plain_selector(self, obj: Any, key: str, path: str = "") -> dict[str, str]:
        """A bare map selector (Service.spec.selector, Istio workloadSelector.labels)."""
        return self.str_map(obj, key, path)


def read_meta(raw: Any, kind: str, reader: Reader) -> Meta | ParseError:
    """ObjectMeta of `raw`, or a ParseError when the object has no usable name."""
    if not isinstance(raw, dict):
        return ParseError(kind, f"object is a {type(raw).__name__}, not a map")
    meta = raw.get("metadata")
    if not isinstance(meta, dict):
        return ParseError(kind, "metadata is missing or not a map")
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return ParseError(kind, "metadata.name is missing or not a string")
    namespace = meta.get("namespace")
    namespace = namespace if isinstance(namespace, str) else ""
    return Meta(
        name=reader.bound(name, "metadata.name", 253),
        namespace=reader.bound(namespace, "metadata.namespace", 63),
        uid=reader.text(meta, "uid", path="metadata.uid"),
        resource_version=reader.text(meta, "resourceVersion", path="metadata.resourceVersion"),
        labels=reader.str_map(meta, "labels", "metadata.labels"),
        annotations=reader.str_map(
            meta, "annotations", "metadata.annotations", MAX_ANNOTATION_CHARS
        ),
        owners=_owners(meta, reader),
        created=reader.text(meta, "creationTimestamp", path="metadata.creationTimestamp"),
        deleting=meta.get("deletionTimestamp") is not None,
    )


def _owners(meta: dict[str, Any], reader: Reader) -> tuple[OwnerRef, ...]:
    return tuple(
        OwnerRef(
            kind=reader.text(o, "kind", path="ownerReferences.kind"),
            name=reader.text(o, "name", path="ownerReferences.name"),
            uid=reader.text(o, "uid", path="ownerReferences.uid"),
            api_version=reader.text(o, "apiVersion", path="ownerReferences.apiVersion"),
            controller=reader.flag(o, "controller", "ownerReferences.controller") is True,
        )
        for o in reader.mappings(meta, "ownerReferences", "metadata.ownerReferences")
    )


def int_or_str(value: Any) -> int | str | None:
    """An IntOrString field (ports, targetPort): int, name, or None when absent or odd."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value) if value.isdigit() else value[:MAX_VALUE_CHARS]
    return None
