"""The checks every resolver starts with: who is asking, and may they reach this."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

from app.context import Context, Info
from app.errors import Forbidden, Unauthenticated
from app.ids import decode_id
from app.models import Customer, Role
from app.policy import Action, role_may
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


def require_scope(info: Info, scope: str) -> Viewer:
    """An API key with ``scope``; a user token is FORBIDDEN on integration operations."""
    viewer = info.context.viewer
    if viewer.is_user:
        raise Forbidden("This operation is for ERP integrations: use an API key.")
    if not viewer.is_api_key:
        raise Unauthenticated()
    if scope not in viewer.scopes:
        raise Forbidden(f"This API key lacks the scope {scope}.")
    return viewer


async def viewer_roles(context: Context) -> Mapping[int, Role]:
    """The viewer's active role per customer id (read with the viewer: no query)."""
    return context.viewer.roles


async def role_on(context: Context, customer_id: int) -> Role | None:
    return (await viewer_roles(context)).get(customer_id)


async def can_reach(context: Context, customer_id: int) -> bool:
    """Support staff reach every customer; users those they are active members of."""
    return context.viewer.is_support or customer_id in await viewer_roles(context)


async def sees_customer_data(context: Context, customer_id: int) -> bool:
    """Whether the viewer may see a customer number's data, however the Customer was reached.

    The Customer type's own fields ask this, so the rule holds on every path
    (``me.memberships``, ``cart.customer``, ``order.customer``), not only at
    ``customer(number:)``: active members and support staff; never an
    inactive member, and never an API key (an ERP reads orders from its feed).
    """
    return await can_reach(context, customer_id)


async def may(context: Context, customer_id: int, action: Action) -> bool:
    if context.viewer.is_support:
        # Support sees every customer and manages its users, but never shops or
        # approves spending as one: those are the customer's own decisions.
        return action not in {
            Action.PLACE_ORDER,
            Action.SUBMIT_WITHOUT_APPROVAL,
            Action.EDIT_CARTS,
            Action.EDIT_SHOPPING_LISTS,
            Action.APPROVE_ORDERS,
            Action.REQUEST_RETURN,  # support decides on returns; asking is the customer's
        }
    return role_may(await role_on(context, customer_id), action)


async def reachable_customer(info: Info, number: str) -> Customer | None:
    """The customer numbered ``number`` if the viewer may see it; None exactly as if missing."""
    require_user(info)
    if not number or len(number) > 32:
        return None
    customer = await info.context.loaders.customer_by_number.load(number)
    if customer is None or not await can_reach(info.context, customer.id):
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
    if found is None or not await can_reach(info.context, found.customer_id):
        return None
    return found
