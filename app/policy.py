"""Who may do what, in one place: roles, support staff, API key scopes, and reach.

Resolvers and the domain ask these functions; nothing else compares role
names, tests ``is_support`` for a permission or spells a scope. Every answer
comes from the Viewer, which carries its active roles and scopes, so asking
costs no query. ``app/resolvers/access.py`` turns the answers into the
GraphQL errors.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from app.models import Role
from app.viewer import Viewer


class Action(enum.Enum):
    VIEW_CUSTOMER = "view_customer"  # carts, orders, lists, addresses, prices
    EDIT_CARTS = "edit_carts"
    EDIT_SHOPPING_LISTS = "edit_shopping_lists"
    PLACE_ORDER = "place_order"
    SUBMIT_WITHOUT_APPROVAL = "submit_without_approval"
    APPROVE_ORDERS = "approve_orders"
    MANAGE_USERS = "manage_users"  # create, change role, (de)activate
    LIST_USERS = "list_users"
    REQUEST_RETURN = "request_return"


_ALL = frozenset(Role)
_APPROVERS = frozenset({Role.MAIN_USER, Role.PURCHASER})
_MAIN = frozenset({Role.MAIN_USER})

MATRIX: dict[Action, frozenset[Role]] = {
    Action.VIEW_CUSTOMER: _ALL,
    Action.EDIT_CARTS: _ALL,
    Action.EDIT_SHOPPING_LISTS: _ALL,
    Action.PLACE_ORDER: _ALL,
    Action.SUBMIT_WITHOUT_APPROVAL: _APPROVERS,
    Action.APPROVE_ORDERS: _APPROVERS,
    Action.MANAGE_USERS: _MAIN,
    Action.LIST_USERS: _MAIN,
    Action.REQUEST_RETURN: _ALL,
}

# Support staff see every customer and manage its users, but never shop or
# approve spending as one: those are the customer's own decisions. Returns:
# support decides on them; asking is the customer's.
SUPPORT_NEVER = frozenset(
    {
        Action.PLACE_ORDER,
        Action.SUBMIT_WITHOUT_APPROVAL,
        Action.EDIT_CARTS,
        Action.EDIT_SHOPPING_LISTS,
        Action.APPROVE_ORDERS,
        Action.REQUEST_RETURN,
    }
)


class Scope(enum.StrEnum):
    """What an API key (an ERP integration) may do; the values are what clients and the CLI spell."""

    CATALOG_WRITE = "catalog:write"  # products, stock, search synonyms
    CUSTOMERS_WRITE = "customers:write"  # customers, addresses, schedules, agreement prices
    ORDERS_READ = "orders:read"  # the order feed
    ORDERS_WRITE = "orders:write"  # order status and shipments
    WEBHOOKS_WRITE = "webhooks:write"  # the key's own webhook endpoints


def unknown_scopes(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that are no scope, sorted (an API key is made only with known ones)."""
    return sorted(set(names) - set(Scope))


def role_may(role: Role | None, action: Action) -> bool:
    """Whether an *active* membership with ``role`` allows ``action``."""
    return role is not None and role in MATRIX[action]


def may(viewer: Viewer, customer_id: int, action: Action) -> bool:
    """Whether the viewer may do ``action`` on the customer: support's exceptions, else the role matrix."""
    if viewer.is_support:
        return action not in SUPPORT_NEVER
    return role_may(viewer.roles.get(customer_id), action)


def reaches(viewer: Viewer, customer_id: int) -> bool:
    """The reach rule: who sees a customer's data (users, carts, orders, lists, returns, addresses, prices).

    Active members and support staff, however the Customer was reached (an
    inactive membership in ``me.memberships``, ``order.customer``): never an
    inactive member, and never an API key, which sees a customer's number and
    name only (an ERP reads orders from its feed, each with its own address,
    and is itself the source of customers, addresses and schedules).
    """
    return sees_every_customer(viewer) or customer_id in viewer.roles


def sees_every_customer(viewer: Viewer) -> bool:
    """Support staff reach every customer number; anyone else only those they are an active member of."""
    return viewer.is_support


def sees_memberships(viewer: Viewer, user_id: int, customer_id: int) -> bool:
    """Whether the viewer sees ``user_id``'s membership on the customer: their own, support, or a fellow member."""
    return viewer.user_id == user_id or reaches(viewer, customer_id)


def has_scope(viewer: Viewer, scope: Scope) -> bool:
    return viewer.is_api_key and scope in viewer.scopes


def needs_active_membership(is_support: bool) -> bool:
    """Whether a user needs an active membership somewhere to sign in and keep their sessions: all but support."""
    return not is_support


# From most to least privileged; used when one user's roles must be merged.
PRIVILEGE_ORDER = (Role.MAIN_USER, Role.PURCHASER, Role.ASSISTANT)


def least_privileged(roles: list[Role]) -> Role:
    return max(roles, key=PRIVILEGE_ORDER.index)
