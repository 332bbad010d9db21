"""Short-lived signed links for pages a browser opens without an Authorization header.

A browser cannot send a bearer token when the user opens or prints a page, and
a token in a URL would outlive the moment in history, logs and Referer
headers. So the link carries the session's id, an expiry and an HMAC of the
path and expiry keyed with the session's token hash: it opens one path, for a
few minutes, and dies with the session (logout, expiry, a deactivated
membership); the server keeps no extra state and several processes agree
without a shared secret. Only the server and the token's owner can compute
the key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class LinkParams:
    session_id: int
    expires: int  # Unix seconds
    signature: str


def signature(key: str, path: str, expires: int) -> str:
    return hmac.new(key.encode(), f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


def sign(key: str, session_id: int, path: str, now: datetime) -> str:
    """``path?session=..&expires=..&signature=..``, valid ``LIFETIME`` from ``now``."""
    expires = int((now + LIFETIME).timestamp())
    query = urlencode({"session": session_id, "expires": expires, "signature": signature(key, path, expires)})
    return f"{path}?{query}"


def parse(query: dict[str, str]) -> LinkParams | None:
    """The link's parameters when all three are present and well formed."""
    session, expires, given = query.get("session", ""), query.get("expires", ""), query.get("signature", "")
    if not (session.isdigit() and len(session) <= 18 and expires.isdigit() and len(expires) <= 12):
        return None
    if len(given) != 64:
        return None
    return LinkParams(int(session), int(expires), given)


def valid(key: str, path: str, params: LinkParams, now: datetime) -> bool:
    """The signature matches (compared in constant time) and the link has not expired."""
    if params.expires <= now.timestamp() or params.expires > (now + LIFETIME).timestamp() + 60:
        return False
    return hmac.compare_digest(signature(key, path, params.expires), params.signature)
