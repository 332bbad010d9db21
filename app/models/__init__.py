"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from app.models.auth import ApiKey, UserSession
from app.models.base import Base
from app.models.identity import Customer, Membership, MembershipStatus, Role, User
from app.models.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "ApiKey",
    "Base",
    "Customer",
    "Membership",
    "MembershipStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "User",
    "UserSession",
]
