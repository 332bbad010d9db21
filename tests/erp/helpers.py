"""What the ERP tests share: the contract's operations, API keys, items, stored rows."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from app.admin import create_api_key
from app.db import Database
from app.models import AuditEntry, Category, Product, ProductDocument, ProductImage
from tests.helpers.db import rows, scalar

# The operations exactly as ../shared/contract/erp.graphql sends them.
UPSERT_PRODUCTS = """mutation UpsertProducts($items: [ProductInput!]!) {
  upsertProducts(items: $items) {
    created
    updated
    unchanged
    errors {
      code
      field
      message
    }
  }
}"""
SET_STOCK = """mutation SetStock($items: [StockInput!]!) {
  setStock(items: $items) {
    updated
    errors {
      code
      field
      message
    }
  }
}"""
UPSERT_CUSTOMERS = """mutation UpsertCustomers($items: [CustomerInput!]!) {
  upsertCustomers(items: $items) {
    created
    updated
    unchanged
    errors {
      code
      field
      message
    }
  }
}"""
SET_AGREEMENT_PRICES = """mutation SetAgreementPrices($items: [AgreementPriceInput!]!) {
  setAgreementPrices(items: $items) {
    updated
    errors {
      code
      field
      message
    }
  }
}"""

ALL_SCOPES = ["catalog:write", "customers:write", "orders:read", "orders:write"]


async def make_key(database: Database, *scopes: str, name: str = "erp") -> str:
    async with database.transaction() as session:
        return await create_api_key(session, name, list(scopes))


async def send(client: httpx.AsyncClient, query: str, items: list[dict[str, Any]], token: str) -> dict[str, Any]:
    """The operation's payload; fails the test on any GraphQL error.

    The body is ASCII JSON, so strings a client could send escaped (a lone
    surrogate such as "\\ud800") reach the server as they would.
    """
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": {"items": items}}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert "errors" not in result, result
    (payload,) = result["data"].values()
    return payload


def product(sku: str, **fields: Any) -> dict[str, Any]:
    """A valid ProductInput; ``fields`` override or add (None values are sent as null)."""
    item: dict[str, Any] = {
        "sku": sku,
        "name": f"Nitrilhanske {sku}",
        "unit": "eske",
        "listPrice": "129.90",
        "categoryPath": ["Forbruksmateriell", "Hansker"],
    }
    item.update(fields)
    return item


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(error["code"], error["field"]) for error in payload["errors"]]


async def stored_product(database: Database, sku: str) -> Product | None:
    return await scalar(database, select(Product).where(Product.sku == sku))


async def stored_images(database: Database, sku: str) -> list[tuple[str, str | None]]:
    found = await rows(
        database,
        select(ProductImage.url, ProductImage.alt)
        .join(Product, Product.id == ProductImage.product_id)
        .where(Product.sku == sku)
        .order_by(ProductImage.position),
    )
    return [tuple(row) for row in found]


async def stored_documents(database: Database, sku: str) -> list[tuple[str, str, str]]:
    found = await rows(
        database,
        select(ProductDocument.kind, ProductDocument.title, ProductDocument.url)
        .join(Product, Product.id == ProductDocument.product_id)
        .where(Product.sku == sku)
        .order_by(ProductDocument.position),
    )
    return [(kind.value, title, url) for kind, title, url in found]


async def category_names(database: Database, category_id: int) -> list[str]:
    """The names from the root down to ``category_id``, read through the materialized path."""
    category = await scalar(database, select(Category).where(Category.id == category_id))
    ids = [int(part) for part in category.path.strip("/").split("/")]
    found = await rows(database, select(Category.id, Category.name).where(Category.id.in_(ids)))
    by_id = dict(found)
    return [by_id[i] for i in ids]


async def audit_entries(database: Database, action: str) -> list[AuditEntry]:
    found = await rows(database, select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    return [row[0] for row in found]
