"""Change notices: ids only, published in the transaction of the change, delivered only if it commits.

Domain code calls ``publish(session, ...)``; the notice waits in the session
until commit. On PostgreSQL the session's ``before_commit`` hook sends one
``pg_notify`` per changed cart inside the transaction, so PostgreSQL delivers
it to every process's listener exactly when (and only if) the change commits.
On SQLite (one process) ``after_commit`` hands it to the in-process bus.
A rollback drops the pending notices.

A notice never carries data: a subscriber re-reads what it names under its
own viewer's reach, so nothing leaks through the channel.
"""

from __future__ import annotations

import enum
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

CHANNEL = "commerce_live"
_PENDING = "live_pending"


class ChangeKind(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    SUBMITTED = "SUBMITTED"
    # Not a cart change: whose reach may have shrunk (membership, sessions); subscribers re-check.
    ACCESS = "ACCESS"
    # Not a cart change: the listener reconnected and may have missed notices; everyone re-reads.
    RESYNC = "RESYNC"


# When one transaction makes several changes to a cart, subscribers hear the one that says most.
_WEIGHT = {ChangeKind.UPDATED: 0, ChangeKind.CREATED: 1, ChangeKind.SUBMITTED: 2, ChangeKind.DELETED: 3}


@dataclass(frozen=True, slots=True)
class LiveEvent:
    kind: ChangeKind
    cart_id: int | None = None
    customer_id: int | None = None
    user_id: int | None = None

    def encode(self) -> str:
        return json.dumps(
            {"k": self.kind.value, "c": self.cart_id, "cu": self.customer_id, "u": self.user_id},
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, payload: str) -> LiveEvent | None:
        try:
            raw = json.loads(payload)
            return cls(ChangeKind(raw["k"]), _int(raw.get("c")), _int(raw.get("cu")), _int(raw.get("u")))
        except (ValueError, KeyError, TypeError):
            return None


def _int(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int):
        raise TypeError("ids are integers")
    return value


def publish_cart(session: Any, kind: ChangeKind, cart_id: int, customer_id: int) -> None:
    """Announce a change of a cart when the transaction of ``session`` commits."""
    pending: dict[Any, LiveEvent] = _pending(session)
    key = ("cart", cart_id)
    earlier = pending.get(key)
    if earlier is None or _WEIGHT[kind] >= _WEIGHT[earlier.kind]:
        pending[key] = LiveEvent(kind, cart_id=cart_id, customer_id=customer_id)


def publish_access(session: Any, user_id: int) -> None:
    """Announce that ``user_id``'s reach may have shrunk, so their open subscriptions re-check it."""
    _pending(session)[("access", user_id)] = LiveEvent(ChangeKind.ACCESS, user_id=user_id)


def _pending(session: Any) -> dict[Any, LiveEvent]:
    # An AsyncSession or its sync Session: both share ``info``.
    return session.info.setdefault(_PENDING, {})


# --- leaving the transaction ------------------------------------------------------------------

# The in-process bus (SQLite): every hub of this process, each told the database it serves.
_local_sinks: weakref.WeakSet[Any] = weakref.WeakSet()


def add_local_sink(sink: Any) -> None:
    """``sink.database_key`` names its database; ``sink.dispatch(event)`` takes the notice."""
    _local_sinks.add(sink)


def database_key(url: Any) -> str:
    return url.render_as_string(hide_password=True)


@event.listens_for(Session, "before_commit")
def _notify_in_transaction(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Runs inside the commit, still in the transaction: PostgreSQL sends these only if it commits.
    for notice in pending.values():
        session.execute(select(func.pg_notify(CHANNEL, notice.encode())))


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return  # PostgreSQL delivers them to every listener, this process's included
    key = database_key(bind.engine.url)
    deliver: list[Callable[[LiveEvent], None]] = [s.dispatch for s in list(_local_sinks) if s.database_key == key]
    for notice in pending.values():
        for dispatch in deliver:
            dispatch(notice)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
