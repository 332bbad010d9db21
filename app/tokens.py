"""Opaque bearer tokens: random, prefixed by kind, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

SESSION_PREFIX = "cs_"
API_KEY_PREFIX = "ck_"
ONE_TIME_PREFIX = "ct_"
# 32 random bytes, as the contract requires at least.
TOKEN_BYTES = 32


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
