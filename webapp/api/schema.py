"""The OpenAPI generator: drf-spectacular's AutoSchema plus what every operation shares.

Every operation can fail, and every failure is a problem document (problems.py), so the
schema declares them here once instead of in every view: 401, 403, 406 and 500 everywhere,
400 where the operation takes parameters or a body, 404 where its path names an object (or
it pages a list), 429 where the view is throttled. Whatever a view declared for an error
becomes the problem document and media type, since that is what it answers. Path
parameters named as everywhere in the API (`namespace`, `name`, `kind`, `id`) get their
description here.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from webapp.api.problems import PROBLEM_JSON

ALWAYS = (401, 403, 406, 500)
WHY = {
    400: "The query or body is invalid; `detail` says why, `errors` names the fields.",
    401: "Not authenticated: log in or send Authorization: Bearer <token>.",
    403: "Authenticated, but not allowed: a namespace outside your grants, or a write "
    "your role may not make.",
    404: "No such object (or page of a list), or one outside the namespaces you may see.",
    406: "The Accept header asks for a media type other than JSON.",
    429: "Too many requests; Retry-After says when to try again.",
    500: "The server failed; the error is logged and the body says nothing more.",
}
PATH_PARAMETERS = {
    "namespace": "The Kubernetes namespace of the object.",
    "name": "The Kubernetes name of the object.",
    "kind": "The object's kind, e.g. PeerAuthentication or Server.",
    "id": "The object's numeric id.",
}


class MeshwatchSchema(AutoSchema):
    """AutoSchema that adds the problem+json responses an operation can give."""

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") == "path" and not parameter.get("description"):
                parameter["description"] = PATH_PARAMETERS.get(parameter["name"], "")
        return parameters

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, answer in responses.items():
            if not answer.get("description") and code.isdigit():
                answer["description"] = HTTPStatus(int(code)).phrase
            if code.isdigit() and int(code) >= 400:
                _as_problem_json(answer)
        from webapp.api.serializers import ProblemSerializer

        for status in self._problem_codes():
            problem = OpenApiResponse(ProblemSerializer, description=WHY[status])
            responses.setdefault(str(status), self._get_response_for_code(
                problem, str(status), media_types=[PROBLEM_JSON]))
        return responses

    def _problem_codes(self) -> list[int]:
        codes = list(ALWAYS)
        has_body = self.method in ("POST", "PUT", "PATCH")
        if has_body or self._get_parameters() or self._is_list_view():
            codes.append(400)
        if "{" in self.path or self._is_list_view():  # lists: a page past the last
            codes.append(404)
        if getattr(self.view, "throttle_classes", None):
            codes.append(429)
        return sorted(codes)


def _as_problem_json(answer: dict[str, Any]) -> None:
    """Whatever a view declared for an error, it answers a problem (problems.py sees to
    that): the schema says so."""
    answer["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


PAGE_PROPERTIES = {
    "count": "How many results there are over all pages.",
    "next": "The URL of the next page; null on the last.",
    "previous": "The URL of the previous page; null on the first.",
    "results": "This page's results.",
}


def describe_pages(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: every Paginated<X>List component described, whichever view (and
    pagination class) produced it."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not (name.startswith("Paginated") and name.endswith("List")):
            continue
        component.setdefault("description", f"One page of {name[9:-4]} results.")
        for prop, text in PAGE_PROPERTIES.items():
            if prop in component.get("properties", {}):
                component["properties"][prop].setdefault("description", text)
    return result
