"""Delivered orders to return from, the contract's return operations, and a fixture built on the shop.

Orders are written straight to the database (as factories do): the tests here
are about returns, and one test walks the whole way from cart to ERP delivery
to return through the endpoint.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app import clock
from app.db import Database
from app.ids import decode_id, encode_id
from app.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductType,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
)
from tests.factories import make_category_path, make_product
from tests.helpers.graphql import gql
from tests.ordering.shop import FIRST_DATE, NOW, Shop

# The operations exactly as ../shared/contract/storefront-returns.graphql and support.graphql send them.
REQUEST_RETURN = """mutation RequestReturn($input: ReturnRequestInput!) {
  requestReturn(input: $input) {
    returnRequest {
      id
      number
      status
      lines {
        orderLine {
          id
          sku
        }
        quantity
      }
    }
    errors {
      code
      field
      message
    }
  }
}"""

RETURNS = """query Returns($customerNumber: String!, $first: Int, $after: String) {
  customer(number: $customerNumber) {
    id
    returns(first: $first, after: $after) {
      totalCount
      edges {
        node {
          id
          number
          status
          reason
          note
          createdAt
          order {
            number
          }
          lines {
            quantity
            orderLine {
              sku
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}"""

SET_RETURN_STATUS = """mutation SetReturnStatus($id: ID!, $status: ReturnStatus!, $note: String) {
  setReturnStatus(id: $id, status: $status, note: $note) {
    returnRequest {
      id
      status
    }
    errors {
      code
      message
    }
  }
}"""

DELIVERED_AT = NOW - timedelta(days=2)
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Delivered:
    pk: int
    id: str  # opaque Order id
    number: str
    line_ids: list[str]  # opaque OrderLine ids, by position


async def delivered_order(
    database: Database,
    customer: Customer,
    address_id: str,
    *lines: tuple[Product, int],
    delivered_at: datetime | None = DELIVERED_AT,
    status: OrderStatus = OrderStatus.DELIVERED,
) -> Delivered:
    """An order of ``lines`` (product, quantity) in ``status``, delivered at ``delivered_at``."""
    address_pk = decode_id("DeliveryAddress", address_id)
    assert address_pk is not None
    number = f"{8_000_000 + next(_numbers)}"
    placed = (delivered_at or clock.now()) - timedelta(days=3)
    async with database.transaction() as session:
        subtotal = sum((product.list_price * quantity for product, quantity in lines), Decimal("0.00"))
        order = Order(
            number=number,
            customer_id=customer.id,
            status=status,
            placed_at=placed,
            delivery_date=FIRST_DATE,
            delivery_address_id=address_pk,
            line_count=len(lines),
            subtotal=subtotal,
            vat=(subtotal / 4).quantize(Decimal("0.01")),
            total=subtotal + (subtotal / 4).quantize(Decimal("0.01")),
            delivered_at=delivered_at if status is OrderStatus.DELIVERED else None,
            updated_at=placed,
        )
        session.add(order)
        await session.flush()
        rows = [
            OrderLine(
                order_id=order.id,
                position=position,
                product_id=product.id,
                sku=product.sku,
                product_name=product.name,
                unit=product.unit,
                quantity=quantity,
                unit_price=product.list_price,
                line_total=product.list_price * quantity,
            )
            for position, (product, quantity) in enumerate(lines)
        ]
        session.add_all(rows)
        await session.flush()
    return Delivered(order.id, encode_id("Order", order.id), number, [encode_id("OrderLine", r.id) for r in rows])


async def stored_return(
    database: Database,
    order: Delivered,
    *lines: tuple[int, int],
    number: str,
    status: ReturnStatus = ReturnStatus.REQUESTED,
    customer_id: int,
    requested_by_id: int | None = None,
) -> int:
    """A return written straight to the database: (position of the order line, quantity) per line."""
    async with database.transaction() as session:
        request = ReturnRequest(
            number=number,
            customer_id=customer_id,
            order_id=order.pk,
            status=status,
            reason=ReturnReason.NOT_NEEDED,
            requested_by_id=requested_by_id,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add(request)
        await session.flush()
        for position, quantity in lines:
            line_pk = decode_id("OrderLine", order.line_ids[position])
            assert line_pk is not None
            session.add(ReturnLine(return_id=request.id, order_line_id=line_pk, quantity=quantity))
    return request.id


@dataclass(frozen=True)
class ReturnShop:
    shop: Shop
    special: Product  # SPECIAL_ORDER (skaffevare)
    made: Product  # MADE_TO_ORDER (bestillingsvare)
    nutrition: Product  # NUTRITION (ernæringsprodukt)
    order: Delivered  # gloves 3, compress 10, special 1, made 1, nutrition 2; delivered two days ago
    other_order: Delivered  # the other customer's: gloves 5

    def token(self, who: str) -> str:
        return self.shop.token(who)


@pytest.fixture
async def rshop(shop: Shop, database: Database) -> AsyncIterator[ReturnShop]:
    category = await make_category_path(database, "Forbruksmateriell", "Spesial")
    special = await make_product(
        database, category, sku="SK-1", name="Skaffevare rullator", product_type=ProductType.SPECIAL_ORDER
    )
    made = await make_product(
        database,
        category,
        sku="BV-1",
        name="Bestillingsvare kompresjonsstrømpe",
        product_type=ProductType.MADE_TO_ORDER,
    )
    nutrition = await make_product(
        database, category, sku="ER-1", name="Næringsdrikk sjokolade", product_type=ProductType.NUTRITION
    )
    order = await delivered_order(
        database,
        shop.customer,
        shop.address,
        (shop.gloves, 3),
        (shop.compress, 10),
        (special, 1),
        (made, 1),
        (nutrition, 2),
    )
    other_order = await delivered_order(database, shop.world.other_customer, shop.other_address, (shop.gloves, 5))
    yield ReturnShop(shop, special, made, nutrition, order, other_order)


def return_input(order: Delivered, *lines: tuple[int, int], **extra: Any) -> dict[str, Any]:
    """The RequestReturn input: (position of the order line, quantity) per line."""
    return {
        "input": {
            "orderId": order.id,
            "lines": [{"orderLineId": order.line_ids[position], "quantity": quantity} for position, quantity in lines],
            "reason": "NOT_NEEDED",
            "conditionConfirmed": True,
            **extra,
        }
    }


async def request_return(client: httpx.AsyncClient, token: str, variables: dict[str, Any]) -> dict[str, Any]:
    result = await gql(client, REQUEST_RETURN, variables, token=token)
    assert "errors" not in result, result
    return result["data"]["requestReturn"]


async def set_status(
    client: httpx.AsyncClient, token: str, return_id: str, status: str, note: str | None = None
) -> dict[str, Any]:
    result = await gql(client, SET_RETURN_STATUS, {"id": return_id, "status": status, "note": note}, token=token)
    assert "errors" not in result, result
    return result["data"]["setReturnStatus"]
