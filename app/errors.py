"""The one error vocabulary of the service.

Two kinds of failure reach a client:

* ``UserError`` in a mutation's payload: something the user can fix, with an
  ``ErrorCode`` and the input path in ``field``.
* ``ApiError`` raised from a resolver: becomes a GraphQL error whose
  ``extensions.code`` says why (UNAUTHENTICATED, FORBIDDEN, INVALID_INPUT).

Domain code raises ``DomainError``; resolvers turn it into a ``UserError``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorCode(enum.Enum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    ACCOUNT_INACTIVE = "ACCOUNT_INACTIVE"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    PASSWORD_TOO_WEAK = "PASSWORD_TOO_WEAK"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    NOT_PERMITTED = "NOT_PERMITTED"
    INVALID_STATE = "INVALID_STATE"
    CONFLICT = "CONFLICT"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    PRODUCT_UNAVAILABLE = "PRODUCT_UNAVAILABLE"
    INVALID_DELIVERY_DATE = "INVALID_DELIVERY_DATE"
    INVALID_DELIVERY_ADDRESS = "INVALID_DELIVERY_ADDRESS"
    EMPTY_CART = "EMPTY_CART"
    RETURN_WINDOW_EXPIRED = "RETURN_WINDOW_EXPIRED"
    PRODUCT_NOT_RETURNABLE = "PRODUCT_NOT_RETURNABLE"
    QUANTITY_EXCEEDS_DELIVERED = "QUANTITY_EXCEEDS_DELIVERED"
    ORDER_NOT_DELIVERED = "ORDER_NOT_DELIVERED"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request, as a payload reports it."""

    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """A business rule refused the change; carries one or more problems."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)

    @classmethod
    def of(cls, code: ErrorCode, message: str, field: str | None = None) -> DomainError:
        return cls(Problem(code, message, field))


class ApiError(Exception):
    """Raised in a resolver to answer with a GraphQL error carrying ``code``."""

    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Sign in first: this operation needs a valid token.") -> None:
        super().__init__(message)


class Forbidden(ApiError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Your credentials may not use this operation.") -> None:
        super().__init__(message)


class InvalidInput(ApiError):
    code = "INVALID_INPUT"
