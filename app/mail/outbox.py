"""Queueing email: a row in the same transaction as the change that causes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app.mail.templates import render
from app.models import OutboxMessage
from app.settings import Settings


def enqueue(session: AsyncSession, settings: Settings, template: str, to: str, /, **params: Any) -> OutboxMessage:
    """Render ``template`` for ``to`` and add it to ``session``'s transaction.

    Rendering now, not at delivery, means the message says what was true when
    the change committed, whatever happens to the data later.
    """
    mail = render(template, public_url=settings.public_url, **params)
    message = OutboxMessage(
        template=template,
        to_address=to,
        subject=mail.subject[:300],
        text_body=mail.text,
        html_body=mail.html,
        next_attempt_at=clock.now(),
    )
    session.add(message)
    return message
