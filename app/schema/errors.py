"""``UserError`` and ``ErrorCode``: what every mutation payload reports."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from app.errors import ErrorCode, Problem
from app.schema.objects import copied

ErrorCodeEnum = strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="Why a mutation refused (part of) its input. The message says it in English.",
)


@strawberry.type(description="Something the user can fix. An empty errors list means success.")
class UserError:
    code: ErrorCode
    field: str | None = strawberry.field(
        description="Input path of the offending value, from the argument name: `lines.2.quantity`."
    )
    message: str

    @classmethod
    def of(cls, problem: Problem) -> UserError:
        return copied(cls, problem)

    @classmethod
    def many(cls, problems: Iterable[Problem]) -> list[UserError]:
        return [cls.of(p) for p in problems]
