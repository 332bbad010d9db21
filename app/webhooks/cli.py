"""``commerce webhook ...``: register an endpoint for an API key, and deliver the queue once."""

from __future__ import annotations

import asyncio

import click
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin import AdminError
from app.db import Database
from app.errors import DomainError
from app.ids import encode_id
from app.models import ApiKey
from app.policy import Scope
from app.webhooks import endpoints
from app.webhooks.events import EVENT_TYPES


@click.group()
def webhook() -> None:
    """Webhook endpoints of API keys, and their delivery."""


@webhook.command("create")
@click.option(
    "--api-key", "key_name", required=True, help="Name of the live API key (scope webhooks:write) it belongs to."
)
@click.option("--url", required=True, help="https URL on a public host (unless COMMERCE_WEBHOOK_ALLOW_PRIVATE).")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(EVENT_TYPES),
    help="Event type; repeat it. Default: every event.",
)
@click.pass_context
def webhook_create(ctx: click.Context, key_name: str, url: str, events: tuple[str, ...]) -> None:
    """Register an endpoint; prints its id and its signing secret, shown this once."""
    from app.cli import _in_transaction, _settings

    settings = _settings(ctx)

    async def create(session: AsyncSession) -> endpoints.Created:
        key = (
            await session.scalars(select(ApiKey).where(ApiKey.name == key_name, ApiKey.revoked_at.is_(None)))
        ).one_or_none()
        if key is None:
            raise AdminError(f"no live API key named {key_name!r}")
        if Scope.WEBHOOKS_WRITE not in key.scope_set:
            raise AdminError(f"API key {key_name!r} lacks the scope {Scope.WEBHOOKS_WRITE}")
        try:
            return await endpoints.create(
                session, key.id, url, list(events or EVENT_TYPES), allow_private=settings.webhook_allow_private
            )
        except DomainError as error:
            raise AdminError("; ".join(p.message for p in error.problems)) from None

    made = _in_transaction(settings, create)
    click.echo(f"endpoint {encode_id('WebhookEndpoint', made.endpoint.id)} for {made.endpoint.events}")
    click.echo(f"secret {made.secret}")


@webhook.command("send-pending")
@click.pass_context
def webhook_send_pending(ctx: click.Context) -> None:
    """Deliver the webhook events due now once and exit (`serve` also delivers in the background)."""
    from app.cli import _settings
    from app.webhooks.sender import WebhookSender

    settings = _settings(ctx)

    async def run() -> tuple[int, int]:
        database = Database(settings.database_url)
        sender = WebhookSender(database, settings)
        try:
            report = await sender.deliver_pending()
            return report.delivered, report.failed
        finally:
            await sender.close()
            await database.dispose()

    delivered, failed = asyncio.run(run())
    click.echo(f"delivered {delivered}, failed {failed}")
