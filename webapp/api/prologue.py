"""The shared start of the graph, heatmap, DNS and mTLS views: parse options, then scope.

Each of them used to repeat the same dozen lines (parse → 400, scope → 403) and answer
`{"detail": ...}` its own way. Here a parser's ValueError becomes a ParseError (400) with the
parser's own sentence, a namespace outside the caller's grants a PermissionDenied (403), and
the exception handler (problems.py) turns both into problem details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.request import Request

from webapp.accounts.scoping import request_namespaces, scoped_request

NO_NAMESPACE = "you may not see any namespace; ask an admin for a grant"

T = TypeVar("T")


@dataclass(frozen=True)
class Scoped(Generic[T]):
    """A request's parsed options, what its caller may see and the namespaces to query.

    `visible` is None for "every namespace"; `namespaces` is `scoped_request`'s answer (empty
    only when the caller sees everything and asked for nothing).
    """

    options: T
    visible: set[str] | None
    namespaces: tuple[str, ...]

    @property
    def limited(self) -> bool:
        """Whether the caller sees only some namespaces."""
        return self.visible is not None


def parse_options(request: Request, parse: Callable[[Mapping[str, Any]], T]) -> T:
    """`parse(query params)`; a ValueError (OptionsError included) is a 400 naming it."""
    try:
        return parse(request.query_params)
    except ValueError as exc:
        raise ParseError(str(exc)) from exc


def scoped_options(request: Request, parse: Callable[[Mapping[str, Any]], T],
                   need_grant: bool = True) -> Scoped[T]:
    """Parse the query, then scope its `namespaces` to the caller's (403 past them).

    With `need_grant`, a caller granted no namespace at all is refused outright.
    """
    options = parse_options(request, parse)
    visible = request_namespaces(request)
    if need_grant and visible is not None and not visible:
        raise PermissionDenied(NO_NAMESPACE)
    try:
        namespaces = scoped_request(getattr(options, "namespaces", ()), visible)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    return Scoped(options, visible, namespaces)
