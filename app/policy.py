"""Who may do what: the role matrix of the contract, in one place.

Resolvers ask these functions; nothing else compares role names.
"""

from __future__ import annotations

import enum

from app.models import Role


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


def role_may(role: Role | None, action: Action) -> bool:
    """Whether an *active* membership with ``role`` allows ``action``."""
    return role is not None and role in MATRIX[action]


# From most to least privileged; used when one user's roles must be merged.
PRIVILEGE_ORDER = (Role.MAIN_USER, Role.PURCHASER, Role.ASSISTANT)


def least_privileged(roles: list[Role]) -> Role:
    return max(roles, key=PRIVILEGE_ORDER.index)
