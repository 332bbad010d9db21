"""Delivering the outbox: exactly once, through outages, with several senders at once."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app import clock
from app import settings as limits
from app.db import Database
from app.mail import enqueue
from app.mail.sender import DeliveryReport, MailSender, MailWorker
from app.mail.transport import transport_from_url
from app.models import OutboxStatus
from tests.helpers.smtp import SmtpSink, free_port
from tests.mail.conftest import SENDER, mail_settings, outbox, queue, row_id, wait_for_mail

ROOT = Path(__file__).resolve().parents[2]


def smtp_sender(database: Database, sink: SmtpSink) -> MailSender:
    return MailSender(database, transport_from_url(sink.url), SENDER)


def message_ids(sink: SmtpSink) -> list[str]:
    return [row_id(m["Message-ID"]) for m in sink.messages]


async def test_delivers_each_pending_message_once(database: Database, database_url: str, smtp_sink: SmtpSink) -> None:
    settings = mail_settings(database_url)
    ids = await queue(database, settings, 2, "password_reset")
    ids += await queue(database, settings, 1, "account_request_rejected")
    sender = smtp_sender(database, smtp_sink)

    assert await sender.deliver_pending() == DeliveryReport(sent=3, failed=0)
    assert sorted(message_ids(smtp_sink)) == sorted(i for i in ids)
    assert [m["Subject"] for m in smtp_sink.messages].count("Tilbakestill passordet ditt hos Nettbutikken") == 2
    rows = await outbox(database)
    assert [row.status for row in rows] == [OutboxStatus.SENT] * 3
    assert all(row.sent_at is not None and row.attempts == 0 and row.last_error is None for row in rows)

    # Nothing is left: a second round sends nothing.
    assert await sender.deliver_pending() == DeliveryReport(sent=0, failed=0)
    assert len(smtp_sink.messages) == 3

    # Only the new message goes out in the next round.
    [new] = await queue(database, settings, 1, "invitation")
    assert await sender.deliver_pending() == DeliveryReport(sent=1, failed=0)
    assert message_ids(smtp_sink)[3:] == [new]


async def test_server_down_then_up(database: Database, database_url: str) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    clock.set_now(start)
    sink = SmtpSink(free_port())  # nothing listens on this port yet
    settings = mail_settings(database_url)
    ids = await queue(database, settings, 2, "invitation")
    sender = smtp_sender(database, sink)
    try:
        assert await sender.deliver_pending() == DeliveryReport(sent=0, failed=2)
        for row in await outbox(database):
            assert row.status is OutboxStatus.PENDING
            assert row.attempts == 1
            assert row.last_error  # e.g. "SMTPConnectError: ..."
            assert row.next_attempt_at == start + timedelta(seconds=limits.MAIL_BACKOFF_BASE_SECONDS)
            assert row.next_attempt_at > clock.now()
            assert row.lease_until is None and row.sent_at is None

        # The server comes back, but the backoff has not run out: nothing is tried yet.
        sink.start()
        assert await sender.deliver_pending() == DeliveryReport(sent=0, failed=0)
        assert sink.messages == []

        clock.set_now(start + timedelta(seconds=limits.MAIL_BACKOFF_BASE_SECONDS + 1))
        assert await sender.deliver_pending() == DeliveryReport(sent=2, failed=0)
        assert sorted(message_ids(sink)) == sorted(i for i in ids)
        rows = await outbox(database)
        assert [row.status for row in rows] == [OutboxStatus.SENT] * 2
        assert all(row.attempts == 1 for row in rows)

        clock.set_now(start + timedelta(hours=2))
        assert await sender.deliver_pending() == DeliveryReport(sent=0, failed=0)
        assert len(sink.messages) == 2
    finally:
        sink.stop()


async def test_gives_up_after_max_attempts(database: Database, database_url: str) -> None:
    moment = datetime.now(UTC)
    clock.set_now(moment)
    sink = SmtpSink(free_port())  # never started until the end
    [row_id] = await queue(database, mail_settings(database_url), 1, "password_reset")
    sender = smtp_sender(database, sink)
    waits = []
    for attempt in range(1, limits.MAIL_MAX_ATTEMPTS + 1):
        assert await sender.deliver_pending() == DeliveryReport(sent=0, failed=1)
        [row] = await outbox(database)
        assert row.attempts == attempt
        if attempt < limits.MAIL_MAX_ATTEMPTS:
            assert row.status is OutboxStatus.PENDING
            waits.append(row.next_attempt_at - moment)
            moment = row.next_attempt_at
            clock.set_now(moment)
    assert row.status is OutboxStatus.FAILED and row.last_error
    # Exponential backoff, capped.
    assert waits[:4] == [timedelta(seconds=s) for s in (2, 4, 8, 16)]
    assert max(waits) <= timedelta(seconds=limits.MAIL_BACKOFF_MAX_SECONDS)

    # A failed message stays failed, even when the server is back.
    sink.start()
    try:
        clock.set_now(moment + timedelta(days=1))
        assert await sender.deliver_pending() == DeliveryReport(sent=0, failed=0)
        assert sink.messages == []
        [row] = await outbox(database)
        assert row.id == row_id and row.status is OutboxStatus.FAILED
    finally:
        sink.stop()


async def test_claimed_message_waits_for_its_lease(database: Database, database_url: str, smtp_sink: SmtpSink) -> None:
    """A sender that claimed and then died holds the row only until its lease runs out."""
    start = datetime.now(UTC)
    clock.set_now(start)
    [row_id] = await queue(database, mail_settings(database_url), 1, "password_reset")
    crashed = smtp_sender(database, smtp_sink)
    assert [row.id for row in await crashed.claim()] == [row_id]

    other = smtp_sender(database, smtp_sink)
    assert await other.deliver_pending() == DeliveryReport(sent=0, failed=0)
    assert smtp_sink.messages == []

    clock.set_now(start + timedelta(seconds=limits.MAIL_LEASE_SECONDS + 1))
    assert await other.deliver_pending() == DeliveryReport(sent=1, failed=0)
    assert message_ids(smtp_sink) == [row_id]
    [row] = await outbox(database)
    assert row.status is OutboxStatus.SENT and row.claimed_by == other.worker_id


async def _assert_all_sent_once(database: Database, sink: SmtpSink, ids: list[int]) -> None:
    received = message_ids(sink)
    assert len(received) == len(ids)
    assert len(set(received)) == len(ids)
    assert set(received) == {i for i in ids}
    rows = await outbox(database)
    assert len(rows) == len(ids)
    assert all(row.status is OutboxStatus.SENT for row in rows)


async def test_two_senders_in_process_deliver_each_message_once(
    database: Database, database_url: str, smtp_sink: SmtpSink
) -> None:
    ids = await queue(database, mail_settings(database_url), 120, "password_reset")
    second = Database(database_url)
    try:
        reports = await asyncio.gather(
            smtp_sender(database, smtp_sink).deliver_pending(),
            smtp_sender(second, smtp_sink).deliver_pending(),
        )
    finally:
        await second.dispose()
    assert sum(r.sent for r in reports) == 120 and sum(r.failed for r in reports) == 0
    await _assert_all_sent_once(database, smtp_sink, ids)


async def test_two_send_pending_processes_deliver_each_message_once(
    database: Database, database_url: str, smtp_sink: SmtpSink
) -> None:
    ids = await queue(database, mail_settings(database_url), 120, "invitation")
    env = {
        **os.environ,
        "COMMERCE_DATABASE_URL": database_url,
        "COMMERCE_MAIL_URL": smtp_sink.url,
        "COMMERCE_MAIL_FROM": SENDER,
        "COMMERCE_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "app.cli", "mail", "send-pending"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]
    sent = 0
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        match = re.search(r"sent (\d+), failed (\d+)", out)
        assert match is not None, out
        assert match[2] == "0", err
        sent += int(match[1])
    assert sent == 120, outputs
    await _assert_all_sent_once(database, smtp_sink, ids)


async def test_worker_delivers_when_woken_and_stops_cleanly(
    database: Database, database_url: str, smtp_sink: SmtpSink
) -> None:
    settings = mail_settings(database_url)
    # A long poll: only wake() can explain a quick delivery.
    worker = MailWorker(smtp_sender(database, smtp_sink), poll_seconds=60)
    worker.start()
    try:
        await asyncio.sleep(0.3)  # its first round finds nothing and starts waiting
        [queued] = await queue(database, settings, 1, "account_request_received")
        await asyncio.sleep(0.3)
        assert smtp_sink.messages == []  # queued, but nobody woke it

        worker.wake()
        received = await wait_for_mail(smtp_sink, 1, timeout=2.0)
        assert [row_id(m["Message-ID"]) for m in received] == [queued]
        assert received[0]["To"] == "kunde0@klinikk.test"
        assert received[0]["Subject"] == "Ny forespørsel om konto: Tannlegene på Grünerløkka AS (Siv Sæther)"
        # Woken again with nothing new: still exactly one delivery.
        worker.wake()
        await asyncio.sleep(0.3)
        assert len(smtp_sink.messages) == 1
    finally:
        await asyncio.wait_for(worker.stop(), timeout=5)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "mail-worker"]
    [row] = await outbox(database)
    assert row.status is OutboxStatus.SENT

    # Stopped means stopped: a later message stays queued.
    await queue(database, settings, 1, "password_reset")
    worker.wake()
    await asyncio.sleep(0.3)
    assert len(smtp_sink.messages) == 1
    assert [row.status for row in await outbox(database)] == [OutboxStatus.SENT, OutboxStatus.PENDING]


async def test_a_message_that_cannot_be_built_fails_alone(
    database: Database, database_url: str, smtp_sink: SmtpSink
) -> None:
    settings = mail_settings(database_url)
    good_before = await queue(database, settings, 1)
    async with database.transaction() as session:
        # A header injection attempt: the address cannot become a header.
        bad = enqueue(session, settings, "password_reset", "evil@x.test\r\nBcc: all@x.test", name="X", link="http://x")
    good_after = await queue(database, settings, 1)
    report = await smtp_sender(database, smtp_sink).deliver_pending()
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(message_ids(smtp_sink)) == sorted(good_before + good_after)
    statuses = {row.id: (row.status, row.attempts) for row in await outbox(database)}
    assert statuses[bad.id] == (OutboxStatus.PENDING, 1)


async def test_stopping_the_worker_records_what_it_sent(
    database: Database, database_url: str, smtp_sink: SmtpSink
) -> None:
    settings = mail_settings(database_url)
    worker = MailWorker(smtp_sender(database, smtp_sink), poll_seconds=60)
    worker.start()
    await asyncio.sleep(0.2)
    await queue(database, settings, 150)
    worker.wake()
    await asyncio.sleep(0.05)  # the round has begun
    await worker.stop()
    received = set(message_ids(smtp_sink))
    sent = {row.id for row in await outbox(database) if row.status is OutboxStatus.SENT}
    # Whatever reached the server is recorded as sent: nothing goes out twice after a restart.
    assert received and received == sent


async def test_a_claim_takes_no_more_than_its_batch(database: Database, database_url: str) -> None:
    """A claim leases at most ``limit`` rows, the oldest first, and leaves the rest to other senders.

    Without the materialised CTE, PostgreSQL may plan ``IN (SELECT ... LIMIT n FOR UPDATE SKIP
    LOCKED)`` as a semi-join that re-runs the subquery and leases every due row at once.
    """
    settings = mail_settings(database_url)
    ids = await queue(database, settings, 30, "password_reset")
    sender = MailSender(database, transport_from_url("smtp://127.0.0.1:9"), SENDER)

    claimed = await sender.claim(limit=5)

    assert [row.id for row in claimed] == sorted(ids)[:5]
    leased = [row for row in await outbox(database) if row.lease_until is not None]
    assert sorted(row.id for row in leased) == sorted(ids)[:5]
    other = MailSender(database, transport_from_url("smtp://127.0.0.1:9"), SENDER)
    assert [row.id for row in await other.claim(limit=5)] == sorted(ids)[5:10]
