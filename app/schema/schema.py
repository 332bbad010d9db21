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
from app.schema.scalars import SCALARS
from app.schema.search_suggestions import SearchSuggestionsQuery
from app.schema.search_synonyms import SearchSynonymMutation, SearchSynonymQuery
from app.schema.shopping_lists import ShoppingListMutation, ShoppingListQuery
from app.schema.support import SupportMutation, SupportQuery
from app.schema.webhooks import WebhookMutation, WebhookQuery


@strawberry.type
class Query(
    IdentityQuery,
    CatalogQuery,
    CartQuery,
    OrderQuery,
    ShoppingListQuery,
    SupportQuery,
    ReturnQuery,
    SearchSynonymQuery,
    SearchSuggestionsQuery,
    WebhookQuery,
):
    pass


@strawberry.type
class Mutation(
    IdentityMutation,
    CartMutation,
    OrderMutation,
    ShoppingListMutation,
    SupportMutation,
    ErpMutation,
    ReturnMutation,
    SearchSynonymMutation,
    WebhookMutation,
):
    pass


@strawberry.type
class Subscription(LiveSubscription):
    pass


# Date and DateTime within a sane range (app/schema/scalars.py).
schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(auto_camel_case=True),
    scalar_overrides=SCALARS,
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
