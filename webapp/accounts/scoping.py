"""Which namespaces a user or token may see.

The rules (README "Access and scoping"):
- admins (is_staff or is_superuser) see every namespace;
- in `anonymous` (demo) mode an anonymous visitor sees every namespace;
- any other user sees the union of their teams' grants: namespaces by name, and namespaces
  whose labels match a grant's selector (parsed as `kubectl -l` does, filtersets.py);
- a token's own `namespaces`, when set, narrows that further (even an admin's token);
- no grant: nothing.

`None` means "every namespace"; a set (possibly empty) is the exact visible list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from webapp.inventory.api.filtersets import FilterError, filter_labels, parse_selector


def is_admin(user: Any) -> bool:
    """Whether `user` sees everything."""
    return bool(user is not None and user.is_authenticated
                and (user.is_staff or user.is_superuser))


def granted_namespaces(user: Any) -> set[str]:
    """The namespaces `user`'s teams are granted (names and selector matches)."""
    from webapp.accounts.models import NamespaceGrant
    from webapp.inventory.models import Namespace

    names: set[str] = set()
    grants = NamespaceGrant.objects.filter(team__members=user).values_list(
        "namespace", "selector")
    for namespace, selector in grants:
        if namespace:
            names.add(namespace)
        if selector.strip():
            try:
                requirements = parse_selector(selector)
            except FilterError:
                continue  # an invalid stored selector grants nothing
            names.update(filter_labels(Namespace.objects.all(), requirements)
                         .values_list("name", flat=True))
    return names


def visible_namespaces(user: Any, token: Any = None) -> set[str] | None:
    """The namespaces `user` (through `token`, if any) may see; None: all of them."""
    authenticated = bool(user is not None and user.is_authenticated)
    if not authenticated:
        base: set[str] | None = None if settings.MESHWATCH_AUTH == "anonymous" else set()
    elif is_admin(user):
        base = None
    else:
        base = granted_namespaces(user)
    limit = set(getattr(token, "namespaces", None) or ())
    if not limit:
        return base
    return limit if base is None else base & limit


def request_namespaces(request: Any) -> set[str] | None:
    """`visible_namespaces` of a DRF or Django request."""
    return visible_namespaces(getattr(request, "user", None), getattr(request, "auth", None))


def scoped_request(requested: Iterable[str], visible: set[str] | None) -> tuple[str, ...]:
    """The namespaces to query for `requested` (empty: all) within `visible`.

    Raises PermissionError naming the namespaces asked for but not visible. Asking for
    nothing with a limited scope means the visible ones; with none visible, an empty
    tuple is never returned for a limited scope (callers check `visible` for emptiness).
    """
    wanted = tuple(requested)
    if visible is None:
        return wanted
    hidden = sorted(set(wanted) - visible)
    if hidden:
        raise PermissionError(
            f"you may not see namespace{'s' if len(hidden) > 1 else ''} {', '.join(hidden)}")
    return wanted or tuple(sorted(visible))
