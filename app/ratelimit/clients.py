"""Who the client is: its address, or the one a trusted proxy says it forwards for.

``X-Forwarded-For`` is anyone's to write, so it counts only when the direct
peer is a configured trusted proxy (``COMMERCE_TRUSTED_PROXIES``). Then the
header is read from the right, skipping trusted proxies: the first address
that is not one of ours is the client (the ones left of it are the client's to
forge).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, proxies: tuple[str, ...]) -> str:
    """The client's address as far as we can trust it; ``unknown`` without a peer."""
    if peer is None:
        return "unknown"
    if not proxies or not forwarded_for:
        return peer
    networks = trusted_networks(proxies)
    if not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from the client's side: count it against the proxy's peer
    return hops[0] if hops else peer
