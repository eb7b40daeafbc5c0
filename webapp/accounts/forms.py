"""The form of the API tokens page."""

from __future__ import annotations

from typing import Any

from django import forms

from webapp.accounts.services import MAX_TOKEN_DAYS, TokenRequest


class TokenForm(forms.Form):
    """A new token: name, scope, optional namespaces, days until it expires."""

    name = forms.CharField(max_length=100, required=False)
    scope = forms.ChoiceField(choices=[])
    namespaces = forms.CharField(
        max_length=2000, required=False,
        help_text="Comma-separated; empty: whatever you can see.")
    expires_in_days = forms.IntegerField(
        min_value=0, max_value=MAX_TOKEN_DAYS, required=False,
        help_text="0: never; empty: the default.")

    def __init__(self, *args: Any, scopes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(s, s) for s in scopes]  # type: ignore[attr-defined]

    def request(self) -> TokenRequest:
        """The validated form as a TokenRequest."""
        data = self.cleaned_data
        return TokenRequest(
            name=data["name"], scope=data["scope"],
            namespaces=tuple(n for n in data["namespaces"].split(",") if n.strip()),
            expires_in_days=data["expires_in_days"])
