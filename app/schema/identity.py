"""Customers with everything that hangs off them, and signing in, as the API shows them.

The top of the customer graph: it imports the carts, orders, returns and
shopping lists modules, and they import only app/schema/users.py back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry

import app.schema.enums  # noqa: F401 - registers CartStatus, OrderStatus and ReturnStatus
from app.context import Context, Info
from app.identity.account_requests import RequestForm
from app.models import CartStatus, MembershipStatus, OrderStatus, ReturnStatus, Role
from app.resolvers import carts as resolve_carts
from app.resolvers import identity as resolve
from app.resolvers import orders as resolve_orders
from app.resolvers import returns as resolve_returns
from app.resolvers import shopping_lists as resolve_lists
from app.resolvers import users as resolve_users
from app.schema.carts import CartType, DeliveryAddressType
from app.schema.errors import UserError
from app.schema.objects import copied, or_none
from app.schema.orders import OrderType
from app.schema.pagination import Connection, connection
from app.schema.payloads import OkPayload, reports_errors
from app.schema.ready import NOT_READY, ready_when
from app.schema.returns import ReturnRequestType
from app.schema.shopping_lists import ShoppingListType
from app.schema.users import CustomerRef, UserType

_OUT_OF_REACH = (
    " Empty for a viewer outside the customer's reach, however the Customer was reached (an inactive "
    "membership in me.memberships, an integration through Order.customer): it answers like a customer "
    "without any."
)


@strawberry.type(
    name="Customer",
    description=(
        "A customer number (kundenummer) and what belongs to it. id, number and name are shown to whoever "
        "reaches the Customer: the user's own memberships (inactive ones too), an order or cart within reach, "
        "and an ERP integration through Order.customer. The customer's data (users, carts, orders, delivery "
        "addresses and dates) only to its active members and support staff, on every path through the graph. "
        "An integration sees number and name only: it gets orders from orderFeed, each with its own delivery "
        "address, and is itself the source of customers, addresses and schedules."
    ),
)
class CustomerType(CustomerRef):
    # Reached through Cart.customer, Order.customer and the like, ``self`` is a
    # plain CustomerRef (app/schema/users.py says why): resolvers here use only
    # its attributes. Should Customer ever implement an interface, Strawberry
    # would check isinstance and those fields must return CustomerType instead.
    @strawberry.field(
        description=(
            '"Alle brukere": users with a membership on this customer number, by name; active and '
            "inactive unless status filters. MAIN_USER of the customer number and support staff only: "
            "for anyone else null, with a FORBIDDEN error on this field."
        )
    )
    async def users(
        self,
        info: Info,
        status: MembershipStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[UserType] | None:
        page = await resolve_users.customer_users(info, self.pk, status, first, after)
        return connection(page, UserType.from_model)

    @strawberry.field(
        description=(
            "The customer number's carts, most recently changed first; every active member sees them all. "
            "status defaults to OPEN; null lists every cart." + _OUT_OF_REACH
        )
    )
    async def carts(self, info: Info, status: CartStatus | None = CartStatus.OPEN) -> list[CartType]:
        return [CartType.of(cart) for cart in await resolve_carts.carts_of(info, self.pk, status)]

    @strawberry.field(
        description=(
            '"Mine ordre": the customer number\'s orders, newest first, optionally only some statuses and only '
            "those one user placed (placedBy, a User id)." + _OUT_OF_REACH
        )
    )
    async def orders(
        self,
        info: Info,
        status: list[OrderStatus] | None = None,
        placed_by: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[OrderType]:
        page = await resolve_orders.orders_of(info, self.pk, status, placed_by, first, after)
        return connection(page, OrderType.of)

    @strawberry.field(description="The customer number's returns, newest first; status narrows them." + _OUT_OF_REACH)
    async def returns(
        self, info: Info, status: list[ReturnStatus] | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[ReturnRequestType]:
        return connection(await resolve_returns.returns_of(info, self.pk, status, first, after), ReturnRequestType.of)

    @strawberry.field(description="The customer number's shopping lists, most recently changed first." + _OUT_OF_REACH)
    async def shopping_lists(self, info: Info) -> list[ShoppingListType]:
        return [ShoppingListType.of(found) for found in await resolve_lists.lists_of(info, self.pk)]

    @strawberry.field(description="Active delivery addresses, the default first." + _OUT_OF_REACH)
    async def delivery_addresses(self, info: Info) -> list[DeliveryAddressType]:
        return [DeliveryAddressType.of(a) for a in await resolve_carts.delivery_addresses(info.context, self.pk)]

    @strawberry.field(
        description=(
            "The agreed delivery dates from from to to (inclusive, at most 120 days apart: INVALID_INPUT "
            "otherwise) that can still be ordered now: the schedule's weekdays, before the cut-off "
            "(cutoffDaysBefore days before, at cutoffTime Europe/Oslo), minus closed dates and Norway's public "
            "holidays, and none more than a year (365 days) ahead. Empty when ERP has sent no schedule." + _OUT_OF_REACH
        )
    )
    async def delivery_dates(
        self, info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date
    ) -> list[date]:
        return await resolve_carts.delivery_dates(info.context, self.pk, from_, to)


@strawberry.input
class UpdateProfileInput:
    name: str | None = None
    phone: str | None = strawberry.field(default=None, description="Empty string removes the phone number.")


@strawberry.input
class AccountRequestInput:
    name: str
    email: str
    phone: str
    company_name: str
    customer_number: str | None = None
    message: str | None = None


@strawberry.input
class CreateUserInput:
    name: str
    email: str
    phone: str | None = None
    role: Role
    customer_numbers: list[str]


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(default=None, description="Send as `Authorization: Bearer <token>`.")
    expires_at: datetime | None = None
    user: UserType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserPayload:
    user: UserType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateUserPayload:
    user: UserType | None = None
    linked_existing_user: bool = strawberry.field(
        default=False,
        description=(
            "True when the email belonged to an existing user: no new user and no invitation; the user "
            "was linked to the named customer numbers with the role it already has, and is told so by email "
            "(who added them, where, and whom to tell if it is wrong). user then shows the name, email and "
            "phone as given in the input, never the ones that person stored: typing an email does not "
            "disclose someone else's details."
        ),
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _me_at_hand(_root: object, _arguments: dict[str, Any], context: Context) -> UserType | object:
    """``me`` answered at once when the session lookup read the user (see app/schema/ready.py)."""
    user = resolve.me_at_hand(context)
    return NOT_READY if user is None else UserType.from_model(user)


@strawberry.type
class IdentityQuery:
    @strawberry.field(
        description='The signed-in user ("Kontodetaljer"). Needs a user token.', metadata=ready_when(_me_at_hand)
    )
    async def me(self, info: Info) -> UserType:
        return UserType.from_model(await resolve.me(info))

    @strawberry.field(
        description=(
            "A customer number the viewer is an active member of (support staff: any). "
            "null when it does not exist or is out of reach; the two look the same."
        )
    )
    async def customer(self, info: Info, number: str) -> CustomerType | None:
        return or_none(CustomerType.from_model, await resolve.customer(info, number))


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description=(
            "Sign in. Five consecutive failures lock the account (ACCOUNT_LOCKED, also for the right "
            "password) until a password reset; unknown emails are treated alike. The token lasts 12 hours. "
            "Rate limits: 10 attempts per email per minute, 30 per client address per minute and 300 per "
            "hour; over them the field is null with a RATE_LIMITED error (extensions.retryAfter in seconds). "
            "Each alias counts."
        )
    )
    @reports_errors(LoginPayload)
    async def login(self, info: Info, email: str, password: str) -> LoginPayload | None:
        signed_in = await resolve.login(info, email, password)
        return LoginPayload(
            token=signed_in.token, expires_at=signed_in.expires_at, user=UserType.from_model(signed_in.user)
        )

    @strawberry.mutation(description="Revokes the token that made the request.")
    async def logout(self, info: Info) -> OkPayload:
        await resolve.logout(info)
        return OkPayload.success()

    @strawberry.mutation(
        description=(
            "Always ok, known email or not, in the same time. A known email gets a reset link valid one hour; "
            "only the newest link works. Rate limits: 5 per email per hour, 20 per client address per hour; "
            "over them the field is null with a RATE_LIMITED error (extensions.retryAfter in seconds). Each "
            "alias counts."
        )
    )
    async def request_password_reset(self, info: Info, email: str) -> OkPayload | None:
        await resolve.request_password_reset(info, email)
        return OkPayload.success()

    @strawberry.mutation(
        description=(
            "Set a new password (10 to 256 characters) from a reset or invitation link. Unlocks the account, "
            "clears failed attempts and ends every session. Rate limit: 10 per client address per minute; "
            "over it the field is null with a RATE_LIMITED error (extensions.retryAfter in seconds)."
        )
    )
    @reports_errors(OkPayload)
    async def reset_password(self, info: Info, token: str, new_password: str) -> OkPayload | None:
        await resolve.reset_password(info, token, new_password)
        return OkPayload.success()

    @strawberry.mutation(
        description=(
            "Needs the current password (INVALID_CREDENTIALS otherwise; not counted towards lockout, since "
            "the caller is signed in). Ends the user's other sessions."
        )
    )
    @reports_errors(OkPayload)
    async def change_password(self, info: Info, current_password: str, new_password: str) -> OkPayload:
        await resolve.change_password(info, current_password, new_password)
        return OkPayload.success()

    @strawberry.mutation(description="Change the signed-in user's name and phone; fields left out stay as they are.")
    @reports_errors(UserPayload)
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UserPayload:
        user = await resolve.update_profile(info, input.name, input.phone)
        return UserPayload(user=UserType.from_model(user))

    @strawberry.mutation(
        description=(
            '"Etterspør konto": anyone may ask for access; support is told by email. A repeat from the '
            "same email within a day answers ok but is stored once, in the same time. Rate limits: 3 per email "
            "per hour, 5 per client address per hour and 20 per day; over them the field is null with a "
            "RATE_LIMITED error (extensions.retryAfter in seconds). Each alias counts."
        )
    )
    @reports_errors(OkPayload)
    async def request_account(self, info: Info, input: AccountRequestInput) -> OkPayload | None:
        await resolve.request_account(info, copied(RequestForm, input))
        return OkPayload.success()

    @strawberry.mutation(
        description=(
            "MAIN_USER of every named customer number. A new email gets an invitation (valid 7 days); an "
            "existing one is linked with the least privileged role it holds (MAIN_USER becomes PURCHASER), "
            "is emailed that they were added (never linked silently), and the payload does not show their "
            "stored name or phone (see linkedExistingUser)."
        )
    )
    @reports_errors(CreateUserPayload)
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        created = await resolve_users.create_user(
            info,
            name=input.name,
            email=input.email,
            phone=input.phone,
            role=input.role,
            customer_numbers=input.customer_numbers,
        )
        user = UserType.from_model(created.user)
        if created.linked_existing:
            # Someone else's user until now: echo what the caller typed, not what that person stored.
            user.name, user.email, user.phone = (
                input.name.strip(),
                input.email.strip(),
                (input.phone or "").strip() or None,
            )
        return CreateUserPayload(user=user, linked_existing_user=created.linked_existing)

    @strawberry.mutation(
        description="MAIN_USER of customerNumber: another user's role there becomes PURCHASER or ASSISTANT."
    )
    @reports_errors(UserPayload)
    async def set_user_role(self, info: Info, user_id: strawberry.ID, customer_number: str, role: Role) -> UserPayload:
        return UserPayload(
            user=UserType.from_model(await resolve_users.set_user_role(info, user_id, customer_number, role))
        )

    @strawberry.mutation(
        description=(
            "MAIN_USER of customerNumber: (de)activate another user's membership there. A user left with no "
            "active membership loses every session at once."
        )
    )
    @reports_errors(UserPayload)
    async def set_membership_status(
        self, info: Info, user_id: strawberry.ID, customer_number: str, status: MembershipStatus
    ) -> UserPayload:
        user = await resolve_users.set_membership_status(info, user_id, customer_number, status)
        return UserPayload(user=UserType.from_model(user))
