"""Who is asking: the bearer token resolved to a user session or an API key."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.models import ApiKey, User, UserSession
from app.tokens import API_KEY_PREFIX, SESSION_PREFIX, hash_token


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int | None = None
    session_id: int | None = None
    is_support: bool = False
    api_key_id: int | None = None
    api_key_name: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

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
        row = (
            await session.execute(
                select(UserSession.id, User.id, User.is_support)
                .join(User, User.id == UserSession.user_id)
                .where(
                    UserSession.token_hash == token_hash,
                    UserSession.revoked_at.is_(None),
                    UserSession.expires_at > clock.now(),
                )
            )
        ).first()
        if row is not None:
            return Viewer(user_id=row[1], session_id=row[0], is_support=row[2])
    elif token.startswith(API_KEY_PREFIX):
        key = (
            await session.execute(select(ApiKey).where(ApiKey.key_hash == token_hash, ApiKey.revoked_at.is_(None)))
        ).scalar_one_or_none()
        if key is not None:
            return Viewer(api_key_id=key.id, api_key_name=key.name, scopes=key.scope_set)
    return ANONYMOUS
