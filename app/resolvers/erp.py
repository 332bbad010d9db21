"""Resolvers for partner ERP integrations: the API key's scope, then the sync batch."""

from __future__ import annotations

from collections.abc import Sequence

from app.catalog import sync
from app.context import Info
from app.resolvers.access import require_scope

CATALOG_WRITE = "catalog:write"
CUSTOMERS_WRITE = "customers:write"


async def upsert_products(info: Info, items: Sequence[sync.ProductItem]) -> sync.BatchResult:
    viewer = require_scope(info, CATALOG_WRITE)
    return await sync.upsert_products(info.context.uow.transaction, viewer, items)


async def set_stock(info: Info, items: Sequence[sync.StockItem]) -> sync.BatchResult:
    viewer = require_scope(info, CATALOG_WRITE)
    return await sync.set_stock(info.context.uow.transaction, viewer, items)


async def upsert_customers(info: Info, items: Sequence[sync.CustomerItem]) -> sync.BatchResult:
    viewer = require_scope(info, CUSTOMERS_WRITE)
    return await sync.upsert_customers(info.context.uow.transaction, viewer, items)


async def set_agreement_prices(info: Info, items: Sequence[sync.AgreementPriceItem]) -> sync.BatchResult:
    viewer = require_scope(info, CUSTOMERS_WRITE)
    return await sync.set_agreement_prices(info.context.uow.transaction, viewer, items)
