"""The schema: every domain's queries and mutations under one root."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from app.context import Info
from app.resolvers import identity
from app.schema.errors import UserError
from app.schema.identity import CustomerType, UserType
from app.schema.payloads import OkPayload


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user. Needs a user token.")
    async def me(self, info: Info) -> UserType:
        return await identity.me(info)

    @strawberry.field(
        description=(
            "A customer number the viewer is an active member of (support staff: any). "
            "null when it does not exist or is out of reach; the two look the same."
        )
    )
    async def customer(self, info: Info, number: str) -> CustomerType | None:
        return await identity.customer(info, number)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Revokes the token that made the request.")
    async def logout(self, info: Info) -> OkPayload:
        await identity.logout(info)
        return OkPayload.success()


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[UserError],
    config=StrawberryConfig(auto_camel_case=True),
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
