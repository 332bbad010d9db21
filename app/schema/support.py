"""Customer service's view: account requests, customers, main users, the audit log."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.context import Info
from app.models import AccountRequest, AccountRequestStatus, AuditEntry
from app.resolvers import support as resolve
from app.schema.errors import UserError
from app.schema.identity import CustomerType, UserPayload
from app.schema.objects import copied, node_id, or_none
from app.schema.pagination import Connection, connection
from app.schema.payloads import reports_errors
from app.schema.users import UserType, user_by_id

AccountRequestStatusEnum = strawberry.enum(AccountRequestStatus, name="AccountRequestStatus")


@strawberry.type(name="AccountRequest", description='"Etterspør konto": a request for access.')
class AccountRequestType:
    id: strawberry.ID
    status: AccountRequestStatus
    name: str
    email: str
    phone: str
    company_name: str
    customer_number: str | None
    message: str | None
    created_at: datetime
    resolved_at: datetime | None
    rejection_reason: str | None

    @classmethod
    def from_model(cls, row: AccountRequest) -> AccountRequestType:
        return copied(cls, row, id=node_id("AccountRequest", row.id))


@strawberry.type(name="AuditEntry")
class AuditEntryType:
    at: datetime
    action: str = strawberry.field(description="A dotted name such as user.created or membership.deactivated.")
    subject_id: str | None = strawberry.field(description="The database id of the object acted on.")
    details: JSON
    actor_pk: strawberry.Private[int | None]
    customer_pk: strawberry.Private[int | None]

    @strawberry.field(description="The user who acted; null for the system or an integration.")
    async def actor(self, info: Info) -> UserType | None:
        return await user_by_id(info, self.actor_pk)

    @strawberry.field
    async def customer(self, info: Info) -> CustomerType | None:
        if self.customer_pk is None:
            return None
        return or_none(CustomerType.from_model, await info.context.loaders.customer.load(self.customer_pk))

    @classmethod
    def from_model(cls, row: AuditEntry) -> AuditEntryType:
        return copied(cls, row, details=JSON(row.details), actor_pk=row.actor_user_id, customer_pk=row.customer_id)


@strawberry.type
class ResolveAccountRequestPayload:
    account_request: AccountRequestType | None = None
    user: UserType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SupportQuery:
    @strawberry.field(description="Support staff only. Newest first.")
    async def account_requests(
        self, info: Info, status: AccountRequestStatus | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[AccountRequestType]:
        return connection(
            await resolve.list_account_requests(info, status, first, after), AccountRequestType.from_model
        )

    @strawberry.field(description="Support staff only: customers by number prefix or part of the name.")
    async def customers(
        self, info: Info, search: str, first: int | None = None, after: str | None = None
    ) -> Connection[CustomerType]:
        return connection(await resolve.find_customers(info, search, first, after), CustomerType.from_model)

    @strawberry.field(description="Support staff only. Newest first; customerNumber narrows it to one customer.")
    async def audit_log(
        self, info: Info, customer_number: str | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEntryType]:
        return connection(await resolve.audit_log(info, customer_number, first, after), AuditEntryType.from_model)


@strawberry.type
class SupportMutation:
    @strawberry.mutation(
        description=(
            "Approve: the requester becomes MAIN_USER of customerNumber (or the number in the request) and "
            "gets the invitation. Reject: a reason is required and the requester is told. Once only (INVALID_STATE)."
        )
    )
    @reports_errors(ResolveAccountRequestPayload)
    async def resolve_account_request(
        self,
        info: Info,
        id: strawberry.ID,
        approve: bool,
        customer_number: str | None = None,
        reason: str | None = None,
    ) -> ResolveAccountRequestPayload:
        request, user = await resolve.resolve_account_request(info, id, approve, customer_number, reason)
        return ResolveAccountRequestPayload(
            account_request=AccountRequestType.from_model(request), user=or_none(UserType.from_model, user)
        )

    @strawberry.mutation(
        description="Support staff: make (or link) a main user of a customer, with the invitation email."
    )
    @reports_errors(UserPayload)
    async def add_main_user(
        self, info: Info, customer_number: str, email: str, name: str, phone: str | None = None
    ) -> UserPayload:
        user = await resolve.add_main_user(info, customer_number, email, name, phone)
        return UserPayload(user=UserType.from_model(user))
