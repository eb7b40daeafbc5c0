"""The SSRF guard: which receiver URLs meshwatch may call, decided at every attempt.

A receiver URL is user input that makes meshwatch's worker open connections from inside the
cluster. So: http(s) only; the host is resolved at every attempt (a name that resolved to a
public address yesterday may point at 169.254.169.254 today); every address it resolves to
must be public unless MESHWATCH_WEBHOOK_ALLOW lists it; and the connection goes to the very
address that was checked (webapp/alerts/http.py pins it), so DNS cannot change its answer
between the check and the connect.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_DEFAULT_PORTS = {"http": 80, "https": 443}


class RefusedURL(ValueError):
    """A URL meshwatch will not call; the message says why, for the attempt log and the API."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`) and what to call it (`host`)."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str  # path and query, as sent in the request line


def allowed_networks() -> tuple[IPNetwork, ...]:
    """MESHWATCH_WEBHOOK_ALLOW as networks; a bad entry is a configuration error."""
    return _parse_networks(tuple(settings.MESHWATCH_WEBHOOK_ALLOW))


@lru_cache(maxsize=8)
def _parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"MESHWATCH_WEBHOOK_ALLOW: {entry!r} is not an address or CIDR"
            ) from exc
    return tuple(networks)


def split_url(url: str) -> SplitResult:
    """The parts of an http(s) URL with a host; RefusedURL otherwise (no resolution here)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise RefusedURL(f"the URL cannot be parsed: {exc}") from exc
    if parts.scheme not in _DEFAULT_PORTS:
        raise RefusedURL("only http and https URLs are allowed")
    if not parts.hostname:
        raise RefusedURL("the URL has no host")
    if parts.username or parts.password:
        raise RefusedURL("credentials in the URL are not allowed; sign with the secret instead")
    return parts


def refusal(address: IPAddress) -> str:
    """Why `address` may not be called, or "" when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in allowed_networks()):
        return ""
    if address.is_loopback:
        return f"{address} is a loopback address"
    if address.is_link_local:
        return f"{address} is link-local (cloud metadata lives there)"
    if address.is_private:
        return f"{address} is a private address"
    if not address.is_global or address.is_multicast:
        return f"{address} is not a public unicast address"
    return ""


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedURL(f"{host} does not resolve: {exc}") from exc
    seen: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in seen:
            seen.append(address)
    return seen


def check_url(url: str) -> Target:
    """Resolve `url` now and return where to connect; RefusedURL when any address is refused.

    Every address must pass, not just one: a name that mixes a public and a private address
    would otherwise reach the private one whenever the client happened to pick it.
    """
    parts = split_url(url)
    host = parts.hostname or ""
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    addresses = resolve(host, port)
    if not addresses:
        raise RefusedURL(f"{host} resolves to no address")
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise RefusedURL(f"{host} is refused: {reason} (see MESHWATCH_WEBHOOK_ALLOW)")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url, parts.scheme, host, port, addresses[0], path)


def check_literal(url: str) -> None:
    """At creation time: refuse a bad scheme or a refused IP literal early (names wait)."""
    parts = split_url(url)
    try:
        address = ipaddress.ip_address(parts.hostname or "")
    except ValueError:
        return
    reason = refusal(address)
    if reason:
        raise RefusedURL(f"{reason} (see MESHWATCH_WEBHOOK_ALLOW)")
