"""The schema: every domain's queries and mutations under one root (Saleor-style)."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from app.schema.carts import CartMutation, CartQuery
from app.schema.catalog import CatalogQuery
from app.schema.erp import ErpMutation
from app.schema.identity import IdentityMutation, IdentityQuery
from app.schema.live import LiveSubscription
from app.schema.orders import OrderMutation, OrderQuery
from app.schema.returns import ReturnMutation, ReturnQuery
from app.schema.support import SupportMutation, SupportQuery


@strawberry.type
class Query(IdentityQuery, CatalogQuery, CartQuery, OrderQuery, SupportQuery, ReturnQuery):
    pass


@strawberry.type
class Mutation(IdentityMutation, CartMutation, OrderMutation, SupportMutation, ErpMutation, ReturnMutation):
    pass


@strawberry.type
class Subscription(LiveSubscription):
    pass


schema = strawberry.Schema(
    query=Query, mutation=Mutation, subscription=Subscription, config=StrawberryConfig(auto_camel_case=True)
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
