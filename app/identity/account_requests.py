"""Requests for access ("Etterspør konto"), and support's answer to them."""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit, clock
from app.dml import rows_matched
from app.errors import DomainError, ErrorCode
from app.identity.users import make_main_user
from app.identity.validation import email_key
from app.mail import enqueue
from app.models import AccountRequest, AccountRequestStatus, Customer, User
from app.settings import Settings
from app.viewer import Viewer

DUPLICATE_WINDOW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RequestForm:
    name: str
    email: str
    phone: str
    company_name: str
    customer_number: str | None
    message: str | None

    def tidied(self) -> RequestForm:
        """As it is stored and mailed to support: trimmed, an optional field left blank None."""
        return RequestForm(
            name=self.name.strip(),
            email=self.email.strip(),
            phone=self.phone.strip(),
            company_name=self.company_name.strip(),
            customer_number=(self.customer_number or "").strip() or None,
            message=(self.message or "").strip() or None,
        )


async def _serialise_per_email(session: AsyncSession, key: str) -> None:
    """Two requests from one email at once must not both be stored.

    PostgreSQL: a transaction-scoped advisory lock on the email. SQLite: the
    write transaction (BEGIN IMMEDIATE) already serialises writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(key.encode())})


async def submit(session: AsyncSession, settings: Settings, form: RequestForm) -> bool:
    """Store the request and tell support; a repeat within a day is not stored again."""
    key = email_key(form.email)
    await _serialise_per_email(session, key)
    recent = await session.scalar(
        select(func.count(AccountRequest.id)).where(
            AccountRequest.email_key == key, AccountRequest.created_at > clock.now() - DUPLICATE_WINDOW
        )
    )
    if recent:
        return False
    given = asdict(form.tidied())
    request = AccountRequest(email_key=key, **given)
    session.add(request)
    await session.flush()
    enqueue(session, settings, "account_request_received", settings.support_email, **given)
    audit.record(session, None, "account_request.created", subject_id=request.id, email=request.email)
    return True


async def resolve(
    session: AsyncSession,
    settings: Settings,
    actor: Viewer,
    request: AccountRequest,
    *,
    approve: bool,
    customer_number: str | None,
    reason: str | None,
) -> User | None:
    """Approve (the requester becomes MAIN_USER and is invited) or reject (with a reason)."""
    customer: Customer | None = None
    if approve:
        number = (customer_number or request.customer_number or "").strip()
        if not number:
            raise DomainError.of(
                ErrorCode.INVALID_INPUT,
                "Name the customer number to make the requester main user of.",
                "customerNumber",
            )
        customer = await session.scalar(select(Customer).where(Customer.number == number))
        if customer is None:
            raise DomainError.of(ErrorCode.NOT_FOUND, f"No customer numbered {number}.", "customerNumber")
    elif not (reason or "").strip():
        raise DomainError.of(ErrorCode.INVALID_INPUT, "Give the requester a reason for the rejection.", "reason")

    status = AccountRequestStatus.APPROVED if approve else AccountRequestStatus.REJECTED
    claimed = await rows_matched(
        session,
        update(AccountRequest)
        .where(AccountRequest.id == request.id, AccountRequest.status == AccountRequestStatus.PENDING)
        .values(
            status=status,
            resolved_at=clock.now(),
            resolved_by_id=actor.user_id,
            rejection_reason=None if approve else (reason or "").strip(),
        ),
    )
    if claimed != 1:
        raise DomainError.of(ErrorCode.INVALID_STATE, "This request has been resolved already.", "id")
    request.status = status

    if customer is not None:
        user = await make_main_user(
            session, settings, actor, customer, email=request.email, name=request.name, phone=request.phone
        )
        audit.record(session, actor, "account_request.approved", customer_id=customer.id, subject_id=request.id)
        return user
    enqueue(
        session, settings, "account_request_rejected", request.email, name=request.name, reason=(reason or "").strip()
    )
    audit.record(session, actor, "account_request.rejected", subject_id=request.id, reason=(reason or "").strip())
    return None
