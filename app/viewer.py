"""Who is asking: the bearer token resolved to a user session or an API key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.models import ApiKey, Customer, Membership, MembershipStatus, Role, User, UserSession
from app.tokens import API_KEY_PREFIX, SESSION_PREFIX, hash_token


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int | None = None
    session_id: int | None = None
    is_support: bool = False
    api_key_id: int | None = None
    api_key_name: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    # The user's active role per customer id, and those customers' ids by number,
    # read with the session itself: permission checks then cost no query.
    roles: Mapping[int, Role] = field(default_factory=dict)
    customer_ids: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None

    @property
    def is_anonymous(self) -> bool:
        return not (self.is_user or self.is_api_key)


ANONYMOUS = Viewer()


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


async def resolve_viewer(session: AsyncSession, token: str | None) -> Viewer:
    """The viewer a token stands for; anonymous when it is unknown, expired or revoked."""
    if token is None:
        return ANONYMOUS
    token_hash = hash_token(token)
    if token.startswith(SESSION_PREFIX):
        found = await session_viewer(session, token_hash)
        if found is not None:
            return found
    elif token.startswith(API_KEY_PREFIX):
        key = (
            await session.execute(select(ApiKey).where(ApiKey.key_hash == token_hash, ApiKey.revoked_at.is_(None)))
        ).scalar_one_or_none()
        if key is not None:
            return Viewer(api_key_id=key.id, api_key_name=key.name, scopes=key.scope_set)
    return ANONYMOUS


async def session_viewer(session: AsyncSession, token_hash: str) -> Viewer | None:
    """The user behind a live session's token hash (with its active roles); None when expired or revoked."""
    rows = (
        await session.execute(
            select(UserSession.id, User.id, User.is_support, Membership.customer_id, Membership.role, Customer.number)
            .join(User, User.id == UserSession.user_id)
            .outerjoin(
                Membership,
                and_(Membership.user_id == User.id, Membership.status == MembershipStatus.ACTIVE),
            )
            .outerjoin(Customer, Customer.id == Membership.customer_id)
            .where(
                UserSession.token_hash == token_hash,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > clock.now(),
            )
        )
    ).all()
    if not rows:
        return None
    session_id, user_id, is_support = rows[0][:3]
    return Viewer(
        user_id=user_id,
        session_id=session_id,
        is_support=is_support,
        roles={row[3]: row[4] for row in rows if row[3] is not None},
        customer_ids={row[5]: row[3] for row in rows if row[3] is not None},
    )
