"""Helpers for the mail tests: sample parameters, queueing, reading the outbox."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from app.db import Database
from app.mail import enqueue
from app.models import OutboxMessage
from app.settings import Settings
from tests.helpers.smtp import SmtpSink

SENDER = "no-reply@nettbutikken.test"

# Realistic values for every template, with Norwegian letters throughout.
SAMPLES: dict[str, dict[str, Any]] = {
    "password_reset": {
        "name": "Kari Ødegård",
        "link": "http://shop.test/reset-password?token=ot_abc123&x=1",
    },
    "invitation": {
        "name": "Bjørn Ås",
        "link": "http://shop.test/reset-password?token=ot_inv456",
        "customer_names": ["Helsesenteret Æra (20001)", "Legekontoret på Løten (20002)"],
        "invited_by": "Åse Ødegaard",
    },
    "membership_added": {
        "name": "Bjørn Ås",
        "role": "innkjøper",
        "customer_names": ["Helsesenteret Æra (20001)"],
        "invited_by": "Åse Ødegaard",
    },
    "account_request_received": {
        "name": "Siv Sæther",
        "email": "siv@klinikk.test",
        "phone": "+47 912 34 567",
        "company_name": "Tannlegene på Grünerløkka AS",
        "customer_number": "20017",
        "message": "Vi ønsker å bestille hansker.\nRing gjerne før kl. 15.",
    },
    "account_request_rejected": {
        "name": "Øystein Ås",
        "reason": "Vi selger bare til helsepersonell og helseforetak.",
    },
}


def mail_settings(database_url: str, mail_url: str = "file://./var/mail") -> Settings:
    return Settings(database_url=database_url, mail_url=mail_url, mail_from=SENDER, public_url="http://shop.test")


async def queue(
    database: Database, settings: Settings, count: int = 1, template: str = "password_reset", **params: Any
) -> list[int]:
    """Queue ``count`` messages in one committed transaction; their outbox ids."""
    values = {**SAMPLES[template], **params}
    async with database.writer() as session, session.begin():
        rows = [enqueue(session, settings, template, f"kunde{i}@klinikk.test", **values) for i in range(count)]
    return [row.id for row in rows]


async def outbox(database: Database) -> list[OutboxMessage]:
    async with database.reader() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def wait_for_mail(sink: SmtpSink, count: int, timeout: float = 5.0) -> list[EmailMessage]:
    """Like ``sink.wait_for`` but without blocking the event loop (the sender runs on it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(sink.messages) < count and loop.time() < deadline:
        await asyncio.sleep(0.02)
    return sink.messages


def row_id(message_id: str) -> int:
    """The outbox row a Message-ID names (``<outbox-ID.CREATED@domain>``)."""
    match = re.fullmatch(r"<outbox-(\d+)\.\d{20}@nettbutikken\.test>", message_id)
    assert match, message_id
    return int(match.group(1))
