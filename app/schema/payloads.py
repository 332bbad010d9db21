"""Payload shapes shared by several domains."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError


@strawberry.type(description="The result of a mutation that returns no object.")
class OkPayload:
    ok: bool
    errors: list[UserError]

    @classmethod
    def success(cls) -> OkPayload:
        return cls(ok=True, errors=[])

    @classmethod
    def failure(cls, errors: list[UserError]) -> OkPayload:
        return cls(ok=False, errors=errors)
