"""argon2id password hashing, off the event loop.

Hashing is deliberately slow. It runs in its own small thread pool, one
thread fewer than the machine has cores, so a burst of logins queues there
while the event loop keeps a core for every other request of the process.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import Type

T = TypeVar("T")

# The one place the parameters live. Changing them makes every login rehash.
TIME_COST = 2
MEMORY_COST_KIB = 19_456  # 19 MiB: OWASP's argon2id baseline
PARALLELISM = 1

MIN_LENGTH = 10
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM, type=Type.ID)


_pool = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1), thread_name_prefix="argon2")


async def _off_loop(function: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool, function, *args)


def is_acceptable(password: str) -> bool:
    return MIN_LENGTH <= len(password) <= MAX_LENGTH


def hash_password_sync(password: str) -> str:
    return hasher().hash(password)


async def hash_password(password: str) -> str:
    return await _off_loop(hasher().hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str, password: str) -> bool:
    return await _off_loop(_verify, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the email is unknown, so both cost the same."""
    return hasher().hash("not-a-real-password-" + "x" * 16)
