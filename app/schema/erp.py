"""Partner ERP integrations: catalogue, stock, customer and agreement-price batches."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Self, TypeVar

import strawberry
from strawberry.utils.str_converters import to_camel_case

import app.schema.enums  # noqa: F401 - registers ProductType and DocumentKind
from app.context import Info
from app.erp import customers, prices, products
from app.erp.batch import BatchResult
from app.models import DocumentKind, ProductType
from app.resolvers import erp as resolve
from app.schema.errors import UserError
from app.schema.objects import copied
from app.schema.payloads import reports_errors

T = TypeVar("T")


def _built_directly(cls: type[T], **nested: type) -> None:
    """Let Strawberry build ``cls`` straight from the value graphql-core coerced.

    Strawberry's generic conversion resolves every field's type again for every
    item, about 0.4 s of a 1,000-product batch. graphql-core has already parsed
    the scalars and enums, so only the names and the ``nested`` inputs (python
    field name -> input class) need work. Uses the ``from_input`` hook that
    Strawberry offers integrations for this.
    """
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    names = [(field.graphql_name or to_camel_case(field.python_name), field.python_name) for field in definition.fields]

    def build(type_: type[T], value: Mapping[str, Any], _context: Any = None) -> T:
        kwargs = {python: value[graphql] for graphql, python in names if graphql in value}
        for python, inner in nested.items():
            given = kwargs.get(python)
            if given is not None:
                make = inner.__strawberry_definition__.from_input  # type: ignore[attr-defined]
                kwargs[python] = [make(inner, v) for v in given] if isinstance(given, list) else make(inner, given)
        return type_(**kwargs)

    definition.from_input = build


_BATCH_RULES = (
    "At most 1,000 items (more: INVALID_INPUT with field items, nothing applied). Bad items are skipped and "
    'listed in errors with field "items.N..." (INVALID_INPUT; a key that appears again later in the batch is '
    "refused on the later item); the good ones are applied together, in one transaction."
)


@strawberry.input(description="An image of a product, shown in the given order.")
class ProductImageInput:
    url: str = strawberry.field(description="Absolute http(s) URL, at most 2,000 characters.")
    alt: str | None = strawberry.field(default=None, description="At most 300 characters.")

    def to_item(self) -> products.ImageItem:
        return copied(products.ImageItem, self)


@strawberry.input(description="A document of a product: data sheets, manuals, certificates.")
class ProductDocumentInput:
    kind: DocumentKind
    title: str = strawberry.field(description="1 to 300 characters.")
    url: str = strawberry.field(description="Absolute http(s) URL, at most 2,000 characters.")

    def to_item(self) -> products.DocumentItem:
        return copied(products.DocumentItem, self)


@strawberry.input(
    description=(
        "A product by SKU, prices in NOK excluding VAT. An optional field left out (or null) keeps its stored "
        'value (a new product: no description or manufacturer, no pack size, STANDARD, active); "" removes a '
        "description or manufacturer. A list given (images, documents) replaces the stored one; [] removes all."
    )
)
class ProductInput:
    sku: str = strawberry.field(description="The business key: 1 to 64 characters, trimmed; case matters.")
    name: str = strawberry.field(description="1 to 300 characters.")
    description: str | None = strawberry.field(default=None, description="At most 20,000 characters.")
    manufacturer: str | None = strawberry.field(default=None, description="At most 200 characters.")
    unit: str = strawberry.field(description='The sales unit, such as "eske" or "stk": 1 to 50 characters.')
    pack_size: int | None = strawberry.field(default=None, description="Units per pack: 1 to 1,000,000.")
    list_price: Decimal = strawberry.field(
        description='NOK excluding VAT: 0 to 10000000.00, at most 2 decimals ("12.50"; "12.505" is refused).'
    )
    product_type: ProductType | None = None
    category_path: list[str] = strawberry.field(
        description=(
            'Category names from the root, e.g. ["Forbruksmateriell", "Hansker"]: 1 to 10 names of 1 to 200 '
            "characters (whitespace trimmed and collapsed; case matters). Missing categories are made."
        )
    )
    active: bool | None = strawberry.field(
        default=None, description="false hides the product from search and stops it being added to carts and lists."
    )
    images: list[ProductImageInput] | None = strawberry.field(default=None, description="At most 50.")
    documents: list[ProductDocumentInput] | None = strawberry.field(default=None, description="At most 50.")

    def to_item(self) -> products.ProductItem:
        return copied(
            products.ProductItem,
            self,
            category_path=list(self.category_path),
            images=[image.to_item() for image in self.images] if self.images is not None else None,
            documents=[doc.to_item() for doc in self.documents] if self.documents is not None else None,
        )


@strawberry.input(description="A product's stock level by SKU.")
class StockInput:
    sku: str = strawberry.field(description="An existing product's SKU (UNKNOWN_SKU otherwise).")
    quantity: int = strawberry.field(description="Units in stock: 0 to 10,000,000.")

    def to_item(self) -> prices.StockItem:
        return copied(prices.StockItem, self)


@strawberry.input(
    description=(
        "A delivery address by the ERP's id for it. An address in a given list is taken whole: line2 null means "
        "no second line, isDefault null means false."
    )
)
class DeliveryAddressInput:
    external_id: str = strawberry.field(description="Unique per customer: 1 to 64 characters.")
    label: str = strawberry.field(description="1 to 200 characters.")
    line1: str = strawberry.field(description="1 to 200 characters.")
    line2: str | None = strawberry.field(default=None, description="At most 200 characters.")
    postal_code: str = strawberry.field(description="1 to 20 characters.")
    city: str = strawberry.field(description="1 to 100 characters.")
    is_default: bool | None = strawberry.field(default=None, description="At most one address of a customer.")

    def to_item(self) -> customers.AddressItem:
        return copied(customers.AddressItem, self)


@strawberry.input(description="When a customer's goods can be delivered. Replaces the stored schedule.")
class DeliveryScheduleInput:
    weekdays: list[int] = strawberry.field(
        description="ISO weekdays with delivery, 1 = Monday .. 7 = Sunday; at least one. Order and repeats do not matter."
    )
    cutoff_days_before: int = strawberry.field(
        description="Order at the latest this many days before the delivery date: 0 to 30."
    )
    cutoff_time: str = strawberry.field(
        description='On that day before this time, Europe/Oslo: "HH:MM", 00:00 to 23:59.'
    )
    closed_dates: list[date] | None = strawberry.field(
        default=None,
        description="Extra dates without delivery (at most 1,000). Left out (or null) keeps the stored ones; [] removes them.",
    )

    def to_item(self) -> customers.ScheduleItem:
        return copied(
            customers.ScheduleItem,
            self,
            weekdays=list(self.weekdays),
            closed_dates=list(self.closed_dates) if self.closed_dates is not None else None,
        )


@strawberry.input(
    description=(
        "A customer by number. addresses left out (or null) keeps the stored ones; a list given replaces them: "
        "addresses not in it are no longer offered (orders keep theirs), at most 500. schedule left out keeps "
        "the stored one."
    )
)
class CustomerInput:
    number: str = strawberry.field(description="The customer number (kundenummer): 1 to 32 characters.")
    name: str = strawberry.field(description="1 to 200 characters.")
    addresses: list[DeliveryAddressInput] | None = None
    schedule: DeliveryScheduleInput | None = None

    def to_item(self) -> customers.CustomerItem:
        return copied(
            customers.CustomerItem,
            self,
            addresses=[a.to_item() for a in self.addresses] if self.addresses is not None else None,
            schedule=self.schedule.to_item() if self.schedule is not None else None,
        )


@strawberry.input(description='An agreement price ("avtalepris") of one customer number for one SKU.')
class AgreementPriceInput:
    customer_number: str = strawberry.field(description="An existing customer number (NOT_FOUND otherwise).")
    sku: str = strawberry.field(description="An existing product's SKU (UNKNOWN_SKU otherwise).")
    price: Decimal | None = strawberry.field(
        default=None, description="NOK excluding VAT: 0 to 10000000.00, at most 2 decimals. null removes the agreement."
    )

    def to_item(self) -> prices.AgreementPriceItem:
        return copied(prices.AgreementPriceItem, self)


_built_directly(ProductImageInput)
_built_directly(ProductDocumentInput)
_built_directly(ProductInput, images=ProductImageInput, documents=ProductDocumentInput)
_built_directly(StockInput)
_built_directly(DeliveryAddressInput)
_built_directly(DeliveryScheduleInput)
_built_directly(CustomerInput, addresses=DeliveryAddressInput, schedule=DeliveryScheduleInput)
_built_directly(AgreementPriceInput)


class _BatchPayload:
    """What UpsertPayload and CountPayload are made from: a batch's counts, and its problems as errors."""

    @classmethod
    def of(cls, result: BatchResult) -> Self:
        return copied(cls, result, errors=UserError.many(result.problems))


@strawberry.type(description="What an upsert batch did. created + updated + unchanged + skipped items = items sent.")
class UpsertPayload(_BatchPayload):
    created: int = strawberry.field(default=0, description="Items whose business key was new.")
    updated: int = strawberry.field(default=0, description="Existing ones this batch changed.")
    unchanged: int = strawberry.field(
        default=0, description="Existing ones already as sent: nothing written (a repeated batch counts all here)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="The skipped items and why.")


@strawberry.type(description="What a batch of values did.")
class CountPayload(_BatchPayload):
    updated: int = strawberry.field(
        default=0,
        description=(
            "Items applied that changed a stored value. An item already as sent is applied but not counted, so "
            "a repeated batch answers 0; items applied = items sent - items in errors."
        ),
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description="The skipped items and why.")


@strawberry.type
class ErpMutation:
    @strawberry.mutation(
        description=(
            "Catalogue sync by SKU (API key with catalog:write). Idempotent: a repeated batch counts every item as "
            "unchanged. " + _BATCH_RULES
        )
    )
    @reports_errors(UpsertPayload)
    async def upsert_products(self, info: Info, items: list[ProductInput]) -> UpsertPayload:
        return UpsertPayload.of(await resolve.upsert_products(info, [item.to_item() for item in items]))

    @strawberry.mutation(
        description=("Stock levels by SKU (API key with catalog:write); unknown SKUs: UNKNOWN_SKU. " + _BATCH_RULES)
    )
    @reports_errors(CountPayload)
    async def set_stock(self, info: Info, items: list[StockInput]) -> CountPayload:
        return CountPayload.of(await resolve.set_stock(info, [item.to_item() for item in items]))

    @strawberry.mutation(
        description=(
            "Customers by number with their delivery addresses and schedule (API key with customers:write). "
            "Idempotent: a repeated batch counts every item as unchanged. " + _BATCH_RULES
        )
    )
    @reports_errors(UpsertPayload)
    async def upsert_customers(self, info: Info, items: list[CustomerInput]) -> UpsertPayload:
        return UpsertPayload.of(await resolve.upsert_customers(info, [item.to_item() for item in items]))

    @strawberry.mutation(
        description=(
            "Agreement prices per customer number and SKU (API key with customers:write); a null price removes the "
            "agreement. Unknown customer numbers: NOT_FOUND (field items.N.customerNumber); unknown SKUs: "
            "UNKNOWN_SKU. " + _BATCH_RULES
        )
    )
    @reports_errors(CountPayload)
    async def set_agreement_prices(self, info: Info, items: list[AgreementPriceInput]) -> CountPayload:
        return CountPayload.of(await resolve.set_agreement_prices(info, [item.to_item() for item in items]))
