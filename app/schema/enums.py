"""Enums shared by several parts of the schema, registered with Strawberry once.

``strawberry.enum`` marks the model's own enum class, so resolvers and domain
code pass the same members around that the schema shows.
"""

from __future__ import annotations

import strawberry

from app.models import CartStatus, DocumentKind, OrderStatus, ProductType, ReturnReason, ReturnStatus

ProductTypeEnum = strawberry.enum(
    ProductType,
    name="ProductType",
    description="STANDARD, SPECIAL_ORDER (skaffevare), MADE_TO_ORDER (bestillingsvare), NUTRITION (ernæringsprodukt).",
)
DocumentKindEnum = strawberry.enum(DocumentKind, name="DocumentKind")
CartStatusEnum = strawberry.enum(CartStatus, name="CartStatus", description="OPEN until the cart is sent as an order.")
OrderStatusEnum = strawberry.enum(
    OrderStatus,
    name="OrderStatus",
    description=(
        "PENDING_APPROVAL (an assistant's order) -> SUBMITTED or REJECTED; SUBMITTED -> IN_PROGRESS -> "
        "SHIPPED -> DELIVERED as the ERP reports; CANCELLED from SUBMITTED or IN_PROGRESS."
    ),
)
ReturnStatusEnum = strawberry.enum(
    ReturnStatus,
    name="ReturnStatus",
    description=(
        "REQUESTED (waits for support) -> APPROVED (send the goods back) or REJECTED (keep them); "
        "APPROVED -> RECEIVED (support has the goods) -> CREDITED (a credit note is issued)."
    ),
)
ReturnReasonEnum = strawberry.enum(ReturnReason, name="ReturnReason")
