"""Delivering the outbox, exactly once even with several senders at work.

A sender claims due rows by giving them a lease in one conditional UPDATE
(on PostgreSQL its subquery takes the rows ``FOR UPDATE SKIP LOCKED``, and runs
once, see :func:`app.dml.claimable`, so two senders pick disjoint rows without
waiting; on SQLite the write lock taken by ``BEGIN IMMEDIATE`` serialises
claims). Only the lease holder marks a row sent.
A failed delivery is retried with exponential backoff; after
``MAIL_MAX_ATTEMPTS`` the row is marked FAILED and stays for inspection.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select, update

from app import clock
from app import settings as limits
from app.db import Database
from app.dml import claimable
from app.mail.transport import Transport, build_message
from app.models import OutboxMessage, OutboxStatus

log = logging.getLogger("app.mail")


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 2 s, 4 s, 8 s ... capped at an hour."""
    seconds = limits.MAIL_BACKOFF_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, limits.MAIL_BACKOFF_MAX_SECONDS))


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0


class MailSender:
    def __init__(self, database: Database, transport: Transport, sender_address: str) -> None:
        self.database = database
        self.transport = transport
        self.sender_address = sender_address
        self.worker_id = uuid.uuid4().hex

    async def claim(self, limit: int = limits.MAIL_BATCH_SIZE) -> list[OutboxMessage]:
        now = clock.now()
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(claimable(due)),
                # Checked again on the locked row, so a row is never claimed twice.
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .values(claimed_by=self.worker_id, lease_until=now + timedelta(seconds=limits.MAIL_LEASE_SECONDS))
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        async with self.database.writer() as session, session.begin():
            rows = list((await session.scalars(claim)).all())
        return sorted(rows, key=lambda row: row.id)

    async def deliver_pending(self) -> DeliveryReport:
        """Deliver everything due now; returns how many were sent and failed."""
        sent = failed = 0
        while True:
            rows = await self.claim()
            if not rows:
                return DeliveryReport(sent, failed)
            outcomes = await self._send(rows)
            await self._record(rows, outcomes)
            sent += sum(1 for outcome in outcomes if outcome is None)
            failed += sum(1 for outcome in outcomes if outcome is not None)
            if any(outcome is not None for outcome in outcomes):
                # Something is wrong with the server; later rows wait for the next round.
                return DeliveryReport(sent, failed)

    async def _send(self, rows: list[OutboxMessage]) -> list[Exception | None]:
        """Send what can be built; a row whose message cannot be built fails alone."""
        outcomes: list[Exception | None] = [None] * len(rows)
        messages: list[EmailMessage] = []
        positions: list[int] = []
        for position, row in enumerate(rows):
            try:
                messages.append(build_message(row, self.sender_address))
                positions.append(position)
            except (ValueError, TypeError) as error:
                outcomes[position] = error
        if messages:
            for position, outcome in zip(positions, await self.transport.send(messages), strict=True):
                outcomes[position] = outcome
        return outcomes

    async def _record(self, rows: list[OutboxMessage], outcomes: list[Exception | None]) -> None:
        now = clock.now()
        mine = (OutboxMessage.claimed_by == self.worker_id,)
        async with self.database.writer() as session, session.begin():
            for row, outcome in zip(rows, outcomes, strict=True):
                if outcome is None:
                    values: dict[str, object] = {"status": OutboxStatus.SENT, "sent_at": now, "lease_until": None}
                else:
                    attempts = row.attempts + 1
                    gave_up = attempts >= limits.MAIL_MAX_ATTEMPTS
                    values = {
                        "attempts": attempts,
                        "status": OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                        "next_attempt_at": now + backoff(attempts),
                        "lease_until": None,
                        "last_error": f"{type(outcome).__name__}: {outcome}"[:2000],
                    }
                    log.warning(
                        "mail delivery failed",
                        extra={"outbox_id": row.id, "attempts": attempts, "gave_up": gave_up, "error": str(outcome)},
                    )
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, *mine)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )


class MailWorker:
    """Runs a sender in the background of ``serve``: on every wake-up and every few seconds."""

    def __init__(self, sender: MailSender, poll_seconds: float = limits.MAIL_POLL_SECONDS) -> None:
        self.sender = sender
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="mail-worker")

    async def stop(self, grace_seconds: float = 20.0) -> None:
        """Let the round in progress finish (so sent mail is recorded as sent), then end."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace_seconds)
        except TimeoutError:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.sender.deliver_pending()
            except Exception:
                # A database hiccup must not end the worker; the next round retries.
                log.exception("mail worker round failed")
            if self._stopping:
                return
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
