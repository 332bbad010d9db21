"""The webhook sender in the background of ``serve``, run like the mail sender."""

from __future__ import annotations

from typing import Self

from app import settings as limits
from app.db import Database
from app.mail.sender import MailWorker
from app.settings import Settings
from app.webhooks.sender import WebhookSender


class WebhookWorker(MailWorker):
    """MailWorker's loop (wake-ups, polling, a clean stop) around a WebhookSender."""

    sender: WebhookSender  # type: ignore[assignment]

    @classmethod
    def start_for(cls, database: Database, settings: Settings) -> Self:
        worker = cls(WebhookSender(database, settings), poll_seconds=limits.WEBHOOK_POLL_SECONDS)  # type: ignore[arg-type]
        worker.start()
        return worker

    async def stop(self, grace_seconds: float = 20.0) -> None:
        await super().stop(grace_seconds)
        await self.sender.close()
