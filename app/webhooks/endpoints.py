"""Registering, listing, deleting endpoints and replaying deliveries, for one API key at a time.

Every function takes the key's id and touches only that key's rows: another
key's endpoint or delivery is NOT_FOUND, exactly like a missing one.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import clock
from app import settings as limits
from app.errors import DomainError, ErrorCode, Problem
from app.models import ApiKey, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.webhooks.events import EVENT_TYPES
from app.webhooks.targets import UnsafeTarget, resolve_public, url_problem

# How long registration waits for DNS; a name that does not resolve yet is checked again at delivery.
RESOLVE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class Created:
    endpoint: WebhookEndpoint
    secret: str


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


async def check_target(url: str, allow_private: bool) -> Problem | None:
    problem = url_problem(url, allow_private)
    if problem is None and not allow_private:
        parts = urlsplit(url)
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
                await resolve_public(parts.hostname or "", parts.port or 443)
        except UnsafeTarget as error:
            if "non-public" in str(error):
                problem = "The URL's host resolves to a private, loopback or link-local address."
        except TimeoutError:
            pass
    return Problem(ErrorCode.INVALID_INPUT, problem, "input.url") if problem else None


async def create(
    session: AsyncSession, api_key_id: int, url: str, event_types: Sequence[str], *, allow_private: bool
) -> Created:
    """A new endpoint of ``api_key_id``; at most WEBHOOK_MAX_ENDPOINTS_PER_KEY per key.

    The key's row is locked first, so two simultaneous registrations cannot
    both see room for one more endpoint.
    """
    cleaned_url = url.strip()
    problems: list[Problem] = []
    if problem := await check_target(cleaned_url, allow_private):
        problems.append(problem)
    wanted = [e for e in EVENT_TYPES if e in set(event_types)]
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        problems.append(Problem(ErrorCode.INVALID_INPUT, f"Unknown event(s): {', '.join(unknown)}.", "input.events"))
    elif not wanted:
        problems.append(Problem(ErrorCode.INVALID_INPUT, "Subscribe to at least one event.", "input.events"))
    if problems:
        raise DomainError(*problems)
    await session.execute(select(ApiKey.id).where(ApiKey.id == api_key_id).with_for_update())
    count = (await session.execute(select(func.count()).where(WebhookEndpoint.api_key_id == api_key_id))).scalar_one()
    if count >= limits.WEBHOOK_MAX_ENDPOINTS_PER_KEY:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT,
            f"An API key can have at most {limits.WEBHOOK_MAX_ENDPOINTS_PER_KEY} webhook endpoints; delete one first.",
            "input.url",
        )
    secret = new_secret()
    endpoint = WebhookEndpoint(api_key_id=api_key_id, url=cleaned_url, events=" ".join(wanted), secret=secret)
    session.add(endpoint)
    await session.flush()
    return Created(endpoint, secret)


async def remove(session: AsyncSession, api_key_id: int, endpoint_id: int) -> None:
    """Delete the endpoint and its delivery log; pending deliveries are dropped with it."""
    found = (
        await session.execute(
            delete(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.api_key_id == api_key_id)
            .returning(WebhookEndpoint.id)
        )
    ).one_or_none()
    if found is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such webhook endpoint.", "id")
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id))


async def replay(session: AsyncSession, api_key_id: int, delivery_id: int) -> WebhookDelivery:
    """Due again now with the same webhook-id; its endpoint is enabled again and its failure clock reset.

    A delivery some sender is attempting this moment is released too: the
    receiver may then get it twice, with one id, as at-least-once allows.
    """
    delivery = (
        await session.scalars(
            select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.id == delivery_id, WebhookEndpoint.api_key_id == api_key_id)
            .with_for_update(of=WebhookDelivery)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if delivery is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such webhook delivery.", "deliveryId")
    now = clock.now()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.lease_until = None
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == delivery.endpoint_id)
        .values(enabled=True, disabled_at=None, failing_since=None)
    )
    await session.flush()
    return delivery
