"""Resolvers for the viewer, customers and sessions."""

from __future__ import annotations

from app.context import Info
from app.identity.sessions import revoke_session
from app.resolvers.access import reachable_customer, require_user
from app.schema.identity import CustomerType, UserType


async def me(info: Info) -> UserType:
    viewer = require_user(info)
    user = await info.context.loaders.user.load(viewer.user_id)
    return UserType.from_model(user)


async def customer(info: Info, number: str) -> CustomerType | None:
    found = await reachable_customer(info, number)
    return CustomerType.from_model(found) if found is not None else None


async def logout(info: Info) -> None:
    viewer = require_user(info)
    assert viewer.session_id is not None
    async with info.context.uow.transaction() as session:
        await revoke_session(session, viewer.session_id)
