"""Prometheus metrics, served on ``/metrics``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``commerce serve --workers N`` sets it
up), every worker writes its values to files there and a scrape, answered by
any one worker, adds them all up. The pool gauge is kept per process and
summed over the live ones; the outbox gauges are read from the database at
scrape time, so they are the same whichever worker answers.

Operation names come from clients: only the first ``MAX_OPERATION_NAMES``
distinct well-formed ones become label values, the rest count as ``other``,
so a client cannot grow the series without bound.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app import request_context
from app.models.outbox import OutboxMessage, OutboxStatus
from app.ratelimit import REFUSAL_LISTENERS

__all__ = ["CONTENT_TYPE_LATEST", "count_rate_limited", "login_failed", "account_locked"]

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")

REQUESTS = Counter(
    "commerce_graphql_requests_total",
    "GraphQL requests by operation name and outcome (ok, error, rejected, internal).",
    ["operation", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "commerce_graphql_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by operation name.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SQL_STATEMENTS = Histogram(
    "commerce_sql_statements_per_request",
    "SQL statements one GraphQL request sent to the database.",
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144),
)
POOL_IN_USE = Gauge(
    "commerce_db_pool_connections_in_use",
    "Database connections checked out of the pool (all live workers together).",
    multiprocess_mode="livesum",
)
LOGINS_FAILED = Counter("commerce_logins_failed_total", "Refused sign-ins, by reason.", ["reason"])
ACCOUNTS_LOCKED = Counter(
    "commerce_accounts_locked_total", "Accounts (or unknown emails) locked after too many failed sign-ins."
)
RATE_LIMITED = Counter("commerce_rate_limited_total", "Requests refused by a rate limit, by limit.", ["limit"])

_known_operations: set[str] = set()
_known_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    if name is None:
        return "anonymous"
    if name in _known_operations:
        return name
    if _NAME.fullmatch(name) is None:
        return "other"
    with _known_lock:
        if len(_known_operations) >= MAX_OPERATION_NAMES:
            return "other"
        _known_operations.add(name)
    return name


# (operation, outcome) -> its children: labels() costs more than the observation itself.
_children: dict[tuple[str | None, str], tuple[Any, Any]] = {}


def observe_request(operation: str | None, outcome: str, seconds: float, statements: int) -> None:
    children = _children.get((operation, outcome))
    if children is None:
        label = operation_label(operation)
        children = (REQUESTS.labels(label, outcome), REQUEST_SECONDS.labels(label))
        if label != "other":  # bounded like the labels; the rest look their children up
            _children[(operation, outcome)] = children
    children[0].inc()
    children[1].observe(seconds)
    SQL_STATEMENTS.observe(statements)


def login_failed(reason: str) -> None:
    LOGINS_FAILED.labels(reason).inc()


def account_locked() -> None:
    ACCOUNTS_LOCKED.inc()


def count_rate_limited(limit: str) -> None:
    """For the rate limiter: one request refused by ``limit`` (a short fixed name)."""
    RATE_LIMITED.labels(limit).inc()


# Every refusal, per request or per field, is counted; the rule names are fixed in the code.
REFUSAL_LISTENERS.append(count_rate_limited)


def instrument_engine(engine: AsyncEngine) -> None:
    """Counts statements per request and connections in use on ``engine``."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        # Outside a request (mail sender, scrapes) nothing is counted.
        request = request_context.current.get()
        if request is not None:
            request.statements += 1

    @event.listens_for(sync_engine.pool, "checkout")
    def _checkout(*_args: Any) -> None:
        POOL_IN_USE.inc()

    @event.listens_for(sync_engine.pool, "checkin")
    def _checkin(*_args: Any) -> None:
        POOL_IN_USE.dec()


class _Snapshot(Collector):
    """Values read just before this scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def _outbox_families(engine: AsyncEngine) -> list[Metric]:
    async with engine.connect() as connection:
        rows = dict(
            (
                await connection.execute(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)))
                    .group_by(OutboxMessage.status)
                )
            ).all()
        )
    pending = GaugeMetricFamily("commerce_outbox_pending", "Outbox emails waiting to be sent (retries included).")
    pending.add_metric([], rows.get(OutboxStatus.PENDING, 0))
    failed = GaugeMetricFamily("commerce_outbox_failed", "Outbox emails given up on after the last retry.")
    failed.add_metric([], rows.get(OutboxStatus.FAILED, 0))
    return [pending, failed]


async def exposition(engine: AsyncEngine) -> bytes:
    """The text a scrape answers: this process's (or all workers') metrics, and the outbox."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(await _outbox_families(engine)))
    return generate_latest(registry) + generate_latest(snapshot)


def process_exiting() -> None:
    """A worker's live gauges stop counting when it stops."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())
