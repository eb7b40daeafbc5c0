"""The OpenAPI document is complete: it validates without a warning, and a walk over every
operation, parameter, response and component property finds a description everywhere, every
enum named, and the graph/heatmap/dns/mtls answers typed rather than free-form.

The walk is generic: endpoints added later (insights, traffic) are held to the same rules
without a line here. A failure lists every gap at once, each by its JSON path.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

# The views whose answers DESIGN.md fixes: no part of them may be a free-form object.
TYPED_PATHS = ("/api/v1/graph", "/api/v1/heatmap", "/api/v1/dns", "/api/v1/mtls")
METHODS = ("get", "post", "put", "patch", "delete")


def _fail_on(gaps: list[str]) -> None:
    """Fail naming every gap at once."""
    assert not gaps, f"{len(gaps)} gaps in the schema:\n" + "\n".join(gaps)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_spectacular_validates_without_a_warning(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.stat().st_size > 10_000


def _operations(schema: dict[str, Any]):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _operation_gaps(schema: dict[str, Any]) -> list[str]:
    gaps = []
    for path, method, op in _operations(schema):
        where = f"{method.upper()} {path}"
        if not (op.get("summary") or op.get("description")):
            gaps.append(f"{where}: no summary or description")
        for param in op.get("parameters", []):
            if not param.get("description"):
                gaps.append(f"{where}: parameter {param['name']!r} has no description")
        for code, response in op.get("responses", {}).items():
            if not response.get("description"):
                gaps.append(f"{where}: response {code} has no description")
    return gaps


def _property_gaps(name: str, component: dict[str, Any]) -> list[str]:
    gaps = []
    for prop, spec in component.get("properties", {}).items():
        if not spec.get("description"):
            gaps.append(f"components.schemas.{name}.{prop}: no description")
        if "enum" in spec:
            gaps.append(f"components.schemas.{name}.{prop}: an inline enum (name it)")
    return gaps


def test_every_operation_parameter_and_response_is_described(schema):
    _fail_on(_operation_gaps(schema))


def test_every_component_and_property_is_described(schema):
    gaps = []
    for name, component in schema["components"]["schemas"].items():
        if not component.get("description") and "enum" not in component:
            gaps.append(f"components.schemas.{name}: no description")
        gaps += _property_gaps(name, component)
    _fail_on(gaps)


def _free_form(spec: dict[str, Any]) -> bool:
    """An object (or an untyped value) whose shape the schema does not say."""
    if any(key in spec for key in ("$ref", "allOf", "oneOf", "anyOf", "enum")):
        return False
    kind = spec.get("type")
    if kind is None:
        return True
    if kind == "object":
        extra = spec.get("additionalProperties")
        return not spec.get("properties") and (extra in (None, True, {}))
    return False


def _walk(spec: Any, where: str, components: dict[str, Any], seen: set[str]) -> list[str]:
    if not isinstance(spec, dict):
        return []
    ref = spec.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _walk(components[name], name, components, seen)
    gaps = [f"{where}: a free-form value"] if _free_form(spec) else []
    for prop, child in spec.get("properties", {}).items():
        gaps += _walk(child, f"{where}.{prop}", components, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(spec.get(key), dict):
            gaps += _walk(spec[key], f"{where}[{key}]", components, seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for child in spec.get(key, []):
            gaps += _walk(child, where, components, seen)
    return gaps


def test_the_views_design_fixes_are_typed(schema):
    components = schema["components"]["schemas"]
    gaps: list[str] = []
    for path in TYPED_PATHS:
        assert path in schema["paths"], f"{path} is missing from the schema"
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        gaps += _walk(ok["schema"], path, components, set())
    assert not gaps, "\n".join(gaps)


def test_every_error_is_declared_as_problem_json(schema):
    missing = []
    for path, method, op in _operations(schema):
        for code, response in op["responses"].items():
            if code >= "400" and "application/problem+json" not in response.get("content", {}):
                missing.append(f"{method.upper()} {path} {code}")
        for code in ("401", "403", "500"):
            if code not in op["responses"]:
                missing.append(f"{method.upper()} {path}: {code} undeclared")
    assert not missing, "\n".join(missing)
