"""Shopping lists ("handlelister") as the API shows them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.context import Info
from app.models import Product, ShoppingList, ShoppingListItem
from app.ordering.carts import LineRequest
from app.resolvers import shopping_list_files as files
from app.resolvers import shopping_lists as resolve
from app.schema.carts import CartPayload, CartType
from app.schema.catalog import Money, ProductObject
from app.schema.errors import UserError
from app.schema.lines import ShoppingListItemInput
from app.schema.objects import copied, node_id, or_none
from app.schema.payloads import OkPayload, reports_errors
from app.schema.users import CUSTOMER, CustomerRef, UserType, model_created_by, model_customer, model_updated_by


@strawberry.type(name="ShoppingListItem")
class ShoppingListItemType:
    id: strawberry.ID
    quantity: int
    added_at: datetime
    product_pk: strawberry.Private[int]
    customer_pk: strawberry.Private[int]

    @strawberry.field(description="The product as it is now: name, unit, inStock, active (false: no longer sold).")
    async def product(self, info: Info) -> ProductObject:
        found: Product = await info.context.loaders.product.load(self.product_pk)
        return ProductObject.of(found)

    @strawberry.field(
        description=(
            "What one unit costs the list's customer now, excluding VAT: the agreement price, else the list "
            "price. Lists keep no prices; a cart takes them when the list is ordered."
        )
    )
    async def unit_price(self, info: Info) -> Money:
        found: Product = await info.context.loaders.product.load(self.product_pk)
        agreed = await info.context.loaders.agreement_price.load((self.customer_pk, self.product_pk))
        return Money.nok(agreed if agreed is not None else found.list_price)

    @classmethod
    def of(cls, item: ShoppingListItem, customer_id: int) -> ShoppingListItemType:
        return copied(
            cls,
            item,
            id=node_id("ShoppingListItem", item.id),
            added_at=item.created_at,
            product_pk=item.product_id,
            customer_pk=customer_id,
        )


@strawberry.type(
    name="ShoppingList",
    description=(
        'A shopping list ("handleliste") of a customer number. Every active member (all three roles) sees and '
        "edits it; support staff read it but do not change it (as with carts, shopping is the customer's own "
        "business): NOT_PERMITTED. version rises by one with every change; saveShoppingList refuses a stale "
        "expectedVersion with CONFLICT."
    ),
)
class ShoppingListType:
    id: strawberry.ID
    title: str
    version: int
    item_count: int
    created_at: datetime
    updated_at: datetime = strawberry.field(description="When the list last changed (items or title).")
    model: strawberry.Private[ShoppingList]

    @strawberry.field(description="In the order they were added; a save keeps the order it is given.")
    async def items(self, info: Info) -> list[ShoppingListItemType]:
        items: list[ShoppingListItem] = await info.context.loaders.items_of_shopping_list.load(self.model.id)
        return [ShoppingListItemType.of(item, self.model.customer_id) for item in items]

    customer: CustomerRef = strawberry.field(resolver=model_customer, graphql_type=CUSTOMER)
    created_by: UserType | None = strawberry.field(
        resolver=model_created_by, description="Who made the list; null when that user has been deleted."
    )
    updated_by: UserType | None = strawberry.field(resolver=model_updated_by, description="Who made the last change.")

    @strawberry.field(
        description=(
            "The printable page (A4: customer, title, SKU, name, unit, quantity, a column to tick), as a link a "
            "browser opens without an Authorization header: signed for your session and this list, valid 10 "
            "minutes, dead after logout. GET /shopping-lists/<id>/print with `Authorization: Bearer <token>` "
            "works as well."
        )
    )
    async def print_url(self, info: Info) -> str:
        return await files.signed_url(info, self.model.id, "print")

    @strawberry.field(
        description=(
            "The list as CSV (sku;name;quantity;unit, UTF-8 with a byte order mark so Excel shows æøå), signed "
            "like printUrl. GET /shopping-lists/<id>.csv with the bearer token works as well."
        )
    )
    async def csv_url(self, info: Info) -> str:
        return await files.signed_url(info, self.model.id, "csv")

    @classmethod
    def of(cls, shopping_list: ShoppingList) -> ShoppingListType:
        return copied(cls, shopping_list, id=node_id("ShoppingList", shopping_list.id), model=shopping_list)


@strawberry.type
class ShoppingListPayload:
    shopping_list: ShoppingListType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _requests(items: list[ShoppingListItemInput]) -> list[LineRequest]:
    return [item.to_request() for item in items]


@strawberry.type
class ShoppingListQuery:
    @strawberry.field(
        description="A shopping list of a customer number you are an active member of (support: any); null otherwise."
    )
    async def shopping_list(self, info: Info, id: strawberry.ID) -> ShoppingListType | None:
        return or_none(ShoppingListType.of, await resolve.shopping_list(info, id))


_ITEMS = (
    "Items by sku or productId (exactly one), quantity 1 to 100,000, at most 1,000 per list. All or nothing: "
    "UNKNOWN_SKU, PRODUCT_UNAVAILABLE (no longer sold), INVALID_INPUT name the item (items.N...). "
)


@strawberry.type
class ShoppingListMutation:
    @strawberry.mutation(description="A new, empty list. title: 1 to 100 characters (INVALID_INPUT, field title).")
    @reports_errors(ShoppingListPayload)
    async def create_shopping_list(self, info: Info, customer_number: str, title: str) -> ShoppingListPayload:
        return ShoppingListPayload(
            shopping_list=ShoppingListType.of(await resolve.create_list(info, customer_number, title))
        )

    @strawberry.mutation(
        description=_ITEMS + "A product already on the list, or named twice, adds up (a sum over 100,000 is refused)."
    )
    @reports_errors(ShoppingListPayload)
    async def add_to_shopping_list(
        self, info: Info, list_id: strawberry.ID, items: list[ShoppingListItemInput]
    ) -> ShoppingListPayload:
        found = await resolve.add_items(info, list_id, _requests(items))
        return ShoppingListPayload(shopping_list=ShoppingListType.of(found))

    @strawberry.mutation(
        description="Remove one item (the trash can). An item of another list: NOT_FOUND, field itemId."
    )
    @reports_errors(ShoppingListPayload)
    async def remove_shopping_list_item(
        self, info: Info, list_id: strawberry.ID, item_id: strawberry.ID
    ) -> ShoppingListPayload:
        return ShoppingListPayload(shopping_list=ShoppingListType.of(await resolve.remove_item(info, list_id, item_id)))

    @strawberry.mutation(
        description=(
            '"Lagre endringer": the title and the items become exactly these (an empty items list empties the '
            "list), or nothing changes. CONFLICT (field expectedVersion) unless the list is still at "
            "expectedVersion. " + _ITEMS + "A product no longer sold may stay when it is already on the list; "
            "it cannot be added. The same product twice adds up."
        )
    )
    @reports_errors(ShoppingListPayload)
    async def save_shopping_list(
        self,
        info: Info,
        list_id: strawberry.ID,
        title: str,
        items: list[ShoppingListItemInput],
        expected_version: int,
    ) -> ShoppingListPayload:
        found = await resolve.save(info, list_id, title, _requests(items), expected_version)
        return ShoppingListPayload(shopping_list=ShoppingListType.of(found))

    @strawberry.mutation(
        description="A new list of the same customer number with the same items (in order), under a new title."
    )
    @reports_errors(ShoppingListPayload)
    async def copy_shopping_list(self, info: Info, list_id: strawberry.ID, title: str) -> ShoppingListPayload:
        return ShoppingListPayload(shopping_list=ShoppingListType.of(await resolve.copy(info, list_id, title)))

    @strawberry.mutation(description="Delete a list and its items (recorded in the audit log).")
    @reports_errors(OkPayload)
    async def delete_shopping_list(self, info: Info, list_id: strawberry.ID) -> OkPayload:
        await resolve.delete(info, list_id)
        return OkPayload.success()

    @strawberry.mutation(
        description=(
            '"Endre/Kjøp": the list\'s items into the open cart cartId (of the same customer number: else '
            "INVALID_INPUT; its version rises; a sent cart is INVALID_STATE) or, without cartId, a new open cart "
            "named like the list. Prices are taken now. Partial: an item no longer sold is skipped as "
            "PRODUCT_UNAVAILABLE, one that would push a cart line past 100,000 or finds the cart full as "
            "INVALID_INPUT, each with field items.N (N the item's position in the list's items); the rest is "
            "added and the cart returned. When nothing can be added the cart is null and nothing changes."
        )
    )
    @reports_errors(CartPayload)
    async def shopping_list_to_cart(
        self, info: Info, list_id: strawberry.ID, cart_id: strawberry.ID | None = None
    ) -> CartPayload:
        cart, problems = await resolve.to_cart(info, list_id, cart_id)
        return CartPayload(cart=CartType.of(cart), errors=UserError.many(problems))
