"""Resolvers for signing in, passwords, the profile and account requests."""

from __future__ import annotations

from app.context import Context, Info
from app.errors import DomainError
from app.identity import account_requests, passwords_flow, users
from app.identity import login as login_rules
from app.identity.equal_time import equal_time
from app.identity.login import SignedIn
from app.identity.sessions import revoke_session
from app.identity.validation import check_email, check_name, check_phone, check_text, problems
from app.models import Customer, User
from app.resolvers.access import reachable_customer, require_user


async def me(info: Info) -> User:
    viewer = require_user(info)
    return me_at_hand(info.context) or await info.context.loaders.user.load(viewer.user_id)


def me_at_hand(context: Context) -> User | None:
    """``me`` without waiting: the signed-in user's row as the session lookup read it; None when it was not
    read that way, or the viewer is no user (``me`` then loads it, or refuses the viewer)."""
    viewer, user = context.viewer, context.viewer_user
    if viewer.is_api_key or not viewer.is_user or user is None or user.id != viewer.user_id:
        return None
    return user


async def customer(info: Info, number: str) -> Customer | None:
    return await reachable_customer(info, number)


async def login(info: Info, email: str, password: str) -> SignedIn:
    await info.context.rate_limits.login(email)
    return await login_rules.login(info.context.uow.transaction, email, password)


async def logout(info: Info) -> None:
    viewer = require_user(info)
    assert viewer.session_id is not None
    async with info.context.uow.transaction() as session:
        await revoke_session(session, viewer.session_id)


async def request_password_reset(info: Info, email: str) -> None:
    await info.context.rate_limits.password_reset(email)
    async with equal_time():
        if len(email) > 254:
            return  # no user has such an email; answer as for any unknown one
        async with info.context.uow.transaction() as session:
            sent = await passwords_flow.request_reset(session, info.context.settings, email)
    if sent:
        info.context.mail_queued()


async def reset_password(info: Info, token: str, new_password: str) -> None:
    await info.context.rate_limits.reset_password()
    await passwords_flow.reset(info.context.uow.transaction, token, new_password)


async def change_password(info: Info, current_password: str, new_password: str) -> None:
    viewer = require_user(info)
    await passwords_flow.change(info.context.uow.transaction, viewer, current_password, new_password)


async def update_profile(info: Info, name: str | None, phone: str | None) -> User:
    viewer = require_user(info)
    found = problems(
        check_name(name, "input.name") if name is not None else None,
        check_phone(phone, "input.phone"),
    )
    if found:
        raise DomainError(*found)
    async with info.context.uow.transaction() as session:
        return await users.update_profile(session, viewer, name, phone)


async def request_account(info: Info, form: account_requests.RequestForm) -> None:
    found = problems(
        check_name(form.name, "input.name"),
        check_email(form.email, "input.email"),
        check_phone(form.phone, "input.phone", required=True),
        check_name(form.company_name, "input.companyName", "A company name"),
        check_text(form.customer_number, "input.customerNumber", 32),
        check_text(form.message, "input.message"),
    )
    if found:
        raise DomainError(*found)
    await info.context.rate_limits.account_request(form.email)
    async with equal_time():
        async with info.context.uow.transaction() as session:
            stored = await account_requests.submit(session, info.context.settings, form)
    if stored:
        info.context.mail_queued()
