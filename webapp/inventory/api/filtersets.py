"""Filtering inventory lists: `?namespace=a,b`, `?labels=<Kubernetes selector>`, equality.

The label selector takes the syntax `kubectl -l` takes (`app=web,tier!=db`, `env in (a,b)`,
`env notin (c)`, `team`, `!legacy`). It is parsed here, every key and value checked
against Kubernetes' own grammar, and turned into JSON lookups with bound parameters: no
part of a selector reaches SQL as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from webapp.graph.options import NAMESPACE_NAME

MAX_SELECTOR_CHARS = 2000
MAX_REQUIREMENTS = 20
_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_PREFIX = r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?"
_KEY = re.compile(rf"^({_PREFIX}/)?{_NAME}$")
_VALUE = re.compile(rf"^({_NAME})?$")
_SET = re.compile(r"^(?P<key>\S+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")
_EQ = re.compile(r"^(?P<key>[^=!\s]+)\s*(?P<op>==|=|!=)\s*(?P<value>\S*)$")


class FilterError(ValueError):
    """A filter parameter that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Requirement:
    """One selector term: `op` is one of =, !=, in, notin, exists, !exists."""

    key: str
    op: str
    values: tuple[str, ...] = ()


def _split(text: str) -> list[str]:
    """Terms separated by commas outside parentheses."""
    terms, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    if depth != 0:
        raise FilterError("labels: unbalanced parentheses")
    return [t.strip() for t in terms]


def _key(key: str) -> str:
    if not _KEY.match(key):
        raise FilterError(f"labels: {key[:80]!r} is not a valid label key")
    return key


def _values(values: list[str]) -> tuple[str, ...]:
    for value in values:
        if not _VALUE.match(value):
            raise FilterError(f"labels: {value[:80]!r} is not a valid label value")
    return tuple(values)


def parse_selector(text: str) -> list[Requirement]:
    """The requirements of a Kubernetes label selector; raises FilterError."""
    if len(text) > MAX_SELECTOR_CHARS:
        raise FilterError(f"labels: a selector is at most {MAX_SELECTOR_CHARS} characters")
    if not text.strip():
        return []
    terms = _split(text)
    if len(terms) > MAX_REQUIREMENTS:
        raise FilterError(f"labels: at most {MAX_REQUIREMENTS} requirements")
    return [_requirement(term) for term in terms]


def _requirement(term: str) -> Requirement:
    if not term:
        raise FilterError("labels: empty requirement")
    found = _SET.match(term)
    if found:
        values = [v.strip() for v in found["values"].split(",")]
        return Requirement(_key(found["key"]), found["op"], _values(values))
    found = _EQ.match(term)
    if found:
        op = "!=" if found["op"] == "!=" else "="
        return Requirement(_key(found["key"]), op, _values([found["value"]]))
    if term.startswith("!"):
        return Requirement(_key(term[1:].strip()), "!exists")
    return Requirement(_key(term), "exists")


def filter_labels(queryset: QuerySet, requirements: list[Requirement], field: str = "labels"):
    """`queryset` narrowed to rows whose `field` (a JSON object) satisfies every requirement.

    As in Kubernetes, `!=` and `notin` also match rows without the key.
    """
    for i, req in enumerate(requirements):
        if req.op in ("exists", "!exists"):
            has = Q(**{f"{field}__has_key": req.key})
            queryset = queryset.filter(has) if req.op == "exists" else queryset.exclude(has)
            continue
        alias = f"_label_{i}"
        # Cast to text: JSON key lookups would compare against JSON-encoded values instead.
        value = Cast(KeyTextTransform(req.key, field), output_field=TextField())
        queryset = queryset.alias(**{alias: value})
        matches = Q(**{f"{alias}__in": req.values})
        if req.op in ("=", "in"):
            queryset = queryset.filter(matches)
        else:
            queryset = queryset.filter(Q(**{f"{alias}__isnull": True}) | ~matches)
    return queryset


def namespaces_param(params: Mapping[str, str]) -> list[str]:
    """The namespaces of `?namespace=a,b` (also `namespaces=`), validated."""
    raw = params.get("namespace") or params.get("namespaces") or ""
    names = sorted({n.strip() for n in raw.split(",") if n.strip()})
    for name in names:
        if not NAMESPACE_NAME.match(name):
            raise FilterError(f"namespace {name[:70]!r} is not a valid Kubernetes namespace name")
    return names


def filter_queryset(
    queryset: QuerySet,
    params: Mapping[str, str],
    equal: tuple[str, ...] = (),
    namespaced: bool = True,
) -> QuerySet:
    """Apply `namespace`, `labels` and the `equal` fields' `?field=value` filters."""
    if namespaced:
        names = namespaces_param(params)
        if names:
            queryset = queryset.filter(namespace__name__in=names)
    queryset = filter_labels(queryset, parse_selector(params.get("labels", "")))
    for name in equal:
        value = params.get(name)
        if value is not None:
            queryset = queryset.filter(**{name: value[:253]})
    return queryset
