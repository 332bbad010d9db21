"""Payload shapes and the one way mutations turn domain errors into them."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import strawberry

from app.errors import DomainError
from app.schema.errors import UserError

P = ParamSpec("P")
T = TypeVar("T")
# What the mutation returns itself: its payload, or None where a refused field answers null (rate limits).
R = TypeVar("R")


def reports_errors(payload: type[T]) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R | T]]]:
    """Wrap a mutation so a ``DomainError`` becomes ``payload(errors=[...])``.

    Every other field of the payload keeps its default (null, false).
    """

    def decorate(mutation: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | T]]:
        @functools.wraps(mutation)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | T:
            try:
                return await mutation(*args, **kwargs)
            except DomainError as error:
                return payload(errors=UserError.many(error.problems))  # type: ignore[call-arg]

        return wrapper

    return decorate


@strawberry.type(description="The result of a mutation that returns no object. ok is false when errors is not empty.")
class OkPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def success(cls) -> OkPayload:
        return cls(ok=True)
