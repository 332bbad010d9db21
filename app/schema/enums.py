"""Enums shared by several parts of the schema, registered with Strawberry once.

``strawberry.enum`` marks the model's own enum class, so resolvers and domain
code pass the same members around that the schema shows.
"""

from __future__ import annotations

import strawberry

from app.models import DocumentKind, ProductType

ProductTypeEnum = strawberry.enum(
    ProductType,
    name="ProductType",
    description="STANDARD, SPECIAL_ORDER (skaffevare), MADE_TO_ORDER (bestillingsvare), NUTRITION (ernæringsprodukt).",
)
DocumentKindEnum = strawberry.enum(DocumentKind, name="DocumentKind")
