"""Resolvers for customer service in GraphiQL: every action is audited."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.context import Info
from app.errors import DomainError, ErrorCode
from app.identity import account_requests, users
from app.identity.validation import check_email, check_name, check_phone, problems
from app.ids import decode_id
from app.models import AccountRequest, AccountRequestStatus, AuditEntry, Customer, User
from app.pagination import Page, SortKey, paginate
from app.resolvers.access import require_support


async def list_account_requests(
    info: Info, status: AccountRequestStatus | None, first: int | None, after: str | None
) -> Page[AccountRequest]:
    require_support(info)
    query = select(AccountRequest)
    if status is not None:
        query = query.where(AccountRequest.status == status)
    return await paginate(
        info.context.uow, query, [SortKey(AccountRequest.id, descending=True)], first, after, lazy_total=True
    )


async def resolve_account_request(
    info: Info, request_id: str, approve: bool, customer_number: str | None, reason: str | None
) -> tuple[AccountRequest, User | None]:
    viewer = require_support(info)
    pk = decode_id("AccountRequest", request_id)
    async with info.context.uow.transaction() as session:
        request = await session.get(AccountRequest, pk) if pk is not None else None
        if request is None:
            raise DomainError.of(ErrorCode.NOT_FOUND, "No such account request.", "id")
        user = await account_requests.resolve(
            session,
            info.context.settings,
            viewer,
            request,
            approve=approve,
            customer_number=customer_number,
            reason=reason,
        )
    info.context.mail_queued()
    return request, user


async def find_customers(info: Info, search: str, first: int | None, after: str | None) -> Page[Customer]:
    require_support(info)
    term = search.strip()[:100]
    query = select(Customer)
    if term:
        pattern = "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(Customer.number.startswith(term, autoescape=True), func.lower(Customer.name).like(pattern, escape="\\"))
        )
    return await paginate(
        info.context.uow, query, [SortKey(Customer.number), SortKey(Customer.id)], first, after, lazy_total=True
    )


async def add_main_user(info: Info, customer_number: str, email: str, name: str, phone: str | None) -> User:
    viewer = require_support(info)
    found = problems(check_email(email, "email"), check_name(name, "name"), check_phone(phone, "phone"))
    if found:
        raise DomainError(*found)
    async with info.context.uow.transaction() as session:
        customer = await session.scalar(select(Customer).where(Customer.number == customer_number[:32]))
        if customer is None:
            raise DomainError.of(ErrorCode.NOT_FOUND, f"No customer numbered {customer_number[:32]}.", "customerNumber")
        user = await users.make_main_user(
            session, info.context.settings, viewer, customer, email=email, name=name, phone=phone
        )
    info.context.mail_queued()
    return user


async def audit_log(info: Info, customer_number: str | None, first: int | None, after: str | None) -> Page[AuditEntry]:
    require_support(info)
    query = select(AuditEntry)
    if customer_number is not None:
        async with info.context.uow.session() as session:
            customer_id = await session.scalar(select(Customer.id).where(Customer.number == customer_number[:32]))
        query = query.where(AuditEntry.customer_id == customer_id)
    return await paginate(
        info.context.uow, query, [SortKey(AuditEntry.id, descending=True)], first, after, lazy_total=True
    )
