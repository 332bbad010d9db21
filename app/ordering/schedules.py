"""The delivery schedule of a customer as the calendar rules want it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import DeliverySchedule as StoredSchedule
from app.ordering.calendar import DeliverySchedule


def from_model(stored: StoredSchedule | None) -> DeliverySchedule | None:
    if stored is None:
        return None
    return DeliverySchedule.from_stored(
        stored.weekdays, stored.cutoff_days_before, stored.cutoff_time, stored.closed_dates or []
    )


async def schedule_of(session: AsyncSession, customer_id: int) -> DeliverySchedule | None:
    return from_model(await session.get(StoredSchedule, customer_id))
