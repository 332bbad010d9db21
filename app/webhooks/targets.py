"""Where a webhook may go: https and public addresses only, unless the operator allows otherwise.

The check runs twice: on registration (the URL, and the addresses its name
has then) and before every attempt on the addresses the name has at that
moment, which the sender then connects to, so a name that later resolves to
an internal address (DNS rebinding) reaches nothing inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

MAX_URL_CHARS = 2_000
# Names that never leave the machine or the local network, whatever DNS says.
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")

Resolver = Callable[[str, int], Awaitable[list[str]]]


class UnsafeTarget(Exception):
    """The target may not be called; the message says why, for the delivery log."""


def is_public(address: str) -> bool:
    """A globally routable unicast address (not private, loopback, link-local, shared, reserved)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def url_problem(url: str, allow_private: bool) -> str | None:
    """Why ``url`` cannot be a webhook target, or None. Addresses are checked by ``resolve_public``."""
    if len(url) > MAX_URL_CHARS:
        return f"The URL can be at most {MAX_URL_CHARS:,} characters."
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "That is not a URL."
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        return "The URL must be an absolute https:// URL." if not allow_private else "The URL must be http(s)."
    if parts.username or parts.password:
        return "The URL may not hold a user name or password: the signature authenticates the shop."
    if allow_private:
        return None
    host = parts.hostname.lower().rstrip(".")
    literal = _ip_literal(host)
    if literal is not None and not is_public(literal):
        return "The URL points to a private, loopback or link-local address."
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or (literal is None and "." not in host):
        return "The URL must name a public host."
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def resolve_public(host: str, port: int, resolver: Resolver = system_resolver) -> list[str]:
    """The host's addresses, all of them public, or UnsafeTarget.

    Every address must be public, not just one: a client may connect to any.
    """
    literal = _ip_literal(host)
    try:
        addresses = [literal] if literal is not None else await resolver(host, port)
    except OSError as error:
        raise UnsafeTarget(f"cannot resolve {host}: {error}") from None
    if not addresses:
        raise UnsafeTarget(f"{host} has no address")
    bad = [a for a in addresses if not is_public(a)]
    if bad:
        raise UnsafeTarget(f"{host} resolves to a non-public address ({', '.join(bad)})")
    return addresses
