"""Shared carts and delivery options as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row

import app.schema.enums  # noqa: F401 - registers CartStatus
from app.catalog.product_rows import ProductRow
from app.context import Info
from app.models import Cart, CartStatus, DeliveryAddress
from app.ordering.money import Totals, line_total
from app.resolvers import carts as resolve
from app.schema.catalog import Money, ProductObject, selects
from app.schema.errors import UserError
from app.schema.lines import CartLineInput
from app.schema.objects import copied, node_id, or_none
from app.schema.payloads import OkPayload, reports_errors
from app.schema.users import CUSTOMER, CustomerRef, UserType, model_created_by, model_customer, model_updated_by

# A cart's money and an order's are worked out alike (app/ordering/money.py), so they are described alike.
SUBTOTAL_RULE = "Sum of the lines, excluding VAT."
VAT_RULE = "25 % of the subtotal, rounded half-up to the øre."
TOTAL_RULE = "Subtotal plus VAT."


def money_fields(totals: Totals) -> dict[str, Money]:
    """The subtotal, vat and total fields of a cart or an order (described by the three rules above)."""
    return {"subtotal": Money.nok(totals.subtotal), "vat": Money.nok(totals.vat), "total": Money.nok(totals.total)}


@strawberry.type(name="DeliveryAddress", description="A delivery address (leveringsadresse) as ERP gives it.")
class DeliveryAddressType:
    id: strawberry.ID
    external_id: str = strawberry.field(description="The ERP's own id of the address.")
    label: str
    line1: str
    line2: str | None
    postal_code: str
    city: str
    is_default: bool

    @classmethod
    def of(cls, address: DeliveryAddress) -> DeliveryAddressType:
        return copied(cls, address, id=node_id("DeliveryAddress", address.id))


@strawberry.type(name="CartLine")
class CartLineType:
    id: strawberry.ID
    quantity: int
    unit_price: Money = strawberry.field(
        description="Excluding VAT: the agreement price, else the list price, when the line last changed."
    )
    line_total: Money
    added_at: datetime
    product_pk: strawberry.Private[int]
    # Read with the cart's lines when the query asks for products (CartType.lines); None: not read.
    known_product: strawberry.Private[ProductRow | None] = None

    @strawberry.field
    def product(self, info: Info) -> ProductObject:
        if self.known_product is not None:
            return ProductObject.of_row(self.known_product)
        return self._product(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _product(self, info: Info) -> ProductObject:
        found: ProductRow = await info.context.loaders.product_row.load(self.product_pk)
        return ProductObject.of_row(found)

    @classmethod
    def of(cls, line: Row[Any], product: ProductRow | None = None) -> CartLineType:
        return copied(
            cls,
            line,
            id=node_id("CartLine", line.id),
            unit_price=Money.nok(line.unit_price),
            line_total=Money.nok(line_total(line.unit_price, line.quantity)),
            added_at=line.created_at,
            product_pk=line.product_id,
            known_product=product,
        )


@strawberry.type(
    name="Cart",
    description=(
        'A cart ("handlekurv") of a customer number: every active member sees and edits it. version rises by '
        "one with every change; give it back as expectedVersion to be told (CONFLICT) about a colleague's "
        "change instead of building on it unseen."
    ),
)
class CartType:
    id: strawberry.ID
    name: str
    status: CartStatus
    version: int
    line_count: int
    created_at: datetime
    updated_at: datetime
    subtotal: Money = strawberry.field(description=SUBTOTAL_RULE)
    vat: Money = strawberry.field(description=VAT_RULE)
    total: Money = strawberry.field(description=TOTAL_RULE)
    model: strawberry.Private[Cart]

    @strawberry.field
    async def lines(self, info: Info) -> list[CartLineType]:
        lines: list[Row[Any]] = await info.context.loaders.lines_of_cart.load(self.model.id)
        if not lines or not selects(info, "product"):
            return [CartLineType.of(line) for line in lines]
        # The products of all lines in one batch here, not one awaited resolver per line:
        # a cart is read after every change of it.
        products: list[ProductRow] = await info.context.loaders.product_row.load_many(
            [line.product_id for line in lines]
        )
        return [CartLineType.of(line, product) for line, product in zip(lines, products, strict=True)]

    customer: CustomerRef = strawberry.field(resolver=model_customer, graphql_type=CUSTOMER)
    created_by: UserType | None = strawberry.field(resolver=model_created_by)
    updated_by: UserType | None = strawberry.field(resolver=model_updated_by, description="Who made the last change.")

    @classmethod
    def of(cls, cart: Cart) -> CartType:
        totals = Totals.of_subtotal(cart.subtotal)
        return copied(cls, cart, id=node_id("Cart", cart.id), model=cart, **money_fields(totals))


@strawberry.type
class CartPayload:
    cart: CartType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CartQuery:
    @strawberry.field(description="A cart of a customer number you are an active member of; null otherwise.")
    async def cart(self, info: Info, id: strawberry.ID) -> CartType | None:
        return or_none(CartType.of, await resolve.cart(info, id))


_VERSION = "With expectedVersion: CONFLICT unless the cart is still at that version."


@strawberry.type
class CartMutation:
    @strawberry.mutation(description='A new open cart; name defaults to "Handlekurv" (at most 100 characters).')
    @reports_errors(CartPayload)
    async def create_cart(self, info: Info, customer_number: str, name: str | None = None) -> CartPayload:
        return CartPayload(cart=CartType.of(await resolve.create_cart(info, customer_number, name)))

    @strawberry.mutation(
        description=(
            "Add lines by sku or productId (exactly one). A product already in the cart adds to its quantity; "
            "a line never exceeds 100,000. All or nothing: UNKNOWN_SKU, PRODUCT_UNAVAILABLE, INVALID_INPUT "
            "name the line (lines.N...). At most 1,000 lines per call and 1,000 products per cart. "
            "Prices are taken now. " + _VERSION
        )
    )
    @reports_errors(CartPayload)
    async def add_to_cart(
        self, info: Info, cart_id: strawberry.ID, lines: list[CartLineInput], expected_version: int | None = None
    ) -> CartPayload:
        cart = await resolve.add_to_cart(info, cart_id, [line.to_request() for line in lines], expected_version)
        return CartPayload(cart=CartType.of(cart))

    @strawberry.mutation(
        description=("Set a line's quantity (0 removes the line; at most 100,000) at today's price. " + _VERSION)
    )
    @reports_errors(CartPayload)
    async def update_cart_line(
        self,
        info: Info,
        cart_id: strawberry.ID,
        line_id: strawberry.ID,
        quantity: int,
        expected_version: int | None = None,
    ) -> CartPayload:
        cart = await resolve.update_cart_line(info, cart_id, line_id, quantity, expected_version)
        return CartPayload(cart=CartType.of(cart))

    @strawberry.mutation(description="Rename an open cart (1 to 100 characters). Raises the version.")
    @reports_errors(CartPayload)
    async def rename_cart(self, info: Info, cart_id: strawberry.ID, name: str) -> CartPayload:
        return CartPayload(cart=CartType.of(await resolve.rename_cart(info, cart_id, name)))

    @strawberry.mutation(
        description="Delete an open cart and its lines. A sent cart belongs to its order: INVALID_STATE."
    )
    @reports_errors(OkPayload)
    async def delete_cart(self, info: Info, cart_id: strawberry.ID) -> OkPayload:
        await resolve.delete_cart(info, cart_id)
        return OkPayload.success()
