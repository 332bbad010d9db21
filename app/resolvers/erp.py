"""Resolvers for partner ERP integrations: the API key's scope, then the sync batch."""

from __future__ import annotations

from collections.abc import Sequence

from app.context import Info
from app.erp import customers, prices, products
from app.erp.batch import BatchResult
from app.policy import Scope
from app.resolvers.access import require_scope


async def upsert_products(info: Info, items: Sequence[products.ProductItem]) -> BatchResult:
    viewer = require_scope(info, Scope.CATALOG_WRITE)
    return await products.upsert_products(info.context.uow.transaction, viewer, items)


async def set_stock(info: Info, items: Sequence[prices.StockItem]) -> BatchResult:
    viewer = require_scope(info, Scope.CATALOG_WRITE)
    return await prices.set_stock(info.context.uow.transaction, viewer, items)


async def upsert_customers(info: Info, items: Sequence[customers.CustomerItem]) -> BatchResult:
    viewer = require_scope(info, Scope.CUSTOMERS_WRITE)
    return await customers.upsert_customers(info.context.uow.transaction, viewer, items)


async def set_agreement_prices(info: Info, items: Sequence[prices.AgreementPriceItem]) -> BatchResult:
    viewer = require_scope(info, Scope.CUSTOMERS_WRITE)
    return await prices.set_agreement_prices(info.context.uow.transaction, viewer, items)
