"""Users and their memberships, and the Customer every other type hands out.

A leaf of the schema's modules: carts, orders, returns, shopping lists and
support import it, and it imports none of them. Their ``customer`` fields
return a ``CustomerRef`` (the id, number and name, and the row's key), which
GraphQL resolves as the full ``Customer`` of app/schema/identity.py: Strawberry
reads an object type's fields off whatever object a resolver returns, and
CustomerType's own resolvers use only what a CustomerRef holds. So the type
graph may loop (Customer.carts -> Cart.customer) while the imports do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry.types.lazy_type import LazyType

from app import policy
from app.context import Info
from app.models import Customer, Membership, MembershipStatus, Role, User
from app.schema.objects import copied, node_id, or_none

RoleEnum = strawberry.enum(Role, name="Role", description="A user's role on one customer number.")
MembershipStatusEnum = strawberry.enum(MembershipStatus, name="MembershipStatus")

# The GraphQL type of a field that returns a CustomerRef, named without importing
# app/schema/identity.py (Strawberry imports it when it builds the schema).
CUSTOMER: LazyType[str, str] = LazyType("CustomerType", "app.schema.identity")


@dataclass
class CustomerRef:
    """What a Customer is built from: CustomerType extends it with the fields that reach the customer's data."""

    id: strawberry.ID
    number: str
    name: str
    pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, customer: Customer) -> Self:
        return copied(cls, customer, id=node_id("Customer", customer.id), pk=customer.id)


@strawberry.type(name="Membership", description="A user's role on one customer number.")
class MembershipType:
    role: Role
    status: MembershipStatus
    customer_pk: strawberry.Private[int]

    @strawberry.field(graphql_type=CUSTOMER)
    async def customer(self, info: Info) -> CustomerRef:
        return await customer_by_id(info, self.customer_pk)

    @classmethod
    def from_model(cls, membership: Membership) -> MembershipType:
        return copied(cls, membership, customer_pk=membership.customer_id)


@strawberry.type(name="User")
class UserType:
    id: strawberry.ID
    name: str
    email: str
    phone: str | None
    is_support: bool = strawberry.field(description="Customer service staff: sees every customer number.")
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field(
        description=(
            'The user\'s role per customer number ("brukergruppe"). Others see only the customer '
            "numbers they are themselves active members of; the user and support staff see all."
        )
    )
    async def memberships(self, info: Info) -> list[MembershipType]:
        memberships: list[Membership] = await info.context.loaders.memberships_of_user.load(self.pk)
        viewer = info.context.viewer
        memberships = [m for m in memberships if policy.sees_memberships(viewer, self.pk, m.customer_id)]
        return [MembershipType.from_model(m) for m in memberships]

    @classmethod
    def from_model(cls, user: User) -> UserType:
        return copied(cls, user, id=node_id("User", user.id), pk=user.id)


async def user_by_id(info: Info, user_id: int | None) -> UserType | None:
    """The user with that key, through the request's loader; null without a key or when the user is gone."""
    if user_id is None:
        return None
    return or_none(UserType.from_model, await info.context.loaders.user.load(user_id))


async def customer_by_id(info: Info, customer_id: int) -> CustomerRef:
    """The customer number with that key, through the request's loader."""
    return CustomerRef.from_model(await info.context.loaders.customer.load(customer_id))


# Resolvers shared by the types built over a model with ``customer_id``, ``created_by_id`` and
# ``updated_by_id`` (carts, shopping lists): written once, given to each field with ``resolver=``.


async def model_customer(root: Any, info: Info) -> CustomerRef:
    """The customer number the object belongs to."""
    return await customer_by_id(info, root.model.customer_id)


async def model_created_by(root: Any, info: Info) -> UserType | None:
    return await user_by_id(info, root.model.created_by_id)


async def model_updated_by(root: Any, info: Info) -> UserType | None:
    return await user_by_id(info, root.model.updated_by_id)
