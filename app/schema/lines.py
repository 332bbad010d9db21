"""The inputs a cart line and a shopping-list item are asked for in: a product by SKU or id, and a quantity."""

from __future__ import annotations

import strawberry

from app.ordering.carts import LineRequest
from app.schema.objects import copied


@strawberry.input
class ProductLineInput:
    """The fields CartLineInput and ShoppingListItemInput share; not in the schema by itself."""

    sku: str | None = None
    product_id: strawberry.ID | None = None
    quantity: int

    def to_request(self) -> LineRequest:
        return copied(LineRequest, self)


_RULES = "Exactly one of sku and productId; quantity 1 to 100,000."


@strawberry.input(description=_RULES)
class CartLineInput(ProductLineInput):
    pass


@strawberry.input(description=_RULES)
class ShoppingListItemInput(ProductLineInput):
    pass
