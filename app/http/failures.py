"""Failures of the database that are nobody's fault in the request: answered 503.

The pool is exhausted (``TimeoutError`` from the pool), the server is
unreachable or went away, SQLite stayed locked past its busy timeout, or a
statement ran past its time budget (``statement_timeout`` on PostgreSQL, the
progress handler on SQLite: see ``app/db.py``). None of these is a bug to
chase with a traceback; the client should retry later, and the log gets one
warning line with the request id.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import exc as sa

SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
# Seconds a client should wait before retrying a request refused this way.
RETRY_AFTER_SECONDS = 2

# Fragments of driver messages (SQLite, asyncpg) that mean "try again later".
_TRANSIENT_MESSAGES = (
    "database is locked",
    "database table is locked",
    "interrupted",  # SQLite's progress handler stopped a statement over its budget
    "canceling statement due to statement timeout",
    "canceling statement due to lock timeout",
    "connection was closed",
    "connection is closed",
    "too many clients",
    "the database system is",  # starting up / shutting down / in recovery mode
)


def unavailable_reason(error: BaseException | None) -> str | None:
    """A short reason when ``error`` means the database is unavailable for now; else None."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, sa.TimeoutError):
            return "no database connection was free in time"
        if isinstance(error, ConnectionError | asyncio.TimeoutError | TimeoutError):
            return "the database is unreachable"
        if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
            return "the database connection was lost"
        if isinstance(error, sa.OperationalError | sa.InterfaceError | sa.DBAPIError):
            message = str(error.orig if error.orig is not None else error).lower()
            for fragment in _TRANSIENT_MESSAGES:
                if fragment in message:
                    return f"the database is busy or unavailable ({fragment})"
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError | PermissionError):
            return "the database is unreachable"
        error = error.__cause__ or error.__context__
        seen += 1
    return None
