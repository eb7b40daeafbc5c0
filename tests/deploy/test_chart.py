"""The Helm chart, checked without helm (no helm binary can be installed on these machines).

What is verified here: values.yaml against values.schema.json (a valid Draft 7 schema, which
also rejects typos and bad values); every environment variable is a value and reaches the
ConfigMap or Secret; the templates' actions are balanced and every `.Values` path and
`include` they use exists; the watcher's RBAC is read-only and equals what
collectors/kube/kinds.py watches; every pod is locked down. Not verified: a full render with
Helm's template engine, and the objects' acceptance by an API server (see docs/operating.md).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from collectors.kube.kinds import ALL_KINDS
from tests.deploy.envvars import all_variables

CHART = Path(__file__).resolve().parents[2] / "helm" / "meshwatch"
TEMPLATES = CHART / "templates"
READ_ONLY = ["get", "list", "watch"]


def _values() -> dict[str, Any]:
    return yaml.safe_load((CHART / "values.yaml").read_text())


def _schema() -> dict[str, Any]:
    return json.loads((CHART / "values.schema.json").read_text())


def _templates() -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(TEMPLATES.iterdir()) if p.is_file()}


def _errors(values: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(_schema())
    return [e.message for e in validator.iter_errors(values)]


# --- Chart.yaml, values and schema --------------------------------------------------------


def test_chart_yaml_is_a_v2_application_chart():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "meshwatch"
    assert chart["type"] == "application"
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart["version"])


def test_the_schema_is_a_valid_draft_7_schema():
    jsonschema.Draft7Validator.check_schema(_schema())


def test_values_yaml_validates_against_the_schema():
    assert _errors(_values()) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("config", "MESHWATCH_INTERVL"), "15s"),  # a typo is an error, not ignored
        (("config", "MESHWATCH_INTERVAL"), "15 seconds"),
        (("config", "MESHWATCH_AUTH"), "none"),
        (("config", "MESHWATCH_MESH"), "consul"),
        (("config", "MESHWATCH_HEALTH_5XX_FAILURE"), 1.5),
        (("secrets", "DATABASE_URL"), "mysql://db/meshwatch"),
        (("securityContext", "readOnlyRootFilesystem"), False),
        (("web", "replicas"), "two"),
        (("web", "autoscaling", "maxReplicas"), 0),
    ],
)
def test_the_schema_rejects_bad_values(path, value):
    values = copy.deepcopy(_values())
    node = values
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert _errors(values), f"{'.'.join(path)}={value!r} was accepted"


def test_every_environment_variable_is_a_value():
    values = _values()
    keys = set(values["config"]) | set(values["secrets"])
    assert all_variables() - keys == set()


def test_every_environment_variable_reaches_the_configmap_or_the_secret():
    templates = _templates()
    values = _values()
    for name in all_variables():
        if name in values["secrets"]:
            assert f".Values.secrets.{name}" in templates["secret.yaml"], name
            assert re.search(rf"^\s+{name}:", templates["secret.yaml"], re.M), name
        else:
            entry = f'(dict "name" "{name}" "value" .Values.config.{name})'
            assert entry in templates["configmap.yaml"], name


# --- template lint ------------------------------------------------------------------------

_ACTION = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_OPENERS = re.compile(r"^\s*(if|range|with|define)\b")
_VALUES_PATH = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


@pytest.mark.parametrize("name", sorted(_templates()))
def test_template_actions_are_balanced(name):
    text = _templates()[name]
    assert text.count("{{") == text.count("}}"), "unbalanced {{ }}"
    actions = [a for a in _ACTION.findall(text) if not a.strip().startswith("/*")]
    opened = sum(1 for a in actions if _OPENERS.match(a))
    closed = sum(1 for a in actions if a.strip() == "end")
    assert opened == closed, f"{opened} blocks opened, {closed} closed"


def test_every_values_path_used_exists_in_values_yaml():
    values = _values()
    missing = []
    for name, text in _templates().items():
        for path in _VALUES_PATH.findall(text):
            node: Any = values
            for key in path.strip(".").split("."):
                if not isinstance(node, dict):
                    break  # a leaf's methods or fields are Helm's business
                if key not in node:
                    missing.append(f"{name}: .Values{path}")
                    break
                node = node[key]
    assert missing == []


def test_every_included_template_is_defined():
    texts = _templates()
    defined = set(re.findall(r'define "([^"]+)"', texts["_helpers.tpl"]))
    used = {u for text in texts.values() for u in re.findall(r'include "([^"]+)"', text)}
    assert used - defined == set()


# --- RBAC: read-only, exactly the watcher's kinds ------------------------------------------


def _static_yaml(text: str) -> list[dict[str, Any]]:
    """The documents of a template whose structure is static: comments and lines that hold
    only an action dropped, inline actions replaced by a placeholder. Enough for rbac.yaml,
    whose rules are written without templating on purpose."""
    text = re.sub(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", "", text, flags=re.S)
    lines = [line for line in text.splitlines() if not re.fullmatch(r"\s*\{\{.*\}\}\s*", line)]
    body = _ACTION.sub("placeholder", "\n".join(lines))
    return [doc for doc in yaml.safe_load_all(body) if doc]


def _rules() -> dict[str, list[dict[str, Any]]]:
    docs = _static_yaml(_templates()["rbac.yaml"])
    return {
        doc["kind"]
        + ("@" + doc["metadata"].get("namespace", "") if doc["kind"] == "Role" else ""): doc[
            "rules"
        ]
        for doc in docs
        if doc["kind"] in ("ClusterRole", "Role")
    }


def _grants(rules: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(g, r) for rule in rules for g in rule["apiGroups"] for r in rule["resources"]}


def test_the_watcher_role_only_reads():
    for role, rules in _rules().items():
        for rule in rules:
            assert rule["verbs"] == READ_ONLY, (role, rule)
            assert "*" not in rule["apiGroups"] + rule["resources"], (role, rule)
            assert "resourceNames" not in rule and "nonResourceURLs" not in rule


def test_the_cluster_role_grants_exactly_the_kinds_the_watcher_watches():
    expected = {(k.group, k.plural) for k in ALL_KINDS if not k.namespace}
    assert _grants(_rules()["ClusterRole"]) == expected


def test_namespaced_kinds_are_granted_in_their_namespace_only():
    roles = _rules()
    for kind in (k for k in ALL_KINDS if k.namespace):
        assert (kind.group, kind.plural) in _grants(roles[f"Role@{kind.namespace}"])
        assert (kind.group, kind.plural) not in _grants(roles["ClusterRole"])
    namespaced = {(k.group, k.plural) for k in ALL_KINDS if k.namespace}
    assert _grants(roles["Role@kube-system"]) == namespaced


# --- pods ---------------------------------------------------------------------------------

_POD_TEMPLATES = [
    "deployment-web.yaml",
    "deployment-worker.yaml",
    "deployment-beat.yaml",
    "deployment-watcher.yaml",
    "job-migrate.yaml",
]


@pytest.mark.parametrize("name", _POD_TEMPLATES)
def test_every_pod_is_locked_down(name):
    text = _templates()[name]
    assert 'include "meshwatch.podSecurityContext"' in text
    assert 'include "meshwatch.containerSecurityContext"' in text
    assert 'include "meshwatch.tmpMount"' in text and 'include "meshwatch.tmpVolume"' in text
    assert 'include "meshwatch.envFrom"' in text
    assert "automountServiceAccountToken:" in text


def test_the_security_defaults_are_non_root_read_only_and_without_capabilities():
    values = _values()
    assert values["podSecurityContext"]["runAsNonRoot"] is True
    assert values["podSecurityContext"]["runAsUser"] != 0
    ctx = values["securityContext"]
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["capabilities"]["drop"] == ["ALL"]


def test_only_the_watcher_mounts_a_service_account_token():
    texts = _templates()
    for name in _POD_TEMPLATES:
        mounted = "automountServiceAccountToken: true" in texts[name]
        assert mounted == (name == "deployment-watcher.yaml"), name


def test_web_probes_are_healthz_and_readyz():
    text = _templates()["deployment-web.yaml"]
    liveness = text.split("livenessProbe:")[1].split("readinessProbe:")[0]
    readiness = text.split("readinessProbe:")[1].split("startupProbe:")[0]
    assert "path: /healthz" in liveness
    assert "path: /readyz" in readiness


def test_web_and_worker_have_an_hpa_and_a_pdb():
    texts = _templates()
    for name in ("hpa.yaml", "pdb.yaml"):
        assert 'list "web" "worker"' in texts[name]
    assert "kind: HorizontalPodAutoscaler" in texts["hpa.yaml"]
    assert "kind: PodDisruptionBudget" in texts["pdb.yaml"]
    assert "kind: ServiceMonitor" in texts["servicemonitor.yaml"]
