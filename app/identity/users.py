"""User administration: creating, linking, roles, (de)activation, profiles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit, policy
from app.errors import DomainError, ErrorCode
from app.identity import links
from app.identity.sessions import revoke_all_sessions
from app.identity.validation import email_key
from app.live.events import publish_access
from app.mail import enqueue
from app.models import Customer, Membership, MembershipStatus, Role, TokenPurpose, User
from app.policy import least_privileged
from app.settings import Settings
from app.viewer import Viewer


@dataclass(frozen=True, slots=True)
class Created:
    user: User
    linked_existing: bool


def role_for_linked_user(existing_roles: list[Role]) -> Role | None:
    """The role an existing user brings to a new customer number.

    The least privileged of the roles it holds; MAIN_USER becomes PURCHASER,
    since only support makes main users. None when it holds no role at all.
    """
    if not existing_roles:
        return None
    role = least_privileged(existing_roles)
    return Role.PURCHASER if role is Role.MAIN_USER else role


async def _invite(
    session: AsyncSession, settings: Settings, user: User, customers: list[Customer], invited_by: str | None
) -> None:
    token = await links.issue(session, user.id, TokenPurpose.INVITATION)
    enqueue(
        session,
        settings,
        "invitation",
        user.email,
        name=user.name,
        link=links.link(settings.public_url, token),
        customer_names=[f"{c.name} ({c.number})" for c in customers],
        invited_by=invited_by,
    )


ROLE_NAMES = {Role.MAIN_USER: "hovedbruker", Role.PURCHASER: "innkjøper", Role.ASSISTANT: "assistent"}


async def _link(
    session: AsyncSession, actor: Viewer, user: User, customers: list[Customer], role: Role
) -> list[Customer]:
    """Give ``user`` ``role`` on each customer where it has no membership yet; the customers newly linked."""
    have = set((await session.scalars(select(Membership.customer_id).where(Membership.user_id == user.id))).all())
    linked: list[Customer] = []
    for customer in customers:
        if customer.id in have:
            continue  # an existing membership is left as it is
        try:
            async with session.begin_nested():
                session.add(
                    Membership(user_id=user.id, customer_id=customer.id, role=role, status=MembershipStatus.ACTIVE)
                )
        except IntegrityError:
            continue  # made by someone else at this very moment: left as it is
        audit.record(session, actor, "membership.created", customer_id=customer.id, subject_id=user.id, role=role.value)
        linked.append(customer)
    await session.flush()
    return linked


async def _insert_user(session: AsyncSession, email: str, name: str, phone: str | None) -> User | None:
    """A new user, or None when the email was registered at this very moment by another request."""
    user = User(email=email.strip(), email_key=email_key(email), name=name.strip(), phone=(phone or "").strip() or None)
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:
        return None
    return user


async def create_or_link(
    session: AsyncSession,
    settings: Settings,
    actor: Viewer,
    *,
    customers: list[Customer],
    email: str,
    name: str,
    phone: str | None,
    role: Role,
    invited_by: str | None,
) -> Created:
    """Create a user ("Opprett ny bruker") with an invitation, or link an existing one.

    An existing user is never linked silently: each new link is mailed to them
    (who added them, where, with which role, and whom to tell if it is wrong),
    so a main user who types a stranger's email cannot add them unnoticed.
    What the caller is shown of that user is the resolver's business.
    """
    user = None
    existing = await session.scalar(select(User).where(User.email_key == email_key(email)))
    if existing is None:
        user = await _insert_user(session, email, name, phone)
        if user is None:
            existing = await session.scalar(select(User).where(User.email_key == email_key(email)))
    if existing is not None:
        roles = list((await session.scalars(select(Membership.role).where(Membership.user_id == existing.id))).all())
        linked_role = role_for_linked_user(roles) or role
        linked = await _link(session, actor, existing, customers, linked_role)
        if linked:
            enqueue(
                session,
                settings,
                "membership_added",
                existing.email,
                name=existing.name,
                role=ROLE_NAMES[linked_role],
                customer_names=[f"{c.name} ({c.number})" for c in linked],
                invited_by=invited_by,
            )
        return Created(existing, linked_existing=True)
    assert user is not None
    audit.record(session, actor, "user.created", customer_id=customers[0].id, subject_id=user.id, email=user.email)
    await _link(session, actor, user, customers, role)
    await _invite(session, settings, user, customers, invited_by)
    return Created(user, linked_existing=False)


async def make_main_user(
    session: AsyncSession,
    settings: Settings,
    actor: Viewer,
    customer: Customer,
    *,
    email: str,
    name: str,
    phone: str | None,
) -> User:
    """Support's way to a main user: create or link, make MAIN_USER, send the invitation."""
    user = await session.scalar(select(User).where(User.email_key == email_key(email)))
    if user is None:
        user = await _insert_user(session, email, name, phone)
        if user is not None:
            audit.record(session, actor, "user.created", customer_id=customer.id, subject_id=user.id, email=user.email)
        else:
            user = await session.scalar(select(User).where(User.email_key == email_key(email)))
            assert user is not None
    membership = await session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.customer_id == customer.id)
    )
    if membership is None:
        session.add(
            Membership(user_id=user.id, customer_id=customer.id, role=Role.MAIN_USER, status=MembershipStatus.ACTIVE)
        )
    else:
        membership.role = Role.MAIN_USER
        membership.status = MembershipStatus.ACTIVE
    audit.record(session, actor, "membership.main_user_added", customer_id=customer.id, subject_id=user.id)
    await session.flush()
    await _invite(session, settings, user, [customer], None)
    return user


async def _membership(session: AsyncSession, user_id: int, customer: Customer) -> Membership:
    membership = await session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.customer_id == customer.id).with_for_update()
    )
    if membership is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such user on this customer number.", "userId")
    return membership


def _not_self(actor: Viewer, user_id: int) -> None:
    if actor.user_id == user_id:
        raise DomainError.of(
            ErrorCode.NOT_PERMITTED, "You cannot change your own membership; ask another main user.", "userId"
        )


async def set_role(session: AsyncSession, actor: Viewer, user_id: int, customer: Customer, role: Role) -> None:
    if role is Role.MAIN_USER:
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Main users are made by customer service.", "role")
    _not_self(actor, user_id)
    membership = await _membership(session, user_id, customer)
    if membership.role is not role:
        audit.record(
            session,
            actor,
            "membership.role_changed",
            customer_id=customer.id,
            subject_id=user_id,
            old=membership.role.value,
            new=role.value,
        )
        membership.role = role
        await session.flush()


async def set_status(
    session: AsyncSession, actor: Viewer, user_id: int, customer: Customer, status: MembershipStatus
) -> None:
    """Activate or deactivate; a user left with no active membership loses every session."""
    _not_self(actor, user_id)
    membership = await _membership(session, user_id, customer)
    if membership.status is status:
        return
    membership.status = status
    await session.flush()
    publish_access(session, user_id)  # the user's open subscriptions re-check their reach on commit
    action = "membership.activated" if status is MembershipStatus.ACTIVE else "membership.deactivated"
    audit.record(session, actor, action, customer_id=customer.id, subject_id=user_id)
    if status is MembershipStatus.INACTIVE:
        still_active = await session.scalar(
            select(exists().where(Membership.user_id == user_id, Membership.status == MembershipStatus.ACTIVE))
        )
        is_support = await session.scalar(select(User.is_support).where(User.id == user_id))
        if not still_active and policy.needs_active_membership(bool(is_support)):
            await revoke_all_sessions(session, user_id)


async def update_profile(session: AsyncSession, actor: Viewer, name: str | None, phone: str | None) -> User:
    assert actor.user_id is not None
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = name.strip()
    if phone is not None:
        values["phone"] = phone.strip() or None
    if values:
        await session.execute(update(User).where(User.id == actor.user_id).values(**values))
        audit.record(session, actor, "user.profile_updated", subject_id=actor.user_id, fields=sorted(values))
    user = await session.get(User, actor.user_id, populate_existing=True)
    assert user is not None
    return user
