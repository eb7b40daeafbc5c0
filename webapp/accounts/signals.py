"""Audit receivers: logins, teams and grants, alert configuration, Django admin actions.

Connected in AccountsConfig.ready. The alerts app's models are watched through signals so its
code needs no audit calls of its own. What is recorded is names, ids and the names of the
fields that changed, never their values: a receiver's URL and secret are credentials.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest

from webapp.accounts import audit, ratelimit
from webapp.accounts.models import Team

# Model label → audit noun. Alert rules, receivers and silences are the write actions of
# the API besides tokens; teams and grants decide who sees what.
AUDITED = {
    "accounts.team": "team",
    "accounts.namespacegrant": "grant",
    "alerts.alertrule": "alert_rule",
    "alerts.receiver": "receiver",
    "alerts.silence": "silence",
}
# Fields whose changes are not worth an audit row: bookkeeping the evaluator writes.
_QUIET_FIELDS = {"last_evaluated_at", "last_note", "updated_at"}
_ADMIN_ACTIONS = {1: "add", 2: "change", 3: "delete"}


def _noun(sender: type[Model]) -> str | None:
    return AUDITED.get(sender._meta.label_lower)


def _changed_fields(instance: Model) -> list[str]:
    """Names of the concrete fields that differ from the stored row (pre_save)."""
    previous = type(instance)._default_manager.filter(pk=instance.pk).values().first()
    if previous is None:
        return []
    return sorted(f.attname for f in instance._meta.concrete_fields
                  if previous.get(f.attname) != getattr(instance, f.attname))


def remember_changes(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """Before an update: which fields change, for the post_save record."""
    if not _noun(sender):
        return
    instance._audit_changed = []  # type: ignore[attr-defined]
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= _QUIET_FIELDS:
        return  # the evaluator's bookkeeping: no read of the old row for it
    if instance.pk is not None and not kwargs.get("raw"):
        instance._audit_changed = _changed_fields(instance)  # type: ignore[attr-defined]


def saved(sender: type[Model], instance: Model, created: bool, **kwargs: Any) -> None:
    """An audited model was created or changed."""
    noun = _noun(sender)
    if noun is None or kwargs.get("raw"):
        return
    fields = [f for f in getattr(instance, "_audit_changed", []) if f not in _QUIET_FIELDS]
    if not created and not fields:
        return
    detail = {"id": instance.pk} if created else {"id": instance.pk, "fields": fields}
    audit.record(f"{noun}.{'create' if created else 'change'}", _target(noun, instance), detail)


def deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """An audited model was deleted."""
    noun = _noun(sender)
    if noun is not None:
        audit.record(f"{noun}.delete", _target(noun, instance), {"id": instance.pk})


def members_changed(sender: Any, instance: Any, action: str, reverse: bool,
                    pk_set: set[int] | None, **kwargs: Any) -> None:
    """Users added to or removed from a team (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    verb = {"post_add": "add", "post_remove": "remove", "post_clear": "clear"}[action]
    if reverse:  # user.teams.add(team, ...)
        for pk in sorted(pk_set or ()):
            audit.record(f"team.member_{verb}", f"team {pk}",
                         {"team_id": pk, "user": instance.get_username()})
    else:
        audit.record(f"team.member_{verb}", _target("team", instance),
                     {"team_id": instance.pk, "user_ids": sorted(pk_set or ())})


def login_succeeded(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A password (or admin) login worked."""
    audit.record("login.success", f"user {user.get_username()}", user=user, request=request)


def login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                 **kwargs: Any) -> None:
    """A login failed: count it against the address and username, and audit the username.

    Django has already masked the password in `credentials`; only the username is read.
    """
    from webapp.accounts.middleware import login_keys

    username = str(credentials.get("username", ""))[:150]
    if request is not None:
        ratelimit.hit(login_keys(request, username))
    audit.record("login.failure", f"user {username}", {"username": username}, request=request)


def admin_action(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """An action in the Django admin (its own log, mirrored here)."""
    if not created:
        return
    action = _ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag))
    model = str(getattr(instance.content_type, "model", "?")) if instance.content_type_id else "?"
    audit.record(f"admin.{action}", f"{model} {instance.object_repr}",
                 {"model": model, "object_id": str(instance.object_id or "")},
                 user=instance.user)


def _target(noun: str, instance: Any) -> str:
    name = getattr(instance, "name", "") or getattr(instance, "namespace", "") or ""
    return f"{noun} {instance.pk}" + (f" ({name})" if name else "")


def connect() -> None:
    """Connect every receiver (idempotent: dispatch_uid)."""
    from django.apps import apps

    for label in AUDITED:
        model = apps.get_model(label)
        pre_save.connect(remember_changes, sender=model, dispatch_uid=f"audit-pre-{label}")
        post_save.connect(saved, sender=model, dispatch_uid=f"audit-save-{label}")
        post_delete.connect(deleted, sender=model, dispatch_uid=f"audit-delete-{label}")
    m2m_changed.connect(members_changed, sender=Team.members.through, dispatch_uid="audit-members")
    user_logged_in.connect(login_succeeded, dispatch_uid="audit-login")
    user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed")
    post_save.connect(admin_action, sender=LogEntry, dispatch_uid="audit-admin")
