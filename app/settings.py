"""Configuration from the environment, and the service's fixed limits.

Every setting is an environment variable (``COMMERCE_*``); the CLI's flags
override them. Limits that protect the endpoint live here too, in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Self

# Protective limits of the GraphQL endpoint: each breach is a clear error.
MAX_BODY_BYTES = 1_000_000
# ERP batches of 1,000 products with texts and documents need more: an API key's
# request (bearer token with the key prefix) may be this large.
MAX_INTEGRATION_BODY_BYTES = 16_000_000
MAX_QUERY_DEPTH = 15
MAX_ALIASES_PER_FIELD = 30
MAX_ALIASES_TOTAL = 50
MAX_TOKENS = 5_000
# Strings longer than this (in variables, JSON keys included, and in the
# document's literals) are refused before execution.
MAX_STRING_VARIABLE_CHARS = 100_000
# Static cost of one operation (app/http/query_cost.py: every field 1 point,
# times `first` or the default page size of 20 for each list above it). The
# costliest contract operation, CategoryTree (three nested lists at 20 each),
# counts 34,101 and GraphiQL's introspection query 57,232; FindCustomers with
# first: 100 counts 10,701. 100,000 leaves those room and still refuses what
# would resolve hundreds of thousands of fields: the costliest documents allowed
# take about 0.1 to 0.3 s of CPU here (see tests/http/test_query_cost.py).
MAX_QUERY_COST = 100_000
# The parsed-document cache holds at most this many characters of query text
# (about 80 to 160 bytes of memory each once parsed: some 50 MB at most).
MAX_CACHED_QUERY_CHARS = 300_000

# Pagination (Relay connections).
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# PostgreSQL pool per process.
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 10
# SQLite: how long a writer waits for the lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Any one SQL statement is stopped after this long (PostgreSQL statement_timeout;
# on SQLite a progress handler): no query holds a connection or the SQLite
# lock indefinitely. The slowest statements the service runs (a 1,000-item
# ERP upsert, a search over 100k products) take well under a second here.
STATEMENT_TIMEOUT_MS = 10_000

# Outbox delivery.
MAIL_BATCH_SIZE = 50
MAIL_LEASE_SECONDS = 120
MAIL_MAX_ATTEMPTS = 12
MAIL_BACKOFF_BASE_SECONDS = 2.0
MAIL_BACKOFF_MAX_SECONDS = 3600.0
MAIL_POLL_SECONDS = 2.0
MAIL_SMTP_TIMEOUT_SECONDS = 15.0

# Rate limits (app/ratelimit/), each "N/period", several joined by ";", in the
# syntax of the `limits` library, counted in moving windows. Counted per field
# execution: 30 aliases of one mutation in a document count 30.
# Per token (user session or API key), every request: a page of the shop sends a
# handful at once and an ERP sends its batches one after another; more is a
# runaway loop or a stolen token, and it must not take a worker from everyone
# else. One window of a second: a longer one would keep every request of the
# window in memory, for little more protection.
# These two are counted per worker process, also with Redis (app/ratelimit/limiter.py says why).
RATE_REQUESTS_PER_TOKEN = "20/second"
# Per client address, every request without a valid token: anonymous callers can
# only sign in, ask for links and accounts, and be told to sign in.
RATE_REQUESTS_PER_ANONYMOUS_CLIENT = "10/second"
# login per email, on top of the lockout after five failures: enough for typos
# and several devices; caps the argon2 work one address can cost.
RATE_LOGIN_PER_EMAIL = "10/minute"
# login per client address: a clinic signing in its shift from behind one NAT,
# not a credential-stuffing run over many addresses.
RATE_LOGIN_PER_CLIENT = "30/minute;300/hour"
# requestPasswordReset per email: a person who lost the mail tries again a few
# times; nobody's inbox gets flooded (the link lasts an hour, only the newest works).
RATE_PASSWORD_RESET_PER_EMAIL = "5/hour"
RATE_PASSWORD_RESET_PER_CLIENT = "20/hour"
# resetPassword per client address: each attempt may cost an argon2 hash.
RATE_RESET_PASSWORD_PER_CLIENT = "10/minute"
# requestAccount mails support: a new customer asks once, an office a few times.
RATE_ACCOUNT_REQUEST_PER_EMAIL = "3/hour"
RATE_ACCOUNT_REQUEST_PER_CLIENT = "5/hour;20/day"
# requestPasswordReset and requestAccount answer no sooner than this after they
# start, known email or not, so their timing tells nothing (app/identity/equal_time.py).
EQUAL_TIME_SECONDS = 0.25

# Webhooks (app/webhooks/).
WEBHOOK_MAX_ENDPOINTS_PER_KEY = 20
WEBHOOK_TIMEOUT_SECONDS = 5.0
WEBHOOK_MAX_RESPONSE_BYTES = 65_536
WEBHOOK_BATCH_SIZE = 50
WEBHOOK_LEASE_SECONDS = 60
# 5 s doubling to an hour: 40 attempts span about 31 hours, past the day that disables an endpoint.
WEBHOOK_MAX_ATTEMPTS = 40
WEBHOOK_BACKOFF_BASE_SECONDS = 5.0
WEBHOOK_BACKOFF_MAX_SECONDS = 3600.0
WEBHOOK_DISABLE_AFTER_SECONDS = 86_400
WEBHOOK_POLL_SECONDS = 1.0


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The rate limits in force (defaults above); ``enabled=False`` only for tests and benchmarks."""

    enabled: bool = True
    requests_per_token: str = RATE_REQUESTS_PER_TOKEN
    requests_per_anonymous_client: str = RATE_REQUESTS_PER_ANONYMOUS_CLIENT
    login_per_email: str = RATE_LOGIN_PER_EMAIL
    login_per_client: str = RATE_LOGIN_PER_CLIENT
    password_reset_per_email: str = RATE_PASSWORD_RESET_PER_EMAIL
    password_reset_per_client: str = RATE_PASSWORD_RESET_PER_CLIENT
    reset_password_per_client: str = RATE_RESET_PASSWORD_PER_CLIENT
    account_request_per_email: str = RATE_ACCOUNT_REQUEST_PER_EMAIL
    account_request_per_client: str = RATE_ACCOUNT_REQUEST_PER_CLIENT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """``COMMERCE_RATE_LIMITS=false`` switches them off; ``COMMERCE_RATE_LIMIT_LOGIN_PER_CLIENT=60/minute`` etc. tune one."""
        tuned = {
            name: env[f"COMMERCE_RATE_LIMIT_{name.upper()}"]
            for name in cls.__dataclass_fields__
            if name != "enabled" and f"COMMERCE_RATE_LIMIT_{name.upper()}" in env
        }
        return cls(enabled=_env_bool(env.get("COMMERCE_RATE_LIMITS", "true")), **tuned)


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
    # Where rate-limit counts live: memory:// (per process) or redis://host:port/db (shared by workers).
    rate_limit_url: str = "memory://"
    rate_limit_prefix: str = "commerce"
    # Proxies (addresses or networks) whose X-Forwarded-For names the client; none by default.
    trusted_proxies: tuple[str, ...] = ()
    rate_limits: RateLimits = RateLimits()
    # Webhook targets may be http:// and private, loopback or link-local addresses (tests, closed networks).
    webhook_allow_private: bool = False

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
            rate_limit_url=env.get("COMMERCE_RATE_LIMIT_URL", base.rate_limit_url),
            rate_limit_prefix=env.get("COMMERCE_RATE_LIMIT_PREFIX", base.rate_limit_prefix),
            trusted_proxies=tuple(p.strip() for p in env.get("COMMERCE_TRUSTED_PROXIES", "").split(",") if p.strip()),
            rate_limits=RateLimits.from_env(env),
            webhook_allow_private=_env_bool(env.get("COMMERCE_WEBHOOK_ALLOW_PRIVATE", "false")),
        )

    def with_overrides(self, **changes: object) -> Self:
        given: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given)


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
