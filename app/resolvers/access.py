"""The checks every resolver starts with, as GraphQL errors: who is asking, and may they reach this.

The rules themselves are app/policy.py's; this module only asks it and
raises UNAUTHENTICATED or FORBIDDEN, answers None as if a row were missing,
or (``require_action``, for a mutation on an object within reach) gives the
payload's NOT_PERMITTED.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from app import policy
from app.context import Info
from app.errors import DomainError, ErrorCode, Forbidden, Unauthenticated
from app.ids import decode_id
from app.models import Customer
from app.policy import Action, Scope
from app.viewer import Viewer


def require_user(info: Info) -> Viewer:
    """A signed-in user (not an API key); UNAUTHENTICATED or FORBIDDEN otherwise."""
    viewer = info.context.viewer
    if viewer.is_api_key:
        raise Forbidden("An API key cannot use storefront operations; sign in as a user.")
    if not viewer.is_user:
        raise Unauthenticated()
    return viewer


def require_support(info: Info) -> Viewer:
    viewer = require_user(info)
    if not viewer.is_support:
        raise Forbidden("Only support staff may use this operation.")
    return viewer


def require_scope(info: Info, scope: Scope) -> Viewer:
    """An API key with ``scope``; a user token is FORBIDDEN on integration operations."""
    viewer = info.context.viewer
    if viewer.is_user:
        raise Forbidden("This operation is for ERP integrations: use an API key.")
    if not viewer.is_api_key:
        raise Unauthenticated()
    _require_key_scope(viewer, scope)
    return viewer


def require_support_or_scope(info: Info, scope: Scope, what: str) -> Viewer:
    """Support staff, or an API key with ``scope``; FORBIDDEN for anyone else signed in."""
    viewer = info.context.viewer
    if viewer.is_api_key:
        _require_key_scope(viewer, scope)
        return viewer
    if not viewer.is_user:
        raise Unauthenticated()
    if not viewer.is_support:
        raise Forbidden(f"Only support staff (or an API key with {scope}) may {what}.")
    return viewer


def require_action(info: Info, customer_id: int, action: Action, refusal: str, field: str) -> None:
    """NOT_PERMITTED (``refusal``, on ``field``) unless the viewer's role lets it do ``action`` for the customer.

    A payload's error, not a GraphQL error: the object was within reach (the
    caller found it), only the role falls short.
    """
    if not policy.may(info.context.viewer, customer_id, action):
        raise DomainError.of(ErrorCode.NOT_PERMITTED, refusal, field)


def _require_key_scope(viewer: Viewer, scope: Scope) -> None:
    if not policy.has_scope(viewer, scope):
        raise Forbidden(f"This API key lacks the scope {scope}.")


async def reachable_customer(info: Info, number: str) -> Customer | None:
    """The customer numbered ``number`` if the viewer may see it; None exactly as if missing."""
    require_user(info)
    if not number or len(number) > 32:
        return None
    customer = await info.context.loaders.customer_by_number.load(number)
    if customer is None or not policy.reaches(info.context.viewer, customer.id):
        return None
    return customer


class _OwnedByCustomer(Protocol):
    customer_id: Any


OwnedT = TypeVar("OwnedT", bound=_OwnedByCustomer)


async def reachable_object(info: Info, model: type[OwnedT], opaque_id: str) -> OwnedT | None:
    """The ``model`` row named by an opaque id if its customer is within the viewer's reach.

    None for an id of another type, a missing row and another customer's row
    alike, so the answer never tells them apart.
    """
    require_user(info)
    pk = decode_id(model.__name__, opaque_id)
    if pk is None:
        return None
    async with info.context.uow.session() as session:
        found = await session.get(model, pk)
    if found is None or not policy.reaches(info.context.viewer, found.customer_id):
        return None
    return found


def pk_or_not_found(type_name: str, opaque_id: str, message: str, field: str) -> int:
    """The primary key in an id of ``type_name``; NOT_FOUND (``message``, on ``field``) for any other string."""
    pk = decode_id(type_name, opaque_id)
    if pk is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, message, field)
    return pk
