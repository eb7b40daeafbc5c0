"""The auth settings' start-up checks, called from webapp/settings.py.

Kept out of settings so the rules are plain functions with their own tests. Each raises
ImproperlyConfigured naming the variable, so a wrong deployment stops at start-up instead of
serving a dashboard that trusts the wrong people.
"""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,100}$")
_RATE = re.compile(r"^(\d+)/(\d+(?:\.\d+)?)(s|m|h)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def parse_networks(name: str, values: list[str]) -> tuple[Network, ...]:
    """CIDRs (or single addresses) of a list variable; raises naming the bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an address or CIDR") from exc
    return tuple(networks)


def header_meta_key(name: str, value: str) -> str:
    """The `META` key of an HTTP header name: X-Forwarded-User → HTTP_X_FORWARDED_USER."""
    if not _HEADER_NAME.match(value):
        raise ImproperlyConfigured(f"{name}={value!r} is not an HTTP header name")
    return "HTTP_" + value.upper().replace("-", "_")


def parse_rate(name: str, value: str) -> tuple[int, float]:
    """`10/5m` → (10, 300.0): at most 10 events per 5 minutes."""
    match = _RATE.match(value.strip())
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate like 10/5m")
    seconds = float(match.group(2)) * _UNIT_SECONDS[match.group(3)]
    if seconds <= 0:
        raise ImproperlyConfigured(f"{name}={value!r} needs a window longer than zero")
    return int(match.group(1)), seconds


def check_auth_mode(
    mode: str,
    *,
    debug: bool,
    allow_anonymous: bool,
    trusted_proxies: tuple[Network, ...],
    command: str,
) -> None:
    """Refuse the combinations that would expose the dashboard.

    - `anonymous` hands every namespace to anyone who can reach the port: only with DEBUG,
      the explicit MESHWATCH_ALLOW_ANONYMOUS, or the demo (which binds 127.0.0.1 only);
    - `header` trusts whoever sets the user header: only from the listed proxies, so the
      list must not be empty.
    """
    if mode == "anonymous" and not (debug or allow_anonymous or command == "demo"):
        raise ImproperlyConfigured(
            "MESHWATCH_AUTH=anonymous gives every visitor read access to every namespace; "
            "set MESHWATCH_ALLOW_ANONYMOUS=true to mean it (or use `manage.py demo`)"
        )
    if mode == "header" and not trusted_proxies:
        raise ImproperlyConfigured(
            "MESHWATCH_AUTH=header needs MESHWATCH_AUTH_TRUSTED_PROXIES: the addresses "
            "(CIDRs) of the proxies that set the user header, e.g. 10.0.0.0/8"
        )
