"""Who is asking: the bearer token resolved to a user session or an API key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import configure_mappers

from app import clock
from app.models import ApiKey, Customer, Membership, MembershipStatus, Role, User, UserSession
from app.models.auth import scope_set
from app.tokens import API_KEY_PREFIX, SESSION_PREFIX, hash_token


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int | None = None
    session_id: int | None = None
    is_support: bool = False
    api_key_id: int | None = None
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
    return (await viewer_and_user(session, token))[0]


async def viewer_and_user(session: AsyncSession | AsyncConnection, token: str | None) -> tuple[Viewer, User | None]:
    """The viewer a token stands for, and for a user session the user's row, read in the same statement.

    No cache: the lookup is one indexed statement, so a revoked session or a
    deactivated membership is refused by the very next request, on any worker.
    """
    if token is None:
        return ANONYMOUS, None
    token_hash = hash_token(token)
    if token.startswith(SESSION_PREFIX):
        found = await _session_viewer(session, token_hash)
        if found is not None:
            return found
    elif token.startswith(API_KEY_PREFIX):
        key = (await session.execute(_API_KEY, {"key_hash": token_hash})).one_or_none()
        if key is not None:
            return Viewer(api_key_id=key.id, scopes=scope_set(key.scopes)), None
    return ANONYMOUS, None


async def session_viewer(session: AsyncSession, token_hash: str) -> Viewer | None:
    """The user behind a live session's token hash (with its active roles); None when expired or revoked."""
    found = await _session_viewer(session, token_hash)
    return found[0] if found is not None else None


_API_KEY = select(ApiKey.id, ApiKey.scopes).where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
_USERS = User.__table__
_SESSIONS = UserSession.__table__
_MEMBERSHIPS = Membership.__table__
_CUSTOMERS = Customer.__table__
# The session, the user's whole row (one row per active membership), the membership and its customer number.
# Built once, with bound parameters: building the WHERE clause on every request cost more CPU than sending it.
_LOOKUP = (
    select(_SESSIONS.c.id, *_USERS.c, _MEMBERSHIPS.c.customer_id, _MEMBERSHIPS.c.role, _CUSTOMERS.c.number)
    .join(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .outerjoin(
        _MEMBERSHIPS,
        and_(_MEMBERSHIPS.c.user_id == _USERS.c.id, _MEMBERSHIPS.c.status == MembershipStatus.ACTIVE),
    )
    .outerjoin(_CUSTOMERS, _CUSTOMERS.c.id == _MEMBERSHIPS.c.customer_id)
    .where(
        _SESSIONS.c.token_hash == bindparam("token_hash"),
        _SESSIONS.c.revoked_at.is_(None),
        _SESSIONS.c.expires_at > bindparam("now", type_=_SESSIONS.c.expires_at.type),
    )
)
_USER_COLUMNS = slice(1, 1 + len(_USERS.c))
_USER_KEYS = tuple(column.key for column in _USERS.c)
_NEW_USER = inspect(User).class_manager.new_instance


async def _session_viewer(session: AsyncSession | AsyncConnection, token_hash: str) -> tuple[Viewer, User] | None:
    # Core on the session's own connection, not the ORM: this runs on every signed-in
    # request, and the ORM's result processing and identity map cost more CPU than the
    # statement itself. The user's whole row comes along: `me` and the viewer's own
    # fields then cost no second statement.
    connection = session if isinstance(session, AsyncConnection) else await session.connection()
    rows = (await connection.execute(_LOOKUP, {"token_hash": token_hash, "now": clock.now()})).all()
    if not rows:
        return None
    first = rows[0]
    # Detached (never in a session): read only, by `me` and the user loader of a query. Made as the
    # ORM's loading makes an instance (its values put in place as loaded, no attribute events):
    # User(**row) fired an event per column, 15 % of the CPU of `{ me { id } }`.
    configure_mappers()  # as User() would: the attributes work only on configured mappers (cheap once done)
    user = _NEW_USER()
    user.__dict__.update(zip(_USER_KEYS, first[_USER_COLUMNS], strict=True))
    viewer = Viewer(
        user_id=user.id,
        session_id=first[0],
        is_support=user.is_support,
        roles={row[-3]: row[-2] for row in rows if row[-3] is not None},
        customer_ids={row[-1]: row[-3] for row in rows if row[-3] is not None},
    )
    return viewer, user
