"""Who owns receivers and silences, and what a caller may see and change of them.

The model (README "API", "Scoping"): a receiver or silence belongs to a team or is global.
- A caller who sees every namespace (an admin, or anyone in `anonymous` mode reading) sees
  and edits all of them, and may create global ones or name any team.
- Anyone else sees and edits only their own teams' ones, and what they create belongs to one
  of their teams (their only one by default).
- A team's silence may mute only alerts of namespaces its creator may see (`namespaces`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request

from webapp.accounts.scoping import request_namespaces
from webapp.api.prologue import NO_NAMESPACE


def team_ids(request: Request) -> list[int]:
    """The ids of the teams the caller is a member of."""
    user = request.user
    if not user.is_authenticated:
        return []
    return list(user.teams.values_list("pk", flat=True))  # type: ignore[union-attr]


def sees_all(request: Request) -> bool:
    """Whether the caller sees every namespace (and so every receiver and silence)."""
    return request_namespaces(request) is None


def owned(queryset: QuerySet, request: Request) -> QuerySet:
    """`queryset` (of a model with a `team`) narrowed to what the caller may see."""
    if sees_all(request):
        return queryset
    return queryset.filter(team__in=team_ids(request))


def owner_team(request: Request, team: Any, instance: Any = None) -> Any:
    """The team that owns a new or changed object, checked against the caller's teams."""
    if team is None and instance is not None:
        team = instance.team
    if sees_all(request):
        return team
    mine = team_ids(request)
    if team is None:
        if len(mine) != 1:
            raise ValidationError({"team": [
                "name the team that owns it (you are in several)" if mine
                else "you are in no team; ask an admin to add you to one"]})
        from webapp.accounts.models import Team

        return Team.objects.get(pk=mine[0])
    if team.pk not in mine:
        raise PermissionDenied(f"you are not a member of team {team.name}")
    return team


def silence_namespaces(request: Request, wanted: list[str]) -> list[str]:
    """The namespaces a silence may mute: as asked, within the caller's (403 past them);
    a limited caller asking for none gets all of theirs."""
    visible = request_namespaces(request)
    if visible is None:
        return sorted(set(wanted))
    if not visible:
        raise PermissionDenied(NO_NAMESPACE)
    hidden = sorted(set(wanted) - visible)
    if hidden:
        raise PermissionDenied(f"you may not silence namespaces {', '.join(hidden)}")
    return sorted(set(wanted) or visible)
