"""Configuration from the environment, and the service's fixed limits.

Every setting is an environment variable (``COMMERCE_*``); the CLI's flags
override them. Limits that protect the endpoint live here too, in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Self

# Protective limits of the GraphQL endpoint: each breach is a clear error.
MAX_BODY_BYTES = 1_000_000
# ERP batches of 1,000 products with texts and documents need more: an API key's
# request (bearer token with the key prefix) may be this large.
MAX_INTEGRATION_BODY_BYTES = 16_000_000
MAX_QUERY_DEPTH = 15
MAX_ALIASES_PER_FIELD = 30
MAX_ALIASES_TOTAL = 50
MAX_TOKENS = 5_000
# Strings longer than this in variables are refused before execution.
MAX_STRING_VARIABLE_CHARS = 100_000

# Pagination (Relay connections).
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# PostgreSQL pool per process.
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 10
# SQLite: how long a writer waits for the lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 10_000

# Outbox delivery.
MAIL_BATCH_SIZE = 50
MAIL_LEASE_SECONDS = 120
MAIL_MAX_ATTEMPTS = 12
MAIL_BACKOFF_BASE_SECONDS = 2.0
MAIL_BACKOFF_MAX_SECONDS = 3600.0
MAIL_POLL_SECONDS = 2.0
MAIL_SMTP_TIMEOUT_SECONDS = 15.0


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///./var/commerce.db"
    mail_url: str = "file://./var/mail"
    mail_from: str = "no-reply@localhost"
    support_email: str = "support@localhost"
    public_url: str = "http://127.0.0.1:8000"
    graphiql: bool = True
    log_level: str = "info"
    # Whether `serve` delivers the outbox in the background.
    mail_worker: bool = True

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Self:
        env = os.environ if environ is None else environ
        base = cls()
        return cls(
            database_url=env.get("COMMERCE_DATABASE_URL", base.database_url),
            mail_url=env.get("COMMERCE_MAIL_URL", base.mail_url),
            mail_from=env.get("COMMERCE_MAIL_FROM", base.mail_from),
            support_email=env.get("COMMERCE_SUPPORT_EMAIL", base.support_email),
            public_url=env.get("COMMERCE_PUBLIC_URL", base.public_url).rstrip("/"),
            graphiql=_env_bool(env.get("COMMERCE_GRAPHIQL", "true")),
            log_level=env.get("COMMERCE_LOG_LEVEL", base.log_level).lower(),
            mail_worker=_env_bool(env.get("COMMERCE_MAIL_WORKER", "true")),
        )

    def with_overrides(self, **changes: object) -> Self:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# Live carts over WebSocket (graphql-transport-ws), per connection and per worker process.
# A shift's browser tabs need a handful each; more is a leak or abuse.
LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION = 20
# Per user on one worker process (counted in the process; a user on several workers may hold this on each).
LIVE_MAX_SUBSCRIPTIONS_PER_USER = 50
# A client that has not sent connection_init by then is closed (4408), so a silent socket holds nothing.
LIVE_INIT_TIMEOUT_SECONDS = 10.0
# Server pings this often; a client silent (no pong, no message) for LIVE_IDLE_SECONDS is closed.
LIVE_PING_SECONDS = 20.0
LIVE_IDLE_SECONDS = 60.0
# Reach is re-checked at least this often even without changes (expired sessions end too).
LIVE_RECHECK_SECONDS = 60.0
# Notices waiting per subscription; a subscriber this far behind is ended (SLOW_CONSUMER).
LIVE_QUEUE_EVENTS = 100
# Largest message a client may send (a subscribe carries one small document).
LIVE_MAX_MESSAGE_BYTES = 64_000
LIVE_LISTEN_CONNECT_SECONDS = 5.0
