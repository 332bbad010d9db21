"""Which address a request is counted against: X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import pytest

from app.ratelimit.clients import client_address

PROXIES = ("10.0.0.0/8", "fd00::1")


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.7", None, (), "203.0.113.7"),
        # Without trusted proxies the header is anyone's to write.
        ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),
        # A peer that is not a trusted proxy cannot speak for others either.
        ("203.0.113.7", "198.51.100.1", PROXIES, "203.0.113.7"),
        ("10.1.2.3", "198.51.100.1", PROXIES, "198.51.100.1"),
        # Read from the right: what the client wrote before its own address is ignored.
        ("10.1.2.3", "1.2.3.4, 198.51.100.1", PROXIES, "198.51.100.1"),
        ("10.1.2.3", "1.2.3.4, 198.51.100.1, 10.9.9.9", PROXIES, "198.51.100.1"),
        ("fd00::1", "2001:db8::5", PROXIES, "2001:db8::5"),
        ("10.1.2.3", None, PROXIES, "10.1.2.3"),
        ("10.1.2.3", "10.2.2.2", PROXIES, "10.2.2.2"),
        # Garbage where our proxy writes the address: count it against the proxy's peer.
        ("10.1.2.3", "not-an-address", PROXIES, "10.1.2.3"),
        (None, None, (), "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: str | None, proxies: tuple[str, ...], expected: str) -> None:
    assert client_address(peer, forwarded, proxies) == expected
