"""Returns ("retur"): asking to send delivered goods back, and support's decision."""

from __future__ import annotations

from datetime import datetime

import strawberry

import app.schema.enums  # noqa: F401 - registers ReturnStatus and ReturnReason
from app.context import Info
from app.models import Order, OrderLine, ReturnLine, ReturnReason, ReturnRequest, ReturnStatus
from app.ordering import returns as rules
from app.resolvers import returns as resolve
from app.schema.errors import UserError
from app.schema.objects import copied, node_id, or_none
from app.schema.orders import OrderLineType, OrderType
from app.schema.pagination import Connection, connection
from app.schema.payloads import reports_errors
from app.schema.users import CUSTOMER, CustomerRef, UserType, customer_by_id, user_by_id


@strawberry.type(name="ReturnLine", description="How many of one order line go back.")
class ReturnLineType:
    quantity: int
    order_line: OrderLineType

    @classmethod
    def of(cls, returned: ReturnLine, line: OrderLine) -> ReturnLineType:
        return copied(cls, returned, order_line=OrderLineType.of(line))


@strawberry.type(
    name="ReturnRequest",
    description=(
        'A return ("retur") of some lines of one delivered order, asked for by a member of the customer number '
        "and decided by support."
    ),
)
class ReturnRequestType:
    id: strawberry.ID
    number: str = strawberry.field(
        description='Human-readable, unique and increasing: "R" and seven digits (R1000001), never an order number.'
    )
    status: ReturnStatus
    reason: ReturnReason
    comment: str | None = strawberry.field(description="What the customer wrote (at most 1,000 characters).")
    note: str | None = strawberry.field(
        description="What support wrote with the latest status (why a return was refused, say); null if nothing."
    )
    created_at: datetime
    updated_at: datetime = strawberry.field(description="The latest change of status.")
    model: strawberry.Private[ReturnRequest]

    @strawberry.field
    async def order(self, info: Info) -> OrderType:
        found: Order = await info.context.loaders.order.load(self.model.order_id)
        return OrderType.of(found)

    @strawberry.field(graphql_type=CUSTOMER)
    async def customer(self, info: Info) -> CustomerRef:
        return await customer_by_id(info, self.model.customer_id)

    @strawberry.field(description="Who asked; null if that user has been deleted.")
    async def requested_by(self, info: Info) -> UserType | None:
        return await user_by_id(info, self.model.requested_by_id)

    @strawberry.field(description="By the order line's position.")
    async def lines(self, info: Info) -> list[ReturnLineType]:
        rows: list[tuple[ReturnLine, OrderLine]] = await info.context.loaders.lines_of_return.load(self.model.id)
        return [ReturnLineType.of(returned, line) for returned, line in rows]

    @classmethod
    def of(cls, row: ReturnRequest) -> ReturnRequestType:
        return copied(cls, row, id=node_id("ReturnRequest", row.id), model=row)


@strawberry.input
class ReturnLineInput:
    order_line_id: strawberry.ID = strawberry.field(description="A line of the order named by orderId.")
    quantity: int = strawberry.field(
        description="1 or more, at most what was delivered less what earlier returns (not REJECTED) cover."
    )


@strawberry.input
class ReturnRequestInput:
    order_id: strawberry.ID
    lines: list[ReturnLineInput] = strawberry.field(description="Each order line at most once.")
    reason: ReturnReason
    comment: str | None = strawberry.field(default=None, description="At most 1,000 characters.")
    condition_confirmed: bool = strawberry.field(
        description="Must be true: the goods are unused, undamaged, unpriced and unmarked (INVALID_INPUT otherwise)."
    )

    def to_form(self) -> rules.ReturnForm:
        return copied(rules.ReturnForm, self, lines=[copied(rules.ReturnLineForm, line) for line in self.lines])


@strawberry.type
class ReturnRequestPayload:
    return_request: ReturnRequestType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReturnQuery:
    @strawberry.field(
        description="A return of a customer number you are an active member of (support: any); null otherwise."
    )
    async def return_request(self, info: Info, id: strawberry.ID) -> ReturnRequestType | None:
        return or_none(ReturnRequestType.of, await resolve.return_request(info, id))

    @strawberry.field(
        description="Support staff only: every customer's returns, newest first; status narrows it (say to REQUESTED)."
    )
    async def return_requests(
        self, info: Info, status: list[ReturnStatus] | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[ReturnRequestType]:
        return connection(await resolve.all_returns(info, status, first, after), ReturnRequestType.of)


@strawberry.type
class ReturnMutation:
    @strawberry.mutation(
        description=(
            "Ask to return lines of a DELIVERED order (ORDER_NOT_DELIVERED otherwise), at most 8 Europe/Oslo "
            "calendar days after deliveredAt (day 8 allowed; RETURN_WINDOW_EXPIRED after). Never special-order, "
            "made-to-order or nutrition products, nor a product no longer in the catalogue (PRODUCT_NOT_RETURNABLE). "
            "At most what was delivered less earlier returns not REJECTED (QUANTITY_EXCEEDS_DELIVERED; of two "
            "simultaneous requests for the last units one wins). conditionConfirmed must be true. A line of "
            "another order: NOT_FOUND. Any active member of the order's customer number (support staff: "
            "NOT_PERMITTED). All or nothing; support is emailed the request."
        )
    )
    @reports_errors(ReturnRequestPayload)
    async def request_return(self, info: Info, input: ReturnRequestInput) -> ReturnRequestPayload:
        made = await resolve.request_return(info, input.order_id, input.to_form())
        return ReturnRequestPayload(return_request=ReturnRequestType.of(made))

    @strawberry.mutation(
        description=(
            "Support staff only (FORBIDDEN otherwise). REQUESTED -> APPROVED or REJECTED (a note is required), "
            "APPROVED -> RECEIVED -> CREDITED; any other move INVALID_STATE. The note (at most 1,000 characters) "
            "replaces the previous one. Approval and refusal email the person who asked."
        )
    )
    @reports_errors(ReturnRequestPayload)
    async def set_return_status(
        self, info: Info, id: strawberry.ID, status: ReturnStatus, note: str | None = None
    ) -> ReturnRequestPayload:
        changed = await resolve.set_return_status(info, id, status, note)
        return ReturnRequestPayload(return_request=ReturnRequestType.of(changed))
