"""Queueing: a message exists exactly when the transaction that caused it commits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app import clock
from app.db import Database
from app.mail import enqueue
from app.models import OutboxMessage, OutboxStatus
from tests.mail.conftest import SAMPLES, mail_settings, outbox


class Boom(Exception):
    pass


async def test_rolled_back_transaction_leaves_no_message(database: Database, database_url: str) -> None:
    settings = mail_settings(database_url)
    with pytest.raises(Boom):
        async with database.writer() as session, session.begin():
            enqueue(session, settings, "password_reset", "kari@klinikk.test", **SAMPLES["password_reset"])
            await session.flush()  # the row really reached the database before the rollback
            assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
            raise Boom
    assert await outbox(database) == []


async def test_committed_transaction_leaves_one_pending_message(database: Database, database_url: str) -> None:
    moment = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    clock.set_now(moment)
    settings = mail_settings(database_url)
    async with database.writer() as session, session.begin():
        enqueue(session, settings, "password_reset", "kari@klinikk.test", **SAMPLES["password_reset"])

    [row] = await outbox(database)
    assert row.status is OutboxStatus.PENDING
    assert row.template == "password_reset"
    assert row.to_address == "kari@klinikk.test"
    assert row.subject == "Tilbakestill passordet ditt hos Nettbutikken"
    assert "Hei Kari Ødegård," in row.text_body
    assert "Hei Kari Ødegård," in row.html_body
    assert row.attempts == 0 and row.sent_at is None and row.last_error is None
    assert row.next_attempt_at == moment and row.created_at == moment
