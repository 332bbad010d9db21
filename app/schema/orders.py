"""Checkout, approval, "Mine ordre", and the ERP's order feed and status updates."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

import app.schema.enums  # noqa: F401 - registers OrderStatus
from app.catalog.product_rows import ProductRow
from app.context import Info
from app.models import Order, OrderEvent, OrderLine, OrderStatus, Shipment
from app.ordering.checkout import SubmitRequest
from app.ordering.fulfilment import ShipmentRequest, StatusUpdate
from app.ordering.money import Totals
from app.ordering.return_window import last_return_day
from app.resolvers import carts as resolve_carts
from app.resolvers import orders as resolve
from app.schema.carts import (
    SUBTOTAL_RULE,
    TOTAL_RULE,
    VAT_RULE,
    CartPayload,
    CartType,
    DeliveryAddressType,
    money_fields,
)
from app.schema.catalog import Money, ProductObject
from app.schema.errors import UserError
from app.schema.objects import copied, node_id, or_none
from app.schema.pagination import PageInfo, edges
from app.schema.payloads import reports_errors
from app.schema.users import CUSTOMER, CustomerRef, UserType, customer_by_id, user_by_id


@strawberry.type(
    name="OrderLine", description="A snapshot of what was ordered: later catalogue changes do not alter it."
)
class OrderLineType:
    id: strawberry.ID
    position: int
    sku: str
    product_name: str
    unit: str
    quantity: int
    unit_price: Money = strawberry.field(description="Excluding VAT, as it was when the order was placed.")
    line_total: Money
    product_pk: strawberry.Private[int | None]
    pk: strawberry.Private[int]

    @strawberry.field(description="Units in returns of this line that were not REJECTED; 0 when none.")
    async def returned_quantity(self, info: Info) -> int:
        returned: int = await info.context.loaders.returned_of_order_line.load(self.pk)
        return returned

    @strawberry.field(description="The product as it is today; null if it has been removed from the catalogue.")
    async def product(self, info: Info) -> ProductObject | None:
        if self.product_pk is None:
            return None
        found: ProductRow | None = await info.context.loaders.product_row.load(self.product_pk)
        return or_none(ProductObject.of_row, found)

    @classmethod
    def of(cls, line: OrderLine) -> OrderLineType:
        return copied(
            cls,
            line,
            id=node_id("OrderLine", line.id),
            unit_price=Money.nok(line.unit_price),
            line_total=Money.nok(line.line_total),
            product_pk=line.product_id,
            pk=line.id,
        )


@strawberry.type(name="Shipment")
class ShipmentType:
    carrier: str
    tracking_number: str
    tracking_url: str | None
    shipped_at: datetime

    @classmethod
    def of(cls, shipment: Shipment) -> ShipmentType:
        return copied(cls, shipment)


@strawberry.type(name="OrderEvent", description="One step of an order's history.")
class OrderEventType:
    status: OrderStatus
    at: datetime
    note: str | None
    by_pk: strawberry.Private[int | None]

    @strawberry.field(description="The user who made the change; null for changes the ERP reported.")
    async def by(self, info: Info) -> UserType | None:
        return await user_by_id(info, self.by_pk)

    @classmethod
    def of(cls, event: OrderEvent) -> OrderEventType:
        return copied(cls, event, by_pk=event.user_id)


@strawberry.type(name="Order", description='An order ("bestilling"), with the money and lines as they were placed.')
class OrderType:
    id: strawberry.ID
    number: str = strawberry.field(description="Human-readable, unique and increasing.")
    status: OrderStatus
    reference: str | None = strawberry.field(description="The customer's own reference (at most 100 characters).")
    comment: str | None
    placed_at: datetime
    approved_at: datetime | None
    rejection_reason: str | None
    delivery_date: date
    delivered_at: datetime | None
    updated_at: datetime = strawberry.field(description="The last change of status (or of shipments).")
    line_count: int
    subtotal: Money = strawberry.field(description=SUBTOTAL_RULE)
    vat: Money = strawberry.field(description=VAT_RULE)
    total: Money = strawberry.field(description=TOTAL_RULE)
    model: strawberry.Private[Order]

    @strawberry.field(
        graphql_type=CUSTOMER,
        description=(
            "The customer number that ordered. An ERP integration sees its number and name only (see Customer)."
        ),
    )
    async def customer(self, info: Info) -> CustomerRef:
        return await customer_by_id(info, self.model.customer_id)

    @strawberry.field(
        description=(
            "Who placed it: shown to whoever sees the order, an ERP integration included (the contact for "
            "this delivery); their memberships only as far as the viewer's own reach goes."
        )
    )
    async def placed_by(self, info: Info) -> UserType | None:
        return await user_by_id(info, self.model.placed_by_id)

    @strawberry.field
    async def approved_by(self, info: Info) -> UserType | None:
        return await user_by_id(info, self.model.approved_by_id)

    @strawberry.field(description="Where the goods go, as chosen at checkout (even if ERP no longer offers it).")
    async def delivery_address(self, info: Info) -> DeliveryAddressType:
        return DeliveryAddressType.of(await info.context.loaders.delivery_address.load(self.model.delivery_address_id))

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLineType]:
        lines: list[OrderLine] = await info.context.loaders.lines_of_order.load(self.model.id)
        return [OrderLineType.of(line) for line in lines]

    @strawberry.field(
        description=(
            "The last day (Europe/Oslo) a return can be asked for: the 8th calendar day after delivery. "
            "null until the order is delivered."
        )
    )
    def returnable_until(self) -> date | None:
        return last_return_day(self.model.delivered_at) if self.model.delivered_at is not None else None

    @strawberry.field(description="Shipments with tracking, as the ERP reports them.")
    async def shipments(self, info: Info) -> list[ShipmentType]:
        shipments: list[Shipment] = await info.context.loaders.shipments_of_order.load(self.model.id)
        return [ShipmentType.of(s) for s in shipments]

    @strawberry.field(description="Every status the order has had, oldest first, with who and when.")
    async def history(self, info: Info) -> list[OrderEventType]:
        events: list[OrderEvent] = await info.context.loaders.history_of_order.load(self.model.id)
        return [OrderEventType.of(e) for e in events]

    @classmethod
    def of(cls, order: Order) -> OrderType:
        totals = Totals(order.subtotal, order.vat, order.total)
        return copied(cls, order, id=node_id("Order", order.id), model=order, **money_fields(totals))


@strawberry.type
class OrderFeedEdge:
    cursor: str
    node: OrderType


@strawberry.type
class OrderFeedConnection:
    edges: list[OrderFeedEdge]
    page_info: PageInfo


@strawberry.input
class SubmitCartInput:
    delivery_address_id: strawberry.ID = strawberry.field(description="One of the customer's deliveryAddresses.")
    delivery_date: date = strawberry.field(
        description="One of the customer's deliveryDates, before its cut-off, at most a year (365 days) ahead."
    )
    reference: str | None = strawberry.field(default=None, description="At most 100 characters.")
    comment: str | None = strawberry.field(default=None, description="At most 1,000 characters.")


@strawberry.input
class ShipmentInput:
    carrier: str = strawberry.field(description="1 to 100 characters.")
    tracking_number: str = strawberry.field(description="1 to 100 characters; with carrier, unique per order.")
    tracking_url: str | None = strawberry.field(default=None, description="An http(s) URL.")


@strawberry.input
class OrderStatusInput:
    order_number: str
    status: OrderStatus
    note: str | None = strawberry.field(default=None, description="Shown in the order's history; at most 1,000.")
    shipments: list[ShipmentInput] | None = strawberry.field(default=None, description="Only with SHIPPED.")
    delivered_at: datetime | None = strawberry.field(
        default=None, description="Only with DELIVERED; defaults to now. Not in the future."
    )

    def to_update(self) -> StatusUpdate:
        return copied(StatusUpdate, self, shipments=[copied(ShipmentRequest, s) for s in self.shipments or []])


@strawberry.type
class OrderPayload:
    order: OrderType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderQuery:
    @strawberry.field(description="An order of a customer number you are an active member of; null otherwise.")
    async def order(self, info: Info, id: strawberry.ID) -> OrderType | None:
        return or_none(OrderType.of, await resolve.order(info, id))

    @strawberry.field(
        description=(
            "ERP (scope orders:read): orders that are SUBMITTED or later, oldest change first. An order "
            "appears again after each change of status, showing its current state. Resume with the last "
            "endCursor; an empty page returns the cursor it was given."
        )
    )
    async def order_feed(self, info: Info, after: str | None = None, first: int | None = None) -> OrderFeedConnection:
        page = await resolve.order_feed(info, after, first)
        return OrderFeedConnection(edges=edges(page, OrderType.of, OrderFeedEdge), page_info=PageInfo.of(page))


@strawberry.type
class OrderMutation:
    @strawberry.mutation(
        description=(
            "Send an open cart as an order, atomically (the cart closes, or nothing changes), with the cart's "
            "prices. MAIN_USER/PURCHASER: SUBMITTED and a confirmation email to the submitter. ASSISTANT: "
            "PENDING_APPROVAL and an email to every active MAIN_USER (to the PURCHASERs when there is none). "
            "EMPTY_CART, INVALID_DELIVERY_ADDRESS, "
            "INVALID_DELIVERY_DATE, PRODUCT_UNAVAILABLE, INVALID_STATE (not open), CONFLICT (expectedVersion)."
        )
    )
    @reports_errors(OrderPayload)
    async def submit_cart(
        self, info: Info, cart_id: strawberry.ID, input: SubmitCartInput, expected_version: int | None = None
    ) -> OrderPayload:
        request = copied(SubmitRequest, input)
        return OrderPayload(order=OrderType.of(await resolve_carts.submit(info, cart_id, request, expected_version)))

    @strawberry.mutation(
        description=(
            "MAIN_USER or PURCHASER (NOT_PERMITTED otherwise, support staff included): a PENDING_APPROVAL "
            "order becomes SUBMITTED (INVALID_STATE otherwise; of two simultaneous approvals exactly one wins) "
            "and its placer gets the confirmation. A date past its cut-off: INVALID_DELIVERY_DATE and the "
            "order stays pending; deliveryDate (an agreed date, at most a year ahead) replaces the order's date."
        )
    )
    @reports_errors(OrderPayload)
    async def approve_order(
        self, info: Info, order_id: strawberry.ID, delivery_date: date | None = None
    ) -> OrderPayload:
        return OrderPayload(order=OrderType.of(await resolve.approve(info, order_id, delivery_date)))

    @strawberry.mutation(
        description=(
            "Same permissions as approveOrder. The order becomes REJECTED with the reason (1 to 1,000 "
            "characters); its placer is emailed the reason."
        )
    )
    @reports_errors(OrderPayload)
    async def reject_order(self, info: Info, order_id: strawberry.ID, reason: str) -> OrderPayload:
        return OrderPayload(order=OrderType.of(await resolve.reject(info, order_id, reason)))

    @strawberry.mutation(
        description=(
            "Copy an order's lines into a new open cart named \"Bestilling <number>\", at today's prices. "
            "Partial: lines no longer sold are left out, each listed as PRODUCT_UNAVAILABLE with field lines.N "
            "(N the order line's position). When no line can be copied, no cart is made (cart null)."
        )
    )
    @reports_errors(CartPayload)
    async def reorder(self, info: Info, order_id: strawberry.ID) -> CartPayload:
        cart, problems = await resolve.reorder(info, order_id)
        return CartPayload(cart=or_none(CartType.of, cart), errors=UserError.many(problems))

    @strawberry.mutation(
        description=(
            "ERP (scope orders:write). SUBMITTED -> IN_PROGRESS -> SHIPPED (with at least one shipment) -> "
            "DELIVERED (deliveredAt defaults to now); CANCELLED from SUBMITTED or IN_PROGRESS; any other move "
            "INVALID_STATE. Repeating the current status with the same data changes nothing; SHIPPED again "
            "with new tracking numbers adds them. New shipments email the placer the tracking links."
        )
    )
    @reports_errors(OrderPayload)
    async def update_order_status(self, info: Info, input: OrderStatusInput) -> OrderPayload:
        return OrderPayload(order=OrderType.of(await resolve.update_order_status(info, input.to_update())))
