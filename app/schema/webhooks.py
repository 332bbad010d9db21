"""Webhooks for integrations: endpoints of an API key (scope webhooks:write) and their delivery log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app import settings as limits
from app.context import Info
from app.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.resolvers import webhooks as resolve
from app.schema.errors import UserError
from app.schema.objects import copied, node_id
from app.schema.pagination import Connection, connection
from app.schema.payloads import OkPayload, reports_errors
from app.webhooks.endpoints import Created
from app.webhooks.events import EventType

# The domain's enum is the GraphQL enum (strawberry.enum registers it on the class).
strawberry.enum(
    EventType,
    name="WebhookEvent",
    description=(
        "What happened; the type in the payload is the lower-case name with a dot after the subject "
        "(ORDER_SUBMITTED: order.submitted). ORDER_SUBMITTED: an order was placed (status SUBMITTED, or "
        "PENDING_APPROVAL for an assistant's order); ORDER_APPROVED / ORDER_REJECTED: an approver decided; "
        "ORDER_STATUS_CHANGED: the ERP moved it (IN_PROGRESS, SHIPPED, DELIVERED, CANCELLED; previousStatus "
        "given); RETURN_REQUESTED / RETURN_STATUS_CHANGED: returns; PRODUCT_OUT_OF_STOCK: a stock update "
        "took a product from above zero to zero."
    ),
)

WebhookDeliveryStatus = strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description=(
        "PENDING: not yet accepted (retried with exponential backoff, 5 s doubling to an hour, with jitter); "
        "DELIVERED: the endpoint answered 2xx; FAILED: still refused after the last of 40 attempts (about 31 hours)."
    ),
)


@strawberry.type(
    name="WebhookDelivery",
    description=(
        "One event for one endpoint. Every attempt is a POST with the same webhook-id header; the receiver "
        "should ignore an id it has already processed (delivery is at least once)."
    ),
)
class WebhookDeliveryType:
    id: strawberry.ID
    webhook_id: str = strawberry.field(description='The webhook-id header of every attempt ("msg_...").')
    event: EventType
    status: DeliveryStatus
    attempts: int
    response_code: int | None = strawberry.field(
        description="The HTTP status of the latest attempt; null when it got none (timeout, refused address)."
    )
    last_error: str | None = strawberry.field(description="Why the latest attempt failed; null after success.")
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(description="When a PENDING delivery is tried next.")
    created_at: datetime

    @classmethod
    def of(cls, row: WebhookDelivery) -> WebhookDeliveryType:
        return copied(
            cls,
            row,
            id=node_id("WebhookDelivery", row.id),
            webhook_id=row.message_id,
            event=EventType(row.event),
            next_attempt_at=row.next_attempt_at if row.status is DeliveryStatus.PENDING else None,
        )


@strawberry.type(
    name="WebhookEndpoint",
    description=(
        "Where the shop POSTs events for an API key. Each body is "
        '{"type": "order.submitted", "timestamp": "...", "data": {...}} signed per the Standard Webhooks '
        "specification (headers webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 with the "
        "endpoint's secret). Only 2xx counts as received; redirects are never followed; each attempt waits "
        "at most 5 s and reads at most 64 kB of the answer."
    ),
)
class WebhookEndpointType:
    id: strawberry.ID
    url: str
    events: list[EventType]
    enabled: bool = strawberry.field(
        description=(
            "False once it has failed for a day without a success (support is emailed). Events are still "
            "queued meanwhile and sent once replayWebhookDelivery enables it again."
        )
    )
    failing_since: datetime | None = strawberry.field(
        description="The first failure since the last success; null while it works."
    )
    created_at: datetime
    model: strawberry.Private[WebhookEndpoint]

    @classmethod
    def of(cls, row: WebhookEndpoint) -> WebhookEndpointType:
        return copied(
            cls, row, id=node_id("WebhookEndpoint", row.id), events=[EventType(e) for e in row.event_types], model=row
        )

    @strawberry.field(description="Its delivery log, newest first.")
    async def deliveries(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookDeliveryType]:
        return connection(await resolve.deliveries(info, self.model, first, after), WebhookDeliveryType.of)


@strawberry.input(description="url: https (http and private addresses only where the operator allows it).")
class WebhookEndpointInput:
    url: str = strawberry.field(
        description=(
            "Absolute https URL of at most 2,000 characters, on a public host: no private, loopback, link-local "
            "or otherwise non-public address (checked on registration and again before every attempt), no "
            "user name or password in it."
        )
    )
    events: list[EventType] = strawberry.field(description="At least one; repeats are ignored.")


@strawberry.type
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpointType | None = None
    secret: str | None = strawberry.field(
        default=None,
        description='The signing secret ("whsec_..."), shown only in this answer: store it now.',
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReplayWebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description=(
            "ERP (scope webhooks:write): the endpoints of the API key asking, oldest first; other keys' "
            "endpoints are never shown."
        )
    )
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpointType]:
        return [WebhookEndpointType.of(row) for row in await resolve.endpoints_of_key(info)]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description=(
            f"ERP (scope webhooks:write): register an endpoint for the API key asking, at most "
            f"{limits.WEBHOOK_MAX_ENDPOINTS_PER_KEY} per key (INVALID_INPUT beyond). A URL that is not https, "
            "or names a private, loopback or link-local host: INVALID_INPUT on input.url. Events are queued "
            "from the moment it exists."
        )
    )
    @reports_errors(CreateWebhookEndpointPayload)
    async def create_webhook_endpoint(self, info: Info, input: WebhookEndpointInput) -> CreateWebhookEndpointPayload:
        made: Created = await resolve.create_endpoint(info, input.url, [e.value for e in input.events])
        return CreateWebhookEndpointPayload(endpoint=WebhookEndpointType.of(made.endpoint), secret=made.secret)

    @strawberry.mutation(
        description=(
            "ERP (scope webhooks:write): delete one of the key's endpoints with its delivery log; pending "
            "deliveries are dropped. Another key's endpoint: NOT_FOUND."
        )
    )
    @reports_errors(OkPayload)
    async def delete_webhook_endpoint(self, info: Info, id: strawberry.ID) -> OkPayload:
        await resolve.delete_endpoint(info, id)
        return OkPayload.success()

    @strawberry.mutation(
        description=(
            "ERP (scope webhooks:write): send a delivery again at once (a new attempt with the same webhook-id, "
            "whatever its status) and enable its endpoint again if it was disabled. Another key's delivery: "
            "NOT_FOUND."
        )
    )
    @reports_errors(ReplayWebhookDeliveryPayload)
    async def replay_webhook_delivery(self, info: Info, delivery_id: strawberry.ID) -> ReplayWebhookDeliveryPayload:
        replayed = await resolve.replay_delivery(info, delivery_id)
        return ReplayWebhookDeliveryPayload(delivery=WebhookDeliveryType.of(replayed))
