"""Resolvers for a customer number's user administration (main users; support)."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import policy
from app.context import Info
from app.errors import DomainError, ErrorCode, Forbidden, Problem
from app.identity import users
from app.identity.validation import check_email, check_name, check_phone, problems
from app.loaders import USERS_BY_NAME
from app.models import Customer, Membership, MembershipStatus, Role, User
from app.pagination import Page, page_size, paginate
from app.policy import Action
from app.resolvers.access import pk_or_not_found, reachable_customer, require_action, require_user
from app.viewer import Viewer

MAX_CUSTOMERS_PER_USER_CREATE = 50


async def customer_users(
    info: Info, customer_id: int, status: MembershipStatus | None, first: int | None, after: str | None
) -> Page[User]:
    """The users of a customer ("Alle brukere"): MAIN_USER and support only; FORBIDDEN otherwise."""
    require_user(info)
    if not policy.may(info.context.viewer, customer_id, Action.LIST_USERS):
        raise Forbidden("Only the customer number's main users may list its users.")
    if after is None:
        return await info.context.loaders.first_users_of_customer(status, page_size(first)).load(customer_id)
    query = select(User).join(Membership, and_(Membership.user_id == User.id, Membership.customer_id == customer_id))
    if status is not None:
        query = query.where(Membership.status == status)
    return await paginate(info.context.uow, query, USERS_BY_NAME, first, after, lazy_total=True)


async def _managed_customer(info: Info, number: str, field: str) -> Customer:
    """A customer number the viewer may manage users of: NOT_FOUND or NOT_PERMITTED otherwise."""
    customer = await reachable_customer(info, number)
    if customer is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, f"No customer number {number[:32]} within your reach.", field)
    require_action(
        info, customer.id, Action.MANAGE_USERS, "Only main users manage the users of a customer number.", field
    )
    return customer


def _no_main_user(role: Role, field: str) -> None:
    if role is Role.MAIN_USER:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "Main users are made by customer service; choose PURCHASER or ASSISTANT.", field
        )


async def create_user(
    info: Info, *, name: str, email: str, phone: str | None, role: Role, customer_numbers: list[str]
) -> users.Created:
    viewer = require_user(info)
    _no_main_user(role, "input.role")
    found = problems(
        check_name(name, "input.name"), check_email(email, "input.email"), check_phone(phone, "input.phone")
    )
    if not customer_numbers:
        found.append(Problem(ErrorCode.INVALID_INPUT, "Choose at least one customer number.", "input.customerNumbers"))
    elif len(customer_numbers) > MAX_CUSTOMERS_PER_USER_CREATE:
        found.append(Problem(ErrorCode.INVALID_INPUT, "Too many customer numbers at once.", "input.customerNumbers"))
    if found:
        raise DomainError(*found)
    customers: list[Customer] = []
    for index, number in enumerate(dict.fromkeys(customer_numbers)):
        customers.append(await _managed_customer(info, number, f"input.customerNumbers.{index}"))
    inviter = await info.context.loaders.user.load(viewer.user_id)
    async with info.context.uow.transaction() as session:
        created = await users.create_or_link(
            session,
            info.context.settings,
            viewer,
            customers=customers,
            email=email,
            name=name,
            phone=phone,
            role=role,
            invited_by=inviter.name if inviter else None,
        )
    info.context.mail_queued()
    return created


async def _managed_member(info: Info, user_id: str, customer_number: str) -> tuple[Viewer, Customer, int]:
    """The viewer, a customer number it manages and the user id's key, checked in that order."""
    viewer = require_user(info)
    customer = await _managed_customer(info, customer_number, "customerNumber")
    pk = pk_or_not_found("User", user_id, "No such user on this customer number.", "userId")
    return viewer, customer, pk


async def set_user_role(info: Info, user_id: str, customer_number: str, role: Role) -> User:
    viewer, customer, pk = await _managed_member(info, user_id, customer_number)
    async with info.context.uow.transaction() as session:
        await users.set_role(session, viewer, pk, customer, role)
        return await _fresh_user(session, pk)


async def set_membership_status(info: Info, user_id: str, customer_number: str, status: MembershipStatus) -> User:
    viewer, customer, pk = await _managed_member(info, user_id, customer_number)
    async with info.context.uow.transaction() as session:
        await users.set_status(session, viewer, pk, customer, status)
        return await _fresh_user(session, pk)


async def _fresh_user(session: AsyncSession, pk: int) -> User:
    user = await session.get(User, pk, populate_existing=True)
    assert user is not None
    return user
