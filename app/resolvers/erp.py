"""Resolvers for partner ERP integrations: the API key's scope, then the sync batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from app.context import Info
from app.erp import customers, prices, products
from app.erp.batch import BatchResult, Transaction
from app.policy import Scope
from app.resolvers.access import require_scope
from app.viewer import Viewer

Item = TypeVar("Item")


async def _run(
    info: Info,
    scope: Scope,
    batch: Callable[[Transaction, Viewer, Sequence[Item]], Awaitable[BatchResult]],
    items: Sequence[Item],
) -> BatchResult:
    viewer = require_scope(info, scope)
    return await batch(info.context.uow.transaction, viewer, items)


async def upsert_products(info: Info, items: Sequence[products.ProductItem]) -> BatchResult:
    return await _run(info, Scope.CATALOG_WRITE, products.upsert_products, items)


async def set_stock(info: Info, items: Sequence[prices.StockItem]) -> BatchResult:
    return await _run(info, Scope.CATALOG_WRITE, prices.set_stock, items)


async def upsert_customers(info: Info, items: Sequence[customers.CustomerItem]) -> BatchResult:
    return await _run(info, Scope.CUSTOMERS_WRITE, customers.upsert_customers, items)


async def set_agreement_prices(info: Info, items: Sequence[prices.AgreementPriceItem]) -> BatchResult:
    return await _run(info, Scope.CUSTOMERS_WRITE, prices.set_agreement_prices, items)
