"""Users, customers and memberships as the API shows them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.context import Info
from app.ids import encode_id
from app.models import Customer, Membership, MembershipStatus, Role, User
from app.resolvers.access import viewer_roles

RoleEnum = strawberry.enum(Role, name="Role", description="A user's role on one customer number.")
MembershipStatusEnum = strawberry.enum(MembershipStatus, name="MembershipStatus")


@strawberry.type(name="Customer", description="A customer number (kundenummer) and what belongs to it.")
class CustomerType:
    id: strawberry.ID
    number: str
    name: str
    pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, customer: Customer) -> CustomerType:
        return cls(id=strawberry.ID(encode_id("Customer", customer.id)), number=customer.number, name=customer.name, pk=customer.id)


@strawberry.type(name="Membership", description="A user's role on one customer number.")
class MembershipType:
    role: Role
    status: MembershipStatus
    customer_pk: strawberry.Private[int]

    @strawberry.field
    async def customer(self, info: Info) -> CustomerType:
        return CustomerType.from_model(await info.context.loaders.customer.load(self.customer_pk))

    @classmethod
    def from_model(cls, membership: Membership) -> MembershipType:
        return cls(role=membership.role, status=membership.status, customer_pk=membership.customer_id)


@strawberry.type(name="User")
class UserType:
    id: strawberry.ID
    name: str
    email: str
    phone: str | None
    is_support: bool
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field(
        description=(
            "The user's role per customer number. Others see only the customer numbers "
            "they are themselves active members of; the user and support staff see all."
        )
    )
    async def memberships(self, info: Info) -> list[MembershipType]:
        memberships: list[Membership] = await info.context.loaders.memberships_of_user.load(self.pk)
        viewer = info.context.viewer
        if viewer.user_id != self.pk and not viewer.is_support:
            mine = await viewer_roles(info.context)
            memberships = [m for m in memberships if m.customer_id in mine]
        return [MembershipType.from_model(m) for m in memberships]

    @classmethod
    def from_model(cls, user: User) -> UserType:
        return cls(
            id=strawberry.ID(encode_id("User", user.id)),
            name=user.name,
            email=user.email,
            phone=user.phone,
            is_support=user.is_support,
            created_at=user.created_at,
            pk=user.id,
        )
