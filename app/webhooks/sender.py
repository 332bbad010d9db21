"""Delivering webhooks: at least once, signed, with backoff, safely from several workers.

Claiming works like the mail outbox (``app/mail/sender.py``): one conditional
UPDATE gives due rows a lease (on PostgreSQL its subquery takes them ``FOR
UPDATE SKIP LOCKED``, so two senders pick disjoint rows without waiting; on
SQLite the write lock serialises claims). A sender that dies mid-delivery
leaves its rows leased; when the lease runs out another sender delivers them
again, with the same ``webhook-id``, which is what at-least-once allows.

Each attempt signs the stored body anew (the Standard Webhooks timestamp
must be fresh), has one overall timeout, reads at most 64 kB of the answer
and never follows a redirect (a 3xx is a failed attempt). Unless private
targets are allowed, the host is resolved before every attempt, every
address must be public, and the request goes to the checked address itself
(TLS still verifies the name), so DNS rebinding cannot redirect it inward.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from app import clock
from app import settings as limits
from app.db import Database
from app.dml import claimable
from app.mail.outbox import enqueue
from app.models import ApiKey, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.settings import Settings
from app.webhooks.targets import Resolver, UnsafeTarget, resolve_public, system_resolver

log = logging.getLogger("app.webhooks")
USER_AGENT = "commerce-webhooks/1"


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 5 s doubling to an hour, each cut by up to half at random.

    The jitter spreads the retries of many deliveries that failed together
    (a receiver that was down) instead of sending them back at one moment.
    """
    seconds = min(limits.WEBHOOK_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), limits.WEBHOOK_BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.5, 1.0))


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None = None
    error: str | None = None
    at: datetime | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


class WebhookSender:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        timeout: float = limits.WEBHOOK_TIMEOUT_SECONDS,
        lease_seconds: float = limits.WEBHOOK_LEASE_SECONDS,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.database = database
        self.settings = settings
        self.timeout = timeout
        self.lease_seconds = lease_seconds
        self.resolver = resolver
        self.worker_id = uuid.uuid4().hex
        # Never proxies from the environment, never redirects.
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False, headers={"user-agent": USER_AGENT}
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def claim(self, limit: int = limits.WEBHOOK_BATCH_SIZE) -> list[tuple[WebhookDelivery, WebhookEndpoint]]:
        now = clock.now()
        free = or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now)
        due = (
            select(WebhookDelivery.id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .join(ApiKey, ApiKey.id == WebhookEndpoint.api_key_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
                free,
                WebhookEndpoint.enabled.is_(True),
                # A revoked key's endpoints get nothing more, not even what was queued before.
                ApiKey.revoked_at.is_(None),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        claim = (
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(claimable(due)),
                # Checked again on the locked row, so a row is never claimed twice.
                free,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .values(claimed_by=self.worker_id, lease_until=now + timedelta(seconds=self.lease_seconds))
            .returning(WebhookDelivery)
            .execution_options(synchronize_session=False)
        )
        async with self.database.writer() as session, session.begin():
            rows = list((await session.scalars(claim)).all())
            if not rows:
                return []
            endpoint_ids = {row.endpoint_id for row in rows}
            endpoints = {
                e.id: e
                for e in (await session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids))))
            }
        return [(row, endpoints[row.endpoint_id]) for row in sorted(rows, key=lambda r: r.id)]

    async def deliver_pending(self) -> DeliveryReport:
        """Deliver everything due now, a batch at a time, each batch's requests concurrently."""
        delivered = failed = 0
        while True:
            claimed = await self.claim()
            if not claimed:
                return DeliveryReport(delivered, failed)
            outcomes = await asyncio.gather(*(self.attempt(row, endpoint) for row, endpoint in claimed))
            await self._record(claimed, outcomes)
            delivered += sum(1 for outcome in outcomes if outcome.delivered)
            failed += sum(1 for outcome in outcomes if not outcome.delivered)

    async def attempt(self, row: WebhookDelivery, endpoint: WebhookEndpoint) -> Outcome:
        """One signed POST; never raises."""
        now = clock.now()
        try:
            request = await self._request(row, endpoint)
            async with asyncio.timeout(self.timeout):
                response = await self.client.send(request, stream=True)
                try:
                    read = 0
                    async for chunk in response.aiter_raw():
                        read += len(chunk)
                        if read >= limits.WEBHOOK_MAX_RESPONSE_BYTES:
                            break  # the answer is not needed; a huge one is not read
                finally:
                    await response.aclose()
            return Outcome(status_code=response.status_code, at=now)
        except TimeoutError:
            return Outcome(error=f"timed out after {self.timeout:g} s", at=now)
        except UnsafeTarget as error:
            return Outcome(error=str(error), at=now)
        except (httpx.HTTPError, OSError, ValueError) as error:
            return Outcome(error=f"{type(error).__name__}: {error}"[:2000], at=now)

    async def _request(self, row: WebhookDelivery, endpoint: WebhookEndpoint) -> httpx.Request:
        url = httpx.URL(endpoint.url)
        # The wall clock, not app.clock: receivers compare it with their own (5 minutes' tolerance).
        signed_at = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": row.message_id,
            "webhook-timestamp": str(int(signed_at.timestamp())),
            "webhook-signature": Webhook(endpoint.secret).sign(row.message_id, signed_at, row.body),
        }
        extensions: dict[str, object] = {}
        if not self.settings.webhook_allow_private:
            if url.scheme != "https":
                raise UnsafeTarget("only https targets are allowed")
            addresses = await resolve_public(url.host, url.port or 443, self.resolver)
            # Connect to the address just checked; Host and TLS (SNI, certificate) keep the name.
            headers["host"] = url.netloc.decode("ascii")
            extensions["sni_hostname"] = url.host
            url = url.copy_with(host=addresses[0])
        return self.client.build_request(
            "POST", url, content=row.body.encode("utf-8"), headers=headers, extensions=extensions
        )

    async def _record(self, claimed: list[tuple[WebhookDelivery, WebhookEndpoint]], outcomes: list[Outcome]) -> None:
        """Only rows this sender still holds are written; successes go in one UPDATE per response code."""
        now = clock.now()
        mine = WebhookDelivery.claimed_by == self.worker_id
        delivered: dict[int, list[tuple[int, datetime]]] = {}
        async with self.database.writer() as session, session.begin():
            for (row, _endpoint), outcome in zip(claimed, outcomes, strict=True):
                if outcome.delivered:
                    assert outcome.status_code is not None
                    delivered.setdefault(outcome.status_code, []).append((row.id, outcome.at or now))
                    continue
                attempts = row.attempts + 1
                gave_up = attempts >= limits.WEBHOOK_MAX_ATTEMPTS
                error = outcome.error or f"HTTP {outcome.status_code}"
                log.warning(
                    "webhook delivery failed",
                    extra={"delivery_id": row.id, "attempts": attempts, "gave_up": gave_up, "error": error},
                )
                await session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id == row.id, mine)
                    .values(
                        attempts=WebhookDelivery.attempts + 1,
                        last_attempt_at=outcome.at,
                        response_code=outcome.status_code,
                        lease_until=None,
                        status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
                        next_attempt_at=now + backoff(attempts),
                        last_error=error,
                    )
                    .execution_options(synchronize_session=False)
                )
            for code, done in delivered.items():
                await session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_([pk for pk, _ in done]), mine)
                    .values(
                        attempts=WebhookDelivery.attempts + 1,
                        # The batch's attempts start together; the first one's time stands for all.
                        last_attempt_at=min(at for _, at in done),
                        response_code=code,
                        lease_until=None,
                        status=DeliveryStatus.DELIVERED,
                        delivered_at=now,
                        last_error=None,
                    )
                    .execution_options(synchronize_session=False)
                )
            by_endpoint: dict[int, list[Outcome]] = {}
            for (_, endpoint), outcome in zip(claimed, outcomes, strict=True):
                by_endpoint.setdefault(endpoint.id, []).append(outcome)
            for endpoint_id, results in by_endpoint.items():
                if any(o.delivered for o in results):
                    await session.execute(
                        update(WebhookEndpoint)
                        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.failing_since.is_not(None))
                        .values(failing_since=None)
                    )
                else:
                    first = min(o.at or now for o in results)
                    await self._failing(session, endpoint_id, first, now)

    async def _failing(self, session: AsyncSession, endpoint_id: int, first: datetime, now: datetime) -> None:
        """Note the first failure; after a day of nothing but failures disable the endpoint and tell support.

        The disabling UPDATE is conditional on ``enabled``, so of several
        senders only one disables it and only one email is queued.
        """
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.failing_since.is_(None))
            .values(failing_since=first)
        )
        cutoff = now - timedelta(seconds=limits.WEBHOOK_DISABLE_AFTER_SECONDS)
        disabled = (
            await session.execute(
                update(WebhookEndpoint)
                .where(
                    WebhookEndpoint.id == endpoint_id,
                    WebhookEndpoint.enabled.is_(True),
                    WebhookEndpoint.failing_since <= cutoff,
                )
                .values(enabled=False, disabled_at=now)
                .returning(WebhookEndpoint.url, WebhookEndpoint.failing_since, WebhookEndpoint.api_key_id)
            )
        ).one_or_none()
        if disabled is None:
            return
        url, failing_since, api_key_id = disabled
        key_name = (await session.execute(select(ApiKey.name).where(ApiKey.id == api_key_id))).scalar_one()
        last_error = (
            await session.execute(
                select(WebhookDelivery.last_error)
                .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.last_error.is_not(None))
                .order_by(WebhookDelivery.last_attempt_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        enqueue(
            session,
            self.settings,
            "webhook_endpoint_disabled",
            self.settings.support_email,
            url=url,
            key_name=key_name,
            failing_since=failing_since,
            last_error=last_error or "",
        )
        log.warning("webhook endpoint disabled", extra={"endpoint_id": endpoint_id, "url": url})
